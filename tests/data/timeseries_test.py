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


def _seasonal(length, period, seed, noise=0.3, trend=0.01):
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return (np.sin(2 * np.pi * t / period) + trend * t + noise * rng.normal(size=length))


@pytest.mark.parametrize("period", [24, 12, 7])
def test_detect_season_finds_the_period_of_a_periodic_series(period):
    # hourly (a day), monthly (a year), daily (a week), each with a trend and noise
    assert timeseries.detect_season(_seasonal(40 * period, period, seed=period)) == period


def test_detect_season_finds_none_in_noise_or_a_random_walk():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        assert timeseries.detect_season(rng.normal(size=500)) is None
        assert timeseries.detect_season(np.cumsum(rng.normal(size=500))) is None
    assert timeseries.detect_season(np.ones(100)) is None
    assert timeseries.detect_season(np.arange(5.0)) is None
    with pytest.raises(ValueError, match="non-finite"):
        timeseries.detect_season(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="Received: max_period=-1"):
        timeseries.detect_season(np.ones(10), max_period=-1)


def test_splits_detect_the_season_on_the_training_period_only():
    # A daily season in the first 60% (training), a 10-step one after it.
    t = np.arange(2400)
    series = np.where(t < 1440, np.sin(2 * np.pi * t / 24), np.sin(2 * np.pi * t / 10))
    splits = timeseries.chronological_splits("s", series[:, None].astype("float32"),
                                             series.astype("float32"), window=30,
                                             season="detect")
    assert splits.info["season"] == 24
    assert splits.info["season_source"] == "detected on the training period"
    with pytest.raises(ValueError, match="Received: season=1"):
        timeseries.chronological_splits("s", series[:, None], series, window=3, season=1)


def _airline_model(length, season, seed):
    """y[t] = y[t-1] + y[t-s] - y[t-s-1] + noise (Box and Jenkins' airline
    model without its moving averages): the forecast needs lags s and s+1."""
    rng = np.random.default_rng(seed)
    y = list(rng.normal(size=season + 1) * 5)
    for _ in range(length - season - 1):
        y.append(y[-1] + y[-season] - y[-season - 1] + rng.normal())
    return np.asarray(y, "float32")


def test_the_window_reaches_one_season_back_when_validation_says_it_helps():
    series = _airline_model(600, 12, seed=1)
    splits = timeseries.chronological_splits("a", series[:, None], series, window=12,
                                             season=12, cover_season=True)
    assert splits.info["window"] == 13 and splits.x_train.shape[1] == 13
    assert splits.info["window_rule"].startswith("one season and a step (13 steps)")
    # Off by default: the window as asked.
    as_asked = timeseries.chronological_splits("a", series[:, None], series, window=12,
                                               season=12)
    assert as_asked.info["window"] == 12 and "window_rule" not in as_asked.info
    # A season that does not help (noise with a claimed season of 40) keeps the window.
    noise = RNG.normal(size=800).astype("float32")
    kept = timeseries.chronological_splits("n", noise[:, None], noise, window=5, season=40,
                                           cover_season=True)
    assert kept.info["window"] == 5
    assert kept.info["window_rule"].startswith("the window asked for: ridge AR validation RMSE")
    # A season too long for the periods is not tried.
    short = timeseries.chronological_splits("n", noise[:100, None], noise[:100], window=5,
                                            season=40, cover_season=True)
    assert short.info["window"] == 5 and "too long" in short.info["window_rule"]
