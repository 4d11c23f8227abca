"""ResidualConvBlock's checks and the layers its options put in the branch
(shapes, shortcut and gradients are in tests/components/layers_test.py)."""

import numpy as np
import pytest

import keras

from nnrecipes.layers import ResidualConvBlock

to_np = keras.ops.convert_to_numpy


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0}, "Received: filters=0"),
    ({"filters": 4, "kernel_size": 2.0}, "Received: kernel_size=2.0"),
    ({"filters": 4, "convs": True}, "Received: convs=True"),
    ({"filters": 4, "rank": 3}, "Received: rank=3"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ResidualConvBlock(**kwargs)


@pytest.mark.parametrize("batch_norm", [True, False])
def test_batch_norm_replaces_the_convolution_biases(batch_norm):
    block = ResidualConvBlock(3, rank=1, convs=2, batch_norm=batch_norm)
    block(np.zeros((2, 6, 3), "float32"))
    convs = [layer for layer in block.branch if isinstance(layer, keras.layers.Conv1D)]
    norms = [layer for layer in block.branch
             if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(convs) == 2 and len(norms) == (2 if batch_norm else 0)
    assert all((conv.bias is None) == batch_norm for conv in convs)


def test_a_same_width_block_adds_its_input_before_the_activation():
    block = ResidualConvBlock(2, kernel_size=3, rank=1, batch_norm=False,
                              activation="linear")
    x = np.random.default_rng(0).normal(size=(1, 5, 2)).astype("float32")
    block(x)
    for conv in block.branch:
        if isinstance(conv, keras.layers.Conv1D):
            conv.kernel.assign(np.zeros(conv.kernel.shape, "float32"))
    # A zero branch leaves the shortcut: the block is the identity.
    np.testing.assert_allclose(to_np(block(x)), x, rtol=1e-6, atol=1e-7)
