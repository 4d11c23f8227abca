"""`engine.fit` trains a TF-IDF text model on vectors made once per run."""

import keras
import numpy as np

from nnrecipes import engine
from nnrecipes import get_recipe
from nnrecipes.callbacks import EpochCheckpoint
from nnrecipes.data import sparse_text
from nnrecipes.engine import vectorized
from tests.data.sparse_text_test import HELD_OUT
from tests.data.sparse_text_test import VALUES
from tests.data.sparse_text_test import _toy


def test_fit_vectorizes_each_split_once_and_trains_the_string_model(tmp_path, monkeypatch):
    splits = _toy()
    model = engine.build_model(get_recipe("mlp"), splits, VALUES)
    before = [np.array(w) for w in model.get_weights()]
    calls = []
    original = sparse_text.tf_idf_vectors

    def counted(vectorizer, normalization, texts, **kwargs):
        calls.append(len(texts))
        return original(vectorizer, normalization, texts, **kwargs)

    monkeypatch.setattr(sparse_text, "tf_idf_vectors", counted)
    checkpoint = EpochCheckpoint(str(tmp_path / "ckpt"))
    fitted = engine.fit(model, splits, epochs=3, batch_size=4, patience=None,
                        checkpoint=checkpoint, diagnostics=True)
    assert calls == [len(splits.x_train), len(splits.x_val)]  # not per epoch, not per step
    assert len(fitted.history.epoch) == 3 and "val_accuracy" in fitted.history.history
    assert fitted.diagnostics.report is not None
    # The activation probe reads the shared layers through the string model.
    assert any(key.startswith("dead") for key in fitted.diagnostics.history), \
        sorted(fitted.diagnostics.history)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    # The checkpoint is the model that takes raw strings, with the trained weights.
    saved = keras.saving.load_model(checkpoint.latest()["weights"])
    assert saved.inputs[0].dtype == "string"
    texts = np.array(HELD_OUT, dtype=object)
    np.testing.assert_allclose(saved.predict(texts, verbose=0), model.predict(texts, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_no_view_for_models_that_do_not_take_tf_idf_text():
    splits = _toy()
    tokens = engine.build_model(get_recipe("mlp"), splits, {"text_bag": "embedding",
                                                            "units": 8, "num_layers": 1})
    assert vectorized.training_view(tokens, splits) is None
