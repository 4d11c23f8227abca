"""Schedules: NumPy references at step 0, mid-warmup, the peak and the end;
the by-name factory the recipes use."""

import math

import numpy as np
import pytest

import keras

import nnrecipes
from nnrecipes import schedules


def values(schedule, steps):
    return np.array([float(schedule(s)) for s in steps])


def np_one_cycle(step, peak, total, fraction, div, final_div, anneal):
    def curve(start, end, t):
        if anneal == "cos":
            return end + (start - end) * (1 + math.cos(math.pi * t)) / 2
        return start + (end - start) * t
    initial = peak / div
    warm = fraction * total
    if step < warm:
        return curve(initial, peak, step / warm)
    return curve(peak, initial / final_div, min(1.0, (step - warm) / (total - warm)))


@pytest.mark.parametrize("anneal", ["cos", "linear"])
def test_one_cycle_matches_numpy(anneal):
    schedule = schedules.OneCycle(0.1, 200, warmup_fraction=0.25, div_factor=10,
                                  final_div_factor=100, anneal=anneal)
    steps = [0, 25, 50, 120, 200, 300]  # start, mid-warmup, peak, decay, end, after
    expected = [np_one_cycle(s, 0.1, 200, 0.25, 10, 100, anneal) for s in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=1e-5, atol=1e-9)
    assert values(schedule, [0])[0] == pytest.approx(0.01)
    assert values(schedule, [50])[0] == pytest.approx(0.1)
    assert values(schedule, [200])[0] == pytest.approx(1e-4)


def np_clr(step, base, peak, size, mode, gamma):
    cycle = math.floor(1 + step / (2 * size))
    x = abs(step / size - 2 * cycle + 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1),
             "exp_range": gamma ** step}[mode]
    return base + (peak - base) * max(0.0, 1 - x) * scale


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclical_matches_numpy(mode):
    schedule = schedules.CyclicalLearningRate(0.001, 0.006, 10, mode=mode, gamma=0.99)
    steps = [0, 5, 10, 15, 20, 30, 47, 100]
    expected = [np_clr(s, 0.001, 0.006, 10, mode, 0.99) for s in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=1e-5)
    if mode == "triangular":
        assert values(schedule, [10, 30])[1] == pytest.approx(0.006)
    if mode == "triangular2":  # the second peak is half as high
        assert values(schedule, [30])[0] == pytest.approx(0.001 + 0.005 / 2)


def test_linear_warmup_matches_numpy_around_any_schedule():
    decay = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.5)
    schedule = schedules.LinearWarmup(decay, warmup_steps=20, initial_learning_rate=0.001)
    steps = [0, 10, 20, 30, 60]
    expected = [0.001 + (0.01 - 0.001) * s / 20 if s < 20 else 0.01 * 0.5 ** ((s - 20) / 10)
                for s in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=1e-5)
    constant = schedules.LinearWarmup(0.02, warmup_steps=4)
    np.testing.assert_allclose(values(constant, [0, 2, 4, 9]), [0, 0.01, 0.02, 0.02], rtol=1e-6)


def test_inverse_square_root_matches_numpy_and_vaswani():
    schedule = schedules.InverseSquareRoot(0.002, warmup_steps=100)
    steps = [0, 50, 100, 400, 10000]
    expected = [0.002 * min(s / 100, math.sqrt(100 / max(s, 1))) for s in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=1e-5)
    d_model, warmup = 512, 4000
    vaswani = schedules.InverseSquareRoot((d_model * warmup) ** -0.5, warmup)
    for s in (1, 2000, 4000, 20000):
        paper = d_model ** -0.5 * min(s ** -0.5, s * warmup ** -1.5)
        assert float(vaswani(s)) == pytest.approx(paper, rel=1e-5)


@pytest.mark.parametrize("name", schedules.SCHEDULE_NAMES)
def test_make_schedule_by_name(name):
    lr = schedules.make_schedule(name, 0.01, decay_steps=100, warmup_steps=10)
    curve = values(lr, [0, 10, 50, 99])
    assert np.all(curve >= 0) and np.all(curve <= 0.01 + 1e-9)
    if name in ("constant", "cosine", "one_cycle", "inverse_sqrt"):
        assert curve[1] == pytest.approx(0.01)  # the peak, at the end of warmup
    if name != "constant":
        assert curve[3] < 0.01


def test_make_schedule_rejects_bad_names_and_lengths():
    with pytest.raises(ValueError, match="Received: name='cosinus'"):
        schedules.make_schedule("cosinus", 0.01)
    with pytest.raises(ValueError, match="warmup_steps=200"):
        schedules.make_schedule("cosine", 0.01, decay_steps=100, warmup_steps=200)


def test_recipes_take_a_schedule_by_name():
    model = nnrecipes.build("mlp", input_shape=(4,), num_classes=2, lr_schedule="one_cycle",
                            decay_steps=50, warmup_steps=5, learning_rate=0.02)
    config = model.optimizer.get_config()["learning_rate"]
    schedule = keras.optimizers.schedules.deserialize(config)
    assert isinstance(schedule, schedules.OneCycle)
    assert float(schedule(5)) == pytest.approx(0.02)
    default = nnrecipes.build("mlp", input_shape=(4,), num_classes=2)
    assert isinstance(default.optimizer.get_config()["learning_rate"], float)


def test_cosine_with_warmup_rises_linearly_then_follows_the_cosine():
    peak, total, warmup = 0.02, 110, 10
    lr = schedules.make_schedule("cosine", peak, decay_steps=total, warmup_steps=warmup)
    steps = [0, 5, 10, 35, 60, 110]

    def np_lr(s):
        if s < warmup:
            return peak * s / warmup
        return peak * 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))

    np.testing.assert_allclose(values(lr, steps), [np_lr(s) for s in steps], rtol=1e-5,
                               atol=1e-9)
