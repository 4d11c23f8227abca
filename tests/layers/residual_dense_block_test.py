"""ResidualDenseBlock with batch normalization and dropout, against NumPy,
and the checks every residual block shares (nnrecipes/layers/_blocks.py).

The plain block's NumPy reference, its projection shortcut, gradients and
DropPath are tested in tests/components/layers_test.py."""

import numpy as np
import pytest

import keras

from nnrecipes.layers import ResidualConvBlock
from nnrecipes.layers import ResidualDenseBlock

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(9)


def _batch_norm(z, bn, training):
    if training:
        mean, var = z.mean(0), z.var(0)
    else:
        mean, var = to_np(bn.moving_mean), to_np(bn.moving_variance)
    return (z - mean) / np.sqrt(var + bn.epsilon) * to_np(bn.gamma) + to_np(bn.beta)


@pytest.mark.parametrize("training", [False, True])
def test_batch_norm_block_matches_numpy_and_has_no_dense_biases(training):
    x = RNG.normal(size=(16, 4))
    block = ResidualDenseBlock(4, batch_norm=True, dtype="float64")
    block.build(x.shape)
    names = [layer.name for layer in block.branch]
    assert names == ["dense1", "bn1", "act1", "dense2", "bn2"]
    d1, bn1, _, d2, bn2 = block.branch
    assert d1.bias is None and d2.bias is None  # batch norm's beta takes their place
    for bn in (bn1, bn2):
        for variable in bn.weights:
            variable.assign(RNG.uniform(0.5, 1.5, size=variable.shape))
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    hidden = relu(_batch_norm(x @ to_np(d1.kernel), bn1, training))
    expected = relu(x + _batch_norm(hidden @ to_np(d2.kernel), bn2, training))
    np.testing.assert_allclose(to_np(block(x, training=training)), expected, rtol=1e-6,
                               atol=1e-8)


def test_dropout_acts_in_the_branch_only_in_training():
    x = RNG.normal(size=(256, 8)).astype("float32")
    block = ResidualDenseBlock(8, dropout=0.5, activation="linear")
    inference = to_np(block(x, training=False))
    assert any(isinstance(layer, keras.layers.Dropout) for layer in block.branch)
    np.testing.assert_array_equal(inference, to_np(block(x, training=False)))
    assert not np.allclose(to_np(block(x, training=True)), inference)


@pytest.mark.parametrize("block, kwargs, message", [
    (ResidualDenseBlock, {"dropout": 1.0}, "Received: dropout=1.0"),
    (ResidualDenseBlock, {"dropout": True}, "Received: dropout=True"),
    (ResidualDenseBlock, {"drop_path": -0.5}, "Received: drop_path=-0.5"),
    (ResidualConvBlock, {"drop_path": 1.0}, "Received: drop_path=1.0"),
    (ResidualDenseBlock, {"activation": "swishh"},
     "Valid: .*'relu'.*Received: activation='swishh'"),
    (ResidualConvBlock, {"activation": "swishh"},
     "Valid: .*'relu'.*Received: activation='swishh'"),
])
def test_every_residual_block_checks_the_shared_arguments(block, kwargs, message):
    with pytest.raises(ValueError, match=message):
        block(4, **kwargs)


@pytest.mark.parametrize("units", [0, 2.0, True])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match=f"Received: units={units!r}"):
        ResidualDenseBlock(units)
