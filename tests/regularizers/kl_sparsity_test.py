"""KLSparsity's checks and its weight (the NumPy reference and the penalty a
layer adds are in tests/components/regularizers_test.py)."""

import numpy as np
import pytest

import keras

from nnrecipes import regularizers

to_np = keras.ops.convert_to_numpy


@pytest.mark.parametrize("kwargs, message", [
    ({"target": 0.0}, "Received: target=0.0"),
    ({"target": True}, "Received: target=True"),
    ({"weight": -1.0}, "Received: weight=-1.0"),
    ({"weight": "1"}, "Received: weight='1'"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        regularizers.KLSparsity(**kwargs)


def test_the_penalty_scales_with_weight_and_grows_away_from_the_target():
    x = np.full((8, 2), 0.5, "float32")
    one = float(regularizers.KLSparsity(0.1).penalty(x))
    assert float(regularizers.KLSparsity(0.1, weight=3.0).penalty(x)) == pytest.approx(3 * one)
    nearer = float(regularizers.KLSparsity(0.1).penalty(np.full((8, 2), 0.2, "float32")))
    assert 0 < nearer < one
    assert float(regularizers.KLSparsity(0.1, weight=0.0).penalty(x)) == 0.0
    config = regularizers.KLSparsity(0.2, weight=2.0).get_config()
    assert config == {"target": 0.2, "weight": 2.0}
    assert float(regularizers.KLSparsity(**config).penalty(x)) == pytest.approx(
        float(regularizers.KLSparsity(0.2, weight=2.0).penalty(x)))
