"""Combined: the sum of several regularizers, its checks and its config
(the NumPy sum itself is in tests/components/regularizers_test.py)."""

import numpy as np
import pytest

import keras

from nnrecipes import regularizers

to_np = keras.ops.convert_to_numpy


@pytest.mark.parametrize("bad, message", [
    ("l2", "non-empty list.*Received: regularizers='l2'"),
    ((), r"Received: regularizers=\(\)"),
    (["l1", None], r"must not contain None. Received: regularizers=\['l1', None\]"),
])
def test_bad_lists_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        regularizers.Combined(bad)


def test_config_round_trips_with_nested_nnrecipes_regularizers():
    w = np.random.default_rng(4).normal(size=(5, 3)).astype("float32")
    both = regularizers.Combined([keras.regularizers.L1(0.02), regularizers.GroupLasso(0.1,
                                                                                      axis=0)])
    restored = keras.regularizers.deserialize(keras.regularizers.serialize(both))
    assert isinstance(restored, regularizers.Combined)
    assert [type(r).__name__ for r in restored.regularizers] == ["L1", "GroupLasso"]
    assert restored.regularizers[1].axis == 0
    np.testing.assert_allclose(to_np(restored(w)), to_np(both(w)), rtol=1e-6)
    expected = 0.02 * np.abs(w).sum() + 0.1 * np.sqrt(3) * np.linalg.norm(w, axis=1).sum()
    np.testing.assert_allclose(to_np(both(w)), expected, rtol=1e-5)
