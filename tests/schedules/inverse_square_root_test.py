"""InverseSquareRoot's argument checks (its NumPy reference is in
tests/components/schedules_test.py)."""

import pytest

from nnrecipes.schedules import InverseSquareRoot


@pytest.mark.parametrize("kwargs, message", [
    ({"peak_learning_rate": 0.0}, "Received: peak_learning_rate=0.0"),
    ({"peak_learning_rate": "1e-3"}, "Received: peak_learning_rate='1e-3'"),
    ({"warmup_steps": 0}, "Received: warmup_steps=0"),
    ({"warmup_steps": 4.5}, "Received: warmup_steps=4.5"),
])
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {**dict(peak_learning_rate=1e-3, warmup_steps=10), **kwargs}
    with pytest.raises(ValueError, match=message):
        InverseSquareRoot(**arguments)
