"""The TabM recipe: built by name on a table, trained, saved, averaged output."""

import keras
import numpy as np

import nnrecipes
from nnrecipes import data
from nnrecipes.data.catalog import Splits


def _table_splits():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int32")
    return Splits("toy", "tabular", x[:200], y[:200], x[200:], y[200:], x[200:], y[200:],
                  num_classes=2)


def test_defaults_follow_the_paper():
    space = nnrecipes.get_recipe("tabm").hyperparameters()
    defaults = {name: space[name]["default"] for name in
                ("k", "num_layers", "units", "dropout", "learning_rate")}
    assert defaults == {"k": 32, "num_layers": 3, "units": 512, "dropout": 0.1,
                        "learning_rate": 2e-3}


def test_builds_trains_saves_and_predicts_the_mean(tmp_path):
    splits = _table_splits()
    model = nnrecipes.build("tabm", num_classes=2, k=4, units=16, num_layers=2,
                            **data.preprocessing_for(splits))
    assert model.get_layer("head").output.shape[1:] == (4, 2)
    model.fit(splits.x_train, splits.y_train, epochs=2, batch_size=32, verbose=0)
    probs = model.predict(splits.x_test, verbose=0)
    assert probs.shape == (100, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    members = keras.Model(model.inputs, model.get_layer("head").output)(splits.x_test)
    members = keras.ops.convert_to_numpy(members)
    assert not np.allclose(members[:, 0], members[:, 1])
    np.testing.assert_allclose(probs, members.mean(axis=1), rtol=1e-5, atol=1e-6)
    path = tmp_path / "tabm.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(reloaded.predict(splits.x_test, verbose=0), probs, rtol=1e-5)


def test_periodic_embedding_knob():
    model = nnrecipes.build("tabm", input_shape=(4,), num_classes=2, k=2, units=8,
                            numeric_embedding="periodic")
    assert model.get_layer("periodic_embedding") is not None


def test_train_by_name_on_a_table(tmp_path):
    result = nnrecipes.train("tabm", _table_splits(), epochs=1, k=2, units=8,
                             num_layers=1, export_dir=str(tmp_path))
    assert result is not None
