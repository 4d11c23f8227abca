"""EnsembleMean: the mean over the member axis."""

import keras
import numpy as np
import pytest

from nnrecipes import layers


def test_mean_over_members():
    x = np.random.default_rng(0).uniform(size=(4, 6, 3)).astype("float32")
    out = keras.ops.convert_to_numpy(layers.EnsembleMean()(x))
    np.testing.assert_allclose(out, x.mean(axis=1), rtol=1e-6)
    assert layers.EnsembleMean().compute_output_shape((None, 6, 3)) == (None, 3)


def test_two_dimensional_input_is_refused():
    with pytest.raises(ValueError, match="batch, k"):
        layers.EnsembleMean()(np.zeros((4, 3), "float32"))


def test_config_round_trip():
    layer = layers.EnsembleMean(name="mean")
    assert layers.EnsembleMean.from_config(layer.get_config()).name == "mean"
