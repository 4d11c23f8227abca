"""A served export carries the weights, not the optimizer's state."""

import json
import os
import zipfile

import keras
import numpy as np
import tensorflow as tf

import nnrecipes
from nnrecipes import data
from nnrecipes.data.catalog import Splits
from nnrecipes.export import saved_model


def _weight_bytes(model):
    return sum(int(np.prod(v.shape)) * 4 for v in model.weights)


def _trained_dense(units=256):
    model = keras.Sequential([keras.Input((200,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(2)])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(np.random.rand(32, 200), np.random.randint(0, 2, 32), epochs=1, verbose=0)
    return model


def test_exported_keras_file_holds_no_optimizer_state(tmp_path):
    model = _trained_dense()
    optimizer = model.optimizer
    path = saved_model.export_model(model, str(tmp_path / "dense"))
    keras_bytes = os.path.getsize(os.path.join(path, "model.keras"))
    assert keras_bytes <= 1.5 * _weight_bytes(model), (keras_bytes, _weight_bytes(model))
    assert model.optimizer is optimizer  # put back: training can go on
    reloaded = keras.saving.load_model(os.path.join(path, "model.keras"), compile=False)
    x = np.random.rand(3, 200).astype("float32")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_a_plain_save_keeps_the_optimizer_for_resuming(tmp_path):
    model = _trained_dense()
    model.save(tmp_path / "resume.keras")
    saved_model.save_for_serving(model, tmp_path / "serve.keras")
    assert os.path.getsize(tmp_path / "resume.keras") > 2 * os.path.getsize(
        tmp_path / "serve.keras")


def test_tf_idf_vocabulary_and_weights_are_stored_once(tmp_path):
    words = [f"w{i}" for i in range(3000)]
    rng = np.random.default_rng(0)
    texts = np.array([" ".join(rng.choice(words, 12)) for _ in range(200)], dtype=object)
    labels = rng.integers(0, 2, 200).astype("int32")
    splits = Splits("toy", "text", texts[:100], labels[:100], texts[100:], labels[100:],
                    texts[100:], labels[100:], num_classes=2)
    kwargs = data.preprocessing_for(splits, text_bag="tf_idf", text_units="word")
    model = nnrecipes.build("mlp", num_classes=2, **kwargs)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(tf.constant(texts[:100].astype(str)), labels[:100], epochs=1, verbose=0)
    path = saved_model.export_model(model, str(tmp_path / "text"))
    with zipfile.ZipFile(os.path.join(path, "model.keras")) as archive:
        config = archive.read("config.json").decode()
        assert "w1234" not in config  # the vocabulary is in the assets, not the config too
        assert json.loads(config)
    keras_bytes = os.path.getsize(os.path.join(path, "model.keras"))
    vocabulary_bytes = sum(len(w) + 1 for w in kwargs["preprocessing"][0].get_vocabulary())
    assert keras_bytes <= 1.5 * _weight_bytes(model) + 2 * vocabulary_bytes
