"""OneCycle's argument checks (its NumPy reference is in
tests/components/schedules_test.py)."""

import pytest

from nnrecipes.schedules import OneCycle


@pytest.mark.parametrize("kwargs, message", [
    ({"max_learning_rate": 0}, "Received: max_learning_rate=0"),
    ({"total_steps": 1}, "Received: total_steps=1"),
    ({"total_steps": 10.0}, "Received: total_steps=10.0"),
    ({"warmup_fraction": 1.0}, "Received: warmup_fraction=1.0"),
    ({"warmup_fraction": 0}, "Received: warmup_fraction=0"),
    ({"div_factor": -2}, "Received: div_factor=-2"),
    ({"final_div_factor": 0}, "Received: final_div_factor=0"),
    ({"anneal": "exp"}, "Received: anneal='exp'"),
])
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {**dict(max_learning_rate=0.01, total_steps=100), **kwargs}
    with pytest.raises(ValueError, match=message):
        OneCycle(**arguments)


def test_it_starts_at_peak_over_div_factor_and_ends_near_zero():
    schedule = OneCycle(0.01, 100, div_factor=10.0, final_div_factor=100.0)
    assert float(schedule(0)) == pytest.approx(0.001)
    assert float(schedule(30)) == pytest.approx(0.01)
    assert float(schedule(100)) == pytest.approx(0.001 / 100.0, rel=1e-4)
    assert float(schedule(500)) == pytest.approx(0.001 / 100.0, rel=1e-4)  # stays there
