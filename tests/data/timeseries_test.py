"""Forecasting baselines on windows of a series: persistence, seasonal
naive and the ridge autoregression."""

import numpy as np
import pytest

from nnrecipes.data import timeseries

RNG = np.random.default_rng(5)


def _splits(series, window=6, features=None, target_feature=0):
    features = series[:, None] if features is None else features
    return timeseries.chronological_splits("s", features, series, window=window,
                                           target_feature=target_feature)


def test_ridge_autoregression_recovers_a_linear_recurrence():
    # x[t] = 0.6 x[t-1] - 0.3 x[t-2] + 2 + noise
    x = np.zeros(600)
    for t in range(2, 600):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + 2.0 + RNG.normal(scale=0.1)
    ridge = timeseries.ridge_autoregression(_splits(x.astype("float32")), steps=2)
    np.testing.assert_allclose(ridge["coefficients"], [-0.3, 0.6], atol=0.05)
    assert abs(ridge["intercept"] - 2.0) < 0.3
    assert ridge["alpha"] in timeseries.RIDGE_ALPHAS


def test_ridge_autoregression_reads_the_target_channel_and_beats_persistence():
    t = np.arange(400, dtype="float32")
    series = np.sin(t / 3.0) * 10 + 50
    features = np.column_stack([RNG.normal(size=400), series]).astype("float32")
    splits = _splits(series, features=features, target_feature=1)
    ridge = timeseries.ridge_autoregression(splits)
    error = np.sqrt(np.mean((ridge["predict"]("test") - splits.y_test) ** 2))
    assert ridge["predict"]("test").shape == splits.y_test.shape
    assert error < 0.01 * timeseries.persistence_rmse(splits)


def test_fit_ridge_picks_the_penalty_on_validation():
    x = RNG.normal(size=(30, 20))
    y = x[:, 0] + RNG.normal(scale=2.0, size=30)  # 20 columns, mostly noise
    x_val = RNG.normal(size=(200, 20))
    y_val = x_val[:, 0]
    _, _, alpha = timeseries.fit_ridge(x, y, x_val, y_val)
    assert alpha > 1e-4
    _, _, only = timeseries.fit_ridge(x, y, x_val, y_val, alphas=[1e-4])
    assert only == 1e-4


def test_seasonal_naive_reads_one_season_back():
    series = np.arange(100, dtype="float32")
    splits = _splits(series, window=12)
    forecast = timeseries.seasonal_naive_predictions(splits, 12, "val")
    np.testing.assert_array_equal(forecast, splits.y_val - 12)
    with pytest.raises(ValueError, match="season=0"):
        timeseries.seasonal_naive_predictions(splits, 0)
    with pytest.raises(ValueError, match="season=13"):
        timeseries.seasonal_naive_predictions(splits, 13)


def test_baselines_need_a_forecasting_dataset():
    from nnrecipes.data import from_arrays

    splits = from_arrays(RNG.normal(size=(50, 3)), RNG.normal(size=50))
    with pytest.raises(ValueError, match="target_feature"):
        timeseries.ridge_autoregression(splits)
