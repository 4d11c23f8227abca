"""GroupLasso's checks and its groups along other axes (the NumPy reference
for kernels is in tests/components/regularizers_test.py)."""

import numpy as np
import pytest

import keras

from nnrecipes import regularizers

to_np = keras.ops.convert_to_numpy


@pytest.mark.parametrize("kwargs, message", [
    ({"strength": -0.5}, "Received: strength=-0.5"),
    ({"strength": True}, "Received: strength=True"),
    ({"axis": 1.0}, "Received: axis=1.0"),
    ({"axis": False}, "Received: axis=False"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        regularizers.GroupLasso(**kwargs)


def test_a_one_dimensional_weight_is_groups_of_one():
    bias = np.array([3.0, -4.0, 0.0], "float32")
    # Each entry its own group of size 1: the penalty is strength * sum |b|.
    assert float(regularizers.GroupLasso(0.5)(bias)) == pytest.approx(0.5 * 7.0, rel=1e-4)


def test_a_convolution_kernel_groups_by_output_filter():
    kernel = np.random.default_rng(1).normal(size=(3, 3, 2, 4)).astype("float32")
    per_filter = np.sqrt((kernel ** 2).sum(axis=(0, 1, 2)))
    expected = 0.01 * np.sqrt(18) * per_filter.sum()
    np.testing.assert_allclose(to_np(regularizers.GroupLasso(0.01)(kernel)), expected,
                               rtol=1e-5)
