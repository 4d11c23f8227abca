"""The MLP recipe's knobs for tables: numeric scaling, periodic embeddings and
category embeddings."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes import data
from nnrecipes.data.catalog import Splits


def _table_splits():
    rng = np.random.default_rng(0)
    x = rng.lognormal(size=(300, 4)).astype("float32")
    y = (x[:, 0] > 1).astype("int32")
    return Splits("toy", "tabular", x[:200], y[:200], x[200:], y[200:], x[200:], y[200:],
                  num_classes=2)


def _scaler_output(model, x):
    return np.asarray(model.get_layer("numeric_scaler")(model.get_layer("normalize")(x)))


@pytest.mark.parametrize("method", data.NUMERIC_SCALINGS)
def test_numeric_scaling_knob_changes_the_built_model(method):
    splits = _table_splits()
    kwargs = data.preprocessing_for(splits)
    model = nnrecipes.build("mlp", num_classes=2, units=8, numeric_scaling=method, **kwargs)
    assert model.get_layer("numeric_scaler").method == method
    out = _scaler_output(model, splits.x_train)
    standardized = np.asarray(model.get_layer("normalize")(splits.x_train))
    if method == "standard":
        np.testing.assert_allclose(out, standardized)
    else:
        assert np.abs(out - standardized).max() > 0.5
    # The adapted layers passed in are not changed by the build.
    assert kwargs["preprocessing"][1].method == "standard"


def test_numeric_embedding_knob_adds_the_periodic_layer():
    kwargs = data.preprocessing_for(_table_splits())
    plain = nnrecipes.build("mlp", num_classes=2, units=8, numeric_embedding="none", **kwargs)
    periodic = nnrecipes.build("mlp", num_classes=2, units=8, numeric_embedding="periodic",
                               periodic_sigma=0.5, **kwargs)
    assert not any(isinstance(l, nnrecipes.layers.PeriodicEmbedding) for l in plain.layers)
    layer = periodic.get_layer("periodic_embedding")
    assert isinstance(layer, nnrecipes.layers.PeriodicEmbedding) and layer.sigma == 0.5
    assert periodic.count_params() > plain.count_params()


def test_tabular_knobs_leave_images_and_tokens_alone():
    image = nnrecipes.build("mlp", input_shape=(8, 8, 1), num_classes=2, units=8,
                            numeric_embedding="periodic")
    tokens = nnrecipes.build("mlp", input_shape=(10,), vocab_size=50, num_classes=2, units=8,
                             numeric_embedding="periodic")
    for model in (image, tokens):
        assert not any(isinstance(l, nnrecipes.layers.PeriodicEmbedding) for l in model.layers)


def test_tabular_knobs_are_declared_once():
    declared = nnrecipes.get_recipe("mlp").hyperparameters()
    assert declared["numeric_scaling"]["values"] == list(data.NUMERIC_SCALINGS)
    assert declared["numeric_embedding"]["values"] == ["none", "periodic"]
    with pytest.raises(ValueError, match="numeric_scaling"):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=2, numeric_scaling="minmax")


def _mixed_splits():
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue"], size=300)
    size = rng.normal(size=300)
    x = np.stack([size.astype(str), colour], axis=1).astype(object)
    y = ((colour == "red") ^ (size > 0)).astype("int32")
    return Splits("mixed", "tabular", x[:200], y[:200], x[200:], y[200:], x[200:], y[200:],
                  num_classes=2, info={"categorical": [1], "columns": ["size", "colour"]})


def test_categorical_embedding_knob_gives_each_category_a_trained_vector(tmp_path):
    splits = _mixed_splits()
    kwargs = data.preprocessing_for(splits)
    one_hot = nnrecipes.build("mlp", num_classes=2, units=8, **kwargs)
    assert one_hot.get_layer("tabular_encoder").output_dim == 1 + 4  # 3 colours + unseen
    model = nnrecipes.build("mlp", num_classes=2, units=8, categorical_embedding=5, **kwargs)
    encoder = model.get_layer("tabular_encoder")
    assert encoder.embedding_dim == 5 and encoder.output_dim == 1 + 5
    assert tuple(encoder.category_vectors.shape) == (4, 5)
    assert kwargs["preprocessing"][0].embedding_dim == 0  # the adapted layer is untouched
    # Each category reads its own row; an unseen one reads the shared row 0.
    rows = np.array([["0", "red"], ["0", "blue"], ["0", "purple"]], dtype=object)
    codes = np.asarray(encoder(rows))[:, 1:]
    vectors = np.asarray(encoder.category_vectors)
    np.testing.assert_allclose(codes[2], vectors[0])
    assert not np.allclose(codes[0], codes[1])
    # The vectors train and survive saving.
    result = nnrecipes.train("mlp", splits, epochs=2, export=False, verbose=0,
                             diagnostics=False, units=8, categorical_embedding=5)
    assert result.manifest["hyperparameters"]["categorical_embedding"] == 5
    trained = result.model.get_layer("tabular_encoder")
    assert trained.embedding_dim == 5 and trained.trainable_weights
    path = str(tmp_path / "m.keras")
    result.model.save(path)
    loaded = keras.models.load_model(path)
    x = tf.constant(splits.x_test[:4].astype(str))
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               result.model.predict(x, verbose=0), rtol=1e-5)
    with pytest.raises(ValueError, match="Received: embedding_dim=-1"):
        data.TabularEncoder(2, categorical=[1], embedding_dim=-1)
