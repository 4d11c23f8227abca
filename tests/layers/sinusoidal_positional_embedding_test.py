"""SinusoidalPositionalEmbedding with another base wavelength, and its checks
(the paper's formula at the default base is in tests/components/layers_test.py)."""

import numpy as np
import pytest

import keras

from nnrecipes.layers import SinusoidalPositionalEmbedding

to_np = keras.ops.convert_to_numpy


def test_the_base_wavelength_sets_the_frequencies_and_inputs_are_added():
    x = np.random.default_rng(0).normal(size=(1, 5, 4)).astype("float32")
    y = to_np(SinusoidalPositionalEmbedding(max_wavelength=100)(x))
    pos = np.arange(5)[:, None]
    i = np.arange(4)[None, :]
    angle = pos / 100.0 ** (2 * (i // 2) / 4)
    table = np.where(i % 2 == 0, np.sin(angle), np.cos(angle))
    np.testing.assert_allclose(y[0], x[0] + table, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bad", [1, 0.5, True, "1e4"])
def test_max_wavelength_must_be_a_number_above_one(bad):
    with pytest.raises(ValueError, match=f"Received: max_wavelength={bad!r}"):
        SinusoidalPositionalEmbedding(max_wavelength=bad)


def test_config_keeps_the_base_wavelength():
    layer = SinusoidalPositionalEmbedding(max_wavelength=500, name="pos")
    restored = SinusoidalPositionalEmbedding.from_config(layer.get_config())
    assert restored.max_wavelength == 500
    x = np.zeros((1, 3, 2), "float32")
    np.testing.assert_allclose(to_np(restored(x)), to_np(layer(x)), rtol=1e-6)
