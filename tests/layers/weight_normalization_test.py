"""WeightNormalization's public handle on its length `g` (used by LSUV).

The layer's NumPy reference, gradient and saving tests are in
tests/components/layers_test.py."""

import numpy as np

import keras

from nnrecipes import layers

to_np = keras.ops.convert_to_numpy


def test_match_length_to_direction_makes_the_kernel_equal_v():
    wrapped = layers.WeightNormalization(keras.layers.Dense(3, use_bias=False))
    wrapped.build((None, 5))
    v = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    wrapped.v.assign(v)
    # Before: g still holds the length of the old v.
    assert not np.allclose(to_np(wrapped.normalized_kernel()), v, atol=1e-3)
    wrapped.match_length_to_direction()
    np.testing.assert_allclose(to_np(wrapped.g), np.linalg.norm(v, axis=0), rtol=1e-5)
    np.testing.assert_allclose(to_np(wrapped.normalized_kernel()), v, rtol=1e-5, atol=1e-6)
    x = np.ones((2, 5), "float32")
    np.testing.assert_allclose(to_np(wrapped(x)), x @ v, rtol=1e-5, atol=1e-5)
