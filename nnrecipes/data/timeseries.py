"""Forecasting datasets: windows over a series, split chronologically.

The series is cut into train, validation and test periods *before* windows
are made, and each window lies inside one period: no window mixes periods,
so no validation or test value reaches a training input or target. Inputs
are left in their raw units; the normalization is fitted on the training
windows only, inside the model (`nnrecipes.data.preprocessing_for`).

Each `Splits` is of kind `"sequence"`: `x` has shape `(windows, window,
features)`, `y` shape `(windows, 1)` holds the target `horizon` steps after
each window's last step, and `info` records `window`, `horizon`,
`target_feature` (which input column is the target series) and `features`.
"""

import math
import os

import numpy as np

from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import data_file
from nnrecipes.data.catalog import malformed
from nnrecipes.data.catalog import register_dataset
from nnrecipes.data.tabular import MISSING
from nnrecipes.data.tabular import read_csv_rows


def make_windows(features, target, *, window, horizon=1, valid=None):
    """Cuts a series into (input window, future target) pairs.

    Window `i` holds rows `i .. i + window - 1` of `features`; its target is
    `target[i + window + horizon - 1]`.

    Args:
        features: array `(time, features)`.
        target: array `(time,)`, the series to forecast.
        window: input steps per example.
        horizon: how many steps ahead the target lies. Defaults to `1`.
        valid: optional boolean array `(time,)`; windows whose target is not
            valid (e.g. a missing reading) are dropped. Defaults to `None`.

    Returns:
        `(x, y)` with shapes `(n, window, features)` and `(n, 1)`.

    Example:
    >>> x, y = nnrecipes.data.timeseries.make_windows(
    ...     np.arange(10.0)[:, None], np.arange(10.0), window=3)
    >>> x.shape, y[0, 0]
    ((7, 3, 1), 3.0)
    """
    features = np.asarray(features, dtype="float32")
    target = np.asarray(target, dtype="float32")
    if features.ndim != 2 or len(features) != len(target):
        raise ValueError(
            "`features` must be (time, features) and `target` (time,), of equal length. "
            f"Received: features.shape={features.shape}, target.shape={target.shape}")
    for name, value in (("window", window), ("horizon", horizon)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    count = len(target) - window - horizon + 1
    if count < 1:
        raise ValueError(
            f"A series of {len(target)} steps is too short for window={window} and "
            f"horizon={horizon}: it needs at least {window + horizon} steps.")
    starts = np.arange(count)
    ends = starts + window + horizon - 1
    if valid is not None:
        keep = np.asarray(valid, dtype=bool)[ends]
        starts, ends = starts[keep], ends[keep]
    index = starts[:, None] + np.arange(window)[None, :]
    return features[index], target[ends][:, None]


# A season is the lag of the autocorrelation peak (of the series less its
# linear trend) that rises most above the lowest autocorrelation at shorter
# lags, when that rise is at least SEASON_PROMINENCE and the peak at least
# SEASON_STRENGTH. On the catalog's training parts the seasons found rise
# 0.75-1.10 (airline 12, sunspots 127, daily temperatures 351) with peaks
# 0.42-0.68; on 5 random walks and 5 white-noise series of 500 steps the
# highest peaks were 0.13 and 0.12, the highest rises 0.43 and 0.24
# (benchmarks/season_detection.py).
SEASON_PROMINENCE = 0.5
SEASON_STRENGTH = 0.3


def detect_season(series, *, max_period=None):
    """The season of a series (steps per cycle) read from its autocorrelation,
    or None when it has no clear one.

    The series' linear trend is removed first; then, of the local maxima of
    the autocorrelation at lags 2 to `max_period`, the one that rises most
    above the lowest autocorrelation at a shorter lag is the season, if it
    rises at least `SEASON_PROMINENCE` and is at least `SEASON_STRENGTH`.
    Call it on the training part only.

    Args:
        series: array `(time,)`; NaNs are not allowed.
        max_period: the longest season to look for. Defaults to `None`
            (a third of the series, so that three cycles are seen).

    Returns:
        An integer >= 2, or None.

    Example:
    >>> t = np.arange(480)
    >>> nnrecipes.data.timeseries.detect_season(np.sin(2 * np.pi * t / 24) + 0.01 * t)
    24
    """
    series = np.asarray(series, "float64").reshape(-1)
    if not np.all(np.isfinite(series)):
        raise ValueError("`series` must hold finite numbers only (fill or drop the missing "
                         f"ones first). Received: {int(np.sum(~np.isfinite(series)))} non-finite")
    longest = len(series) // 3 if max_period is None else max_period
    if isinstance(longest, bool) or not isinstance(longest, int) or longest < 0:
        raise ValueError(f"`max_period` must be a positive integer or None. "
                         f"Received: max_period={max_period!r}")
    longest = min(longest, len(series) - 2)
    if longest < 3:
        return None
    best, rise = None, SEASON_PROMINENCE
    for lag, peak, peak_rise in autocorrelation_peaks(series, longest):
        if peak >= SEASON_STRENGTH and peak_rise >= rise:
            best, rise = lag, peak_rise
    return best


def autocorrelation_peaks(series, max_lag):
    """The local maxima of the autocorrelation of `series` less its linear
    trend, at lags 2 to `max_lag - 1`: `(lag, autocorrelation, rise above the
    lowest autocorrelation at a shorter lag)` each (what `detect_season`
    reads; `benchmarks/season_detection.py` prints them)."""
    series = np.asarray(series, "float64").reshape(-1)
    steps = np.arange(len(series))
    rest = series - np.polyval(np.polyfit(steps, series, 1), steps)
    energy = rest @ rest
    if energy <= 0:
        return []
    acf = np.array([1.0] + [rest[:-k] @ rest[k:] / energy for k in range(1, max_lag + 1)])
    return [(lag, float(acf[lag]), float(acf[lag] - acf[1:lag].min()))
            for lag in range(2, max_lag)
            if acf[lag] > acf[lag - 1] and acf[lag] >= acf[lag + 1]]


def _ridge_val_errors(series, cut1, cut2, window, horizon, valid):
    """Squared errors of the ridge AR on `window` steps of `series`, per
    validation target (keyed by the target's time step)."""
    periods = [(0, cut1), (cut1, cut2)]
    (x, y), (x_val, y_val) = [
        make_windows(series[lo:hi, None], series[lo:hi], window=window, horizon=horizon,
                     valid=None if valid is None else valid[lo:hi]) for lo, hi in periods]
    w, b, _ = fit_ridge(x[:, :, 0], y, x_val[:, :, 0], y_val)
    ends = np.arange(cut1 + window + horizon - 1, cut2)
    if valid is not None:
        ends = ends[np.asarray(valid, bool)[ends]]
    return dict(zip(ends.tolist(), ((x_val[:, :, 0] @ w + b - y_val[:, 0]) ** 2).tolist()))


def season_window(target, window, season, *, horizon=1, cuts, valid=None):
    """The window a forecast of `target` uses: `window`, or, when a season
    is known and the window does not reach one season back, `season +
    horizon` steps (the value one season before the forecast step and the
    step before it: lags `season` and `season + 1` one step ahead), if the
    ridge autoregression on it has the lower validation RMSE on the same
    validation targets.

    On the catalog (`benchmarks/forecasting.py`) the longer window wins for
    the airline passengers (12 -> 13 months) and loses for the daily
    temperatures (30 -> 366 days) and the sunspots (36 -> 128 months): 366
    lags are too many for 2,190 training days.

    Args:
        target: array `(time,)`, the whole series (only the training and
            validation periods are read).
        window: the window asked for.
        season: steps per season, or None.
        horizon: steps ahead. Defaults to `1`.
        cuts: `(end of training, end of validation)` time steps.
        valid: optional boolean array `(time,)` of usable targets.

    Returns:
        `(window, reason)`: the window and why, in words.
    """
    longer = None if season is None else season + horizon
    cut1, cut2 = cuts
    if longer is None or longer <= window:
        return window, "the window asked for"
    if cut1 - longer - horizon + 1 < longer or cut2 - cut1 - longer - horizon + 1 < 10:
        # Fewer training windows than lags, or under 10 validation windows.
        return window, (f"the window asked for: one season ({longer} steps) is too long "
                        "for the training or validation period")
    series = np.nan_to_num(np.asarray(target, "float64"))
    short = _ridge_val_errors(series, cut1, cut2, window, horizon, valid)
    long = _ridge_val_errors(series, cut1, cut2, longer, horizon, valid)
    both = sorted(set(short) & set(long))
    short_rmse = math.sqrt(np.mean([short[t] for t in both]))
    long_rmse = math.sqrt(np.mean([long[t] for t in both]))
    figures = (f"ridge AR validation RMSE {long_rmse:.4g} on {longer} steps against "
               f"{short_rmse:.4g} on {window}")
    if long_rmse < short_rmse:
        return longer, f"one season and a step ({longer} steps): {figures}"
    return window, f"the window asked for: {figures}"


def chronological_splits(name, features, target, *, window, horizon=1,
                         fractions=(0.6, 0.2, 0.2), valid=None, feature_names=None,
                         target_feature=0, season=None, cover_season=False, source=""):
    """Splits a series into train/validation/test periods, then windows each.

    Args:
        name: the dataset's name.
        features: array `(time, features)`, raw units.
        target: array `(time,)`, the series to forecast.
        window: input steps per example.
        horizon: steps ahead of the target. Defaults to `1`.
        fractions: shares of time for train, validation and test, in that
            order. Defaults to `(0.6, 0.2, 0.2)`.
        valid: optional boolean array `(time,)` of usable targets.
        feature_names: the feature columns' names.
        target_feature: the column of `features` that holds the target
            series (for the persistence baseline). Defaults to `0`.
        season: steps per seasonal cycle (12 for monthly data with a yearly
            cycle), recorded in `info["season"]` for the seasonal naive
            baseline; `"detect"` reads it from the training period
            (`detect_season`). Defaults to `None` (no known season).
        cover_season: let the window reach one season back when the ridge
            autoregression says it helps on validation (`season_window`);
            `info["window_rule"]` says what was chosen and why. Defaults to
            `False` (the window as asked).
        source: where the data came from.

    Returns:
        A `Splits` of kind `"sequence"` for regression (`num_outputs=1`).
    """
    if len(fractions) != 3 or min(fractions) <= 0 or not math.isclose(sum(fractions), 1.0):
        raise ValueError(
            "`fractions` must be three positive shares (train, validation, test) "
            f"that sum to 1. Received: fractions={fractions!r}")
    total = len(target)
    cut1 = int(round(total * fractions[0]))
    cut2 = int(round(total * (fractions[0] + fractions[1])))
    found = season
    if season == "detect":
        train = forward_fill(target[:cut1])
        found = detect_season(train[~np.isnan(train)])
    elif season is not None and (isinstance(season, bool) or not isinstance(season, int)
                                 or season < 2):
        raise ValueError(f"`season` must be an integer >= 2, 'detect' or None. "
                         f"Received: season={season!r}")
    rule = None
    if cover_season:
        window, rule = season_window(target, window, found, horizon=horizon,
                                     cuts=(cut1, cut2), valid=valid)
    parts = []
    for lo, hi in ((0, cut1), (cut1, cut2), (cut2, total)):
        parts.append(make_windows(features[lo:hi], target[lo:hi], window=window,
                                  horizon=horizon,
                                  valid=None if valid is None else valid[lo:hi]))
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = parts
    info = {"window": window, "horizon": horizon, "target_feature": target_feature,
            "features": list(feature_names or [f"feature{i}" for i in
                                               range(np.shape(features)[1])]),
            "periods": {"train": [0, cut1], "validation": [cut1, cut2],
                        "test": [cut2, total]}}
    if found is not None:
        info["season"] = found
        info["season_source"] = "detected on the training period" if season == "detect" \
            else "given"
    if rule is not None:
        info["window_rule"] = rule
    return Splits(name, "sequence", x_train, y_train, x_val, y_val, x_test, y_test,
                  num_outputs=1, source=source, info=info)


def persistence_predictions(splits, part="test"):
    """The naive forecast: the target series' last value in each window.

    Example:
    ```python
    splits = nnrecipes.data.load("beijing_pm25", data_dir="../shared/data")
    baseline = nnrecipes.data.timeseries.persistence_rmse(splits)
    ```
    """
    if not splits.info or "target_feature" not in splits.info:
        raise ValueError(
            f"Dataset {splits.name!r} is not a forecasting dataset made by "
            "`chronological_splits` (its info has no 'target_feature').")
    x = getattr(splits, f"x_{part}")
    return x[:, -1, splits.info["target_feature"]][:, None]


def persistence_rmse(splits, part="test"):
    """Root mean squared error of the persistence forecast on one split."""
    y = getattr(splits, f"y_{part}")
    return float(np.sqrt(np.mean((persistence_predictions(splits, part) - y) ** 2)))


def _target_columns(splits, part, steps):
    if not splits.info or "target_feature" not in splits.info:
        raise ValueError(
            f"Dataset {splits.name!r} is not a forecasting dataset made by "
            "`chronological_splits` (its info has no 'target_feature').")
    x = np.asarray(getattr(splits, f"x_{part}"), dtype="float64")
    steps = x.shape[1] if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= x.shape[1]:
        raise ValueError(f"`steps` must be an integer in [1, {x.shape[1]}] (the window). "
                         f"Received: steps={steps!r}")
    return x[:, -steps:, splits.info["target_feature"]]


def seasonal_naive_predictions(splits, season, part="test"):
    """The seasonal naive forecast: the target's value one `season` before
    the forecast step, read from each window.

    Args:
        splits: windows made by `chronological_splits`.
        season: steps per season (e.g. 12 for monthly data, 24 for hourly);
            `season - horizon + 1` must not exceed the window.
        part: `"train"`, `"val"` or `"test"`. Defaults to `"test"`.

    Returns:
        Array `(windows, 1)`.

    Example:
    ```python
    splits = nnrecipes.data.load("airline_passengers", data_dir="../shared/data")
    same_month_last_year = nnrecipes.data.timeseries.seasonal_naive_predictions(splits, 12)
    ```
    """
    horizon = (splits.info or {}).get("horizon", 1)
    back = season - horizon + 1  # steps back from the window's end
    if isinstance(season, bool) or not isinstance(season, int) or back < 1:
        raise ValueError(f"`season` must be an integer >= the horizon ({horizon}). "
                         f"Received: season={season!r}")
    window = (splits.info or {}).get("window")
    if window is not None and back > window:
        raise ValueError(f"A season of {season} steps does not fit in the window of {window} "
                         f"steps (horizon {horizon}). Received: season={season}")
    return _target_columns(splits, part, back)[:, :1].astype("float32")


RIDGE_ALPHAS = tuple(10.0 ** k for k in range(-4, 5))


def fit_ridge(x, y, x_val, y_val, alphas=RIDGE_ALPHAS):
    """Least squares with an L2 penalty, the penalty chosen on validation data.

    The columns of `x` are standardized with their own statistics before the
    penalty applies; the intercept is not penalized.

    Args:
        x: array `(n, features)`; y: array `(n,)`.
        x_val, y_val: the validation data that picks the penalty.
        alphas: the penalties to try. Defaults to `RIDGE_ALPHAS` (1e-4..1e4).

    Returns:
        `(coefficients, intercept, alpha)`, in the units of `x` and `y`.

    Example:
    >>> x = np.arange(20.0).reshape(10, 2)
    >>> w, b, alpha = nnrecipes.data.timeseries.fit_ridge(x, x.sum(1), x, x.sum(1))
    """
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64").reshape(-1)
    x_val, y_val = np.asarray(x_val, "float64"), np.asarray(y_val, "float64").reshape(-1)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    z = (x - mean) / std
    y_mean = y.mean()
    gram, moment = z.T @ z, z.T @ (y - y_mean)
    z_val = (x_val - mean) / std
    best = None
    for alpha in alphas:
        w = np.linalg.solve(gram + alpha * np.eye(len(gram)), moment)
        error = np.mean((z_val @ w + y_mean - y_val) ** 2)
        if best is None or error < best[0]:
            best = (error, alpha, w)
    _, alpha, w = best
    coefficients = w / std
    return coefficients, float(y_mean - mean @ coefficients), alpha


def ridge_autoregression(splits, *, steps=None, alphas=RIDGE_ALPHAS):
    """A linear autoregression of the target on its own last `steps` values,
    fitted by ridge regression (`fit_ridge`) on the training windows, with
    the penalty chosen on the validation windows.

    The strong simple baseline a forecasting network must beat on the same
    windows.

    Args:
        splits: windows made by `chronological_splits`.
        steps: how many of each window's latest target values to regress on.
            Defaults to `None` (the whole window).
        alphas: the penalties to try. Defaults to `RIDGE_ALPHAS`.

    Returns:
        A dict: `predict(part)` -> array `(windows, 1)` for `"train"`,
        `"val"` or `"test"`; `alpha`, the chosen penalty; `coefficients`
        (raw units, oldest step first) and `intercept`.

    Example:
    ```python
    splits = nnrecipes.data.load("sunspots", data_dir="../shared/data")
    ridge = nnrecipes.data.timeseries.ridge_autoregression(splits)
    test_forecast = ridge["predict"]("test")
    ```
    """
    coefficients, intercept, alpha = fit_ridge(
        _target_columns(splits, "train", steps), splits.y_train,
        _target_columns(splits, "val", steps), splits.y_val, alphas)

    def predict(part="test"):
        return (_target_columns(splits, part, steps) @ coefficients + intercept)[:, None]

    return {"predict": predict, "alpha": alpha, "coefficients": coefficients,
            "intercept": intercept}


def forward_fill(values):
    """Replaces NaNs by the last earlier value (leading NaNs stay NaN)."""
    values = np.asarray(values, dtype="float32")
    index = np.where(np.isnan(values), 0, np.arange(len(values)))
    np.maximum.accumulate(index, out=index)
    return values[index]


# The catalog's series let the window reach one season back where the ridge
# autoregression says it helps on validation (`season_window`).
COVER_SEASON = True


def _univariate(name, data_dir, relative, window, column="value", season="detect"):
    path = data_file(data_dir, name, *relative)
    header, rows = read_csv_rows(path, name, skip_header=True, num_columns=2)
    values = []
    for number, row in enumerate(rows, start=2):
        try:
            values.append(float(row[1]))
        except ValueError:
            raise malformed(name, path, number, "'<date>,<number>'", ",".join(row)) from None
    series = np.asarray(values, dtype="float32")
    return chronological_splits(name, series[:, None], series, window=window,
                                feature_names=[header[1] or column], season=season,
                                cover_season=COVER_SEASON, source=path)


@register_dataset("daily_min_temperatures", "Melbourne daily minimum temperature, 3,650 days; "
                                            "next-day forecast from 30 days "
                                            "(DATA_DIR/timeseries/daily-min-temperatures.csv)")
def _daily_min_temperatures(data_dir, seed):
    return _univariate("daily_min_temperatures", data_dir,
                       ("timeseries", "daily-min-temperatures.csv"), window=30, season=365)


@register_dataset("sunspots", "Monthly sunspot numbers, 2,820 months; next-month forecast from "
                              "36 months (DATA_DIR/timeseries/monthly-sunspots.csv)")
def _sunspots(data_dir, seed):
    return _univariate("sunspots", data_dir, ("timeseries", "monthly-sunspots.csv"), window=36)


@register_dataset("airline_passengers", "Monthly airline passengers, 144 months; a tiny "
                                        "forecasting smoke test from 13 months (one season "
                                        "and a step) "
                                        "(DATA_DIR/timeseries/airline-passengers.csv)")
def _airline(data_dir, seed):
    return _univariate("airline_passengers", data_dir, ("timeseries", "airline-passengers.csv"),
                       window=12, season=12)


BEIJING_WINDS = ["NE", "NW", "SE", "cv"]
BEIJING_COLUMNS = ["No", "year", "month", "day", "hour", "pm2.5", "DEWP", "TEMP", "PRES",
                   "cbwd", "Iws", "Is", "Ir"]


@register_dataset("beijing_pm25", "UCI Beijing PM2.5, hourly 2010-2014; next-hour pm2.5 from "
                                  "24 hours of weather and pollution "
                                  "(DATA_DIR/timeseries/beijing_pm25/pollution.csv)")
def _beijing_pm25(data_dir, seed):
    name = "beijing_pm25"
    path = data_file(data_dir, name, "timeseries", "beijing_pm25", "pollution.csv")
    header, rows = read_csv_rows(path, name, skip_header=True)
    if header != BEIJING_COLUMNS:
        raise ValueError(
            f"Dataset {name!r}: {path!r} should have the header {','.join(BEIJING_COLUMNS)}. "
            f"Received: {','.join(header)}")
    numeric = ["hour", "pm2.5", "DEWP", "TEMP", "PRES", "Iws", "Is", "Ir", "month", "day"]
    table = {c: np.empty(len(rows), dtype="float32") for c in numeric}
    wind = np.zeros((len(rows), len(BEIJING_WINDS)), dtype="float32")
    for number, row in enumerate(rows, start=2):
        cells = dict(zip(header, row))
        try:
            for c in numeric:
                table[c][number - 2] = np.nan if cells[c] in MISSING else float(cells[c])
            wind[number - 2, BEIJING_WINDS.index(cells["cbwd"])] = 1.0
        except ValueError:
            raise malformed(name, path, number,
                            f"numbers (or NA) and a wind direction in {BEIJING_WINDS}",
                            ",".join(row)) from None
    pm = table["pm2.5"]
    observed = ~np.isnan(pm)
    filled = forward_fill(pm)
    start = int(np.argmax(observed))  # drop the leading hours with no reading yet
    day_of_year = (table["month"] - 1) * 30.5 + table["day"]
    features = np.column_stack([
        filled, table["DEWP"], table["TEMP"], table["PRES"], table["Iws"], table["Is"],
        table["Ir"], wind,
        np.sin(2 * np.pi * table["hour"] / 24), np.cos(2 * np.pi * table["hour"] / 24),
        np.sin(2 * np.pi * day_of_year / 366), np.cos(2 * np.pi * day_of_year / 366),
    ])[start:]
    names = (["pm2.5", "DEWP", "TEMP", "PRES", "Iws", "Is", "Ir"]
             + [f"wind_{w}" for w in BEIJING_WINDS]
             + ["hour_sin", "hour_cos", "season_sin", "season_cos"])
    if np.isnan(features).any():
        raise ValueError(f"Dataset {name!r}: {path!r} has missing weather readings, which "
                         "this loader does not fill.")
    # The target is the real reading only: hours where pm2.5 was missing are
    # never targets (their forward-filled value is used as an input only).
    return chronological_splits(name, features, filled[start:], window=24,
                                valid=observed[start:], feature_names=names,
                                target_feature=0, season=24, cover_season=COVER_SEASON,
                                source=os.path.abspath(path))
