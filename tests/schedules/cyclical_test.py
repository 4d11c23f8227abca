"""CyclicalLearningRate's argument checks and its triangular2 / exp_range
decay between cycles (the NumPy references are in
tests/components/schedules_test.py)."""

import numpy as np
import pytest

from nnrecipes.schedules import CyclicalLearningRate


@pytest.mark.parametrize("kwargs, message", [
    ({"base_learning_rate": 0}, "Received: base_learning_rate=0"),
    ({"max_learning_rate": -1.0}, "Received: max_learning_rate=-1.0"),
    ({"base_learning_rate": 0.1, "max_learning_rate": 0.01},
     "Received: base_learning_rate=0.1, max_learning_rate=0.01"),
    ({"step_size": 0}, "Received: step_size=0"),
    ({"mode": "sine"}, r"\['triangular', .*Received: mode='sine'"),
    ({"gamma": 0.0}, "Received: gamma=0.0"),
    ({"gamma": True}, "Received: gamma=True"),
])
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {**dict(base_learning_rate=1e-3, max_learning_rate=1e-2, step_size=4), **kwargs}
    with pytest.raises(ValueError, match=message):
        CyclicalLearningRate(**arguments)


def test_the_peak_of_each_cycle_decays_in_the_decaying_modes():
    peaks = {}
    for mode in ("triangular", "triangular2"):
        schedule = CyclicalLearningRate(0.001, 0.009, step_size=4, mode=mode)
        peaks[mode] = [float(schedule(step)) for step in (4, 12, 20)]
    np.testing.assert_allclose(peaks["triangular"], [0.009] * 3, rtol=1e-5)
    # Each cycle's amplitude is half the one before.
    np.testing.assert_allclose(peaks["triangular2"], [0.009, 0.005, 0.003], rtol=1e-5)
