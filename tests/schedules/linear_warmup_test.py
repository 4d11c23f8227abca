"""LinearWarmup's argument checks, no warmup at all, and its config round
trip around a schedule or a constant (its NumPy reference is in
tests/components/schedules_test.py)."""

import numpy as np
import pytest

import keras

from nnrecipes.schedules import LinearWarmup


@pytest.mark.parametrize("kwargs, message", [
    ({"schedule": 0.0}, "Received: schedule=0.0"),
    ({"schedule": "cosine"}, "Received: schedule='cosine'"),
    ({"warmup_steps": -1}, "Received: warmup_steps=-1"),
    ({"warmup_steps": 2.0}, "Received: warmup_steps=2.0"),
    ({"initial_learning_rate": -0.1}, "Received: initial_learning_rate=-0.1"),
])
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {**dict(schedule=0.01, warmup_steps=5), **kwargs}
    with pytest.raises(ValueError, match=message):
        LinearWarmup(**arguments)


def test_zero_warmup_steps_is_the_schedule_itself():
    decay = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.5)
    schedule = LinearWarmup(decay, warmup_steps=0)
    for step in (0, 5, 30):
        assert float(schedule(step)) == pytest.approx(float(decay(step)))


@pytest.mark.parametrize("inner", [
    0.02, keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.5)], ids=["constant",
                                                                          "schedule"])
def test_config_round_trips(inner):
    schedule = LinearWarmup(inner, warmup_steps=4, initial_learning_rate=0.001)
    restored = LinearWarmup.from_config(schedule.get_config())
    steps = [0, 2, 4, 9, 40]
    np.testing.assert_allclose([float(restored(s)) for s in steps],
                               [float(schedule(s)) for s in steps], rtol=1e-6)
