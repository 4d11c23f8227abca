"""The MLP recipe's knobs for tables: numeric scaling and periodic embeddings."""

import numpy as np
import pytest

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
