"""The figures behind `nnrecipes.data.timeseries.detect_season`'s thresholds.

For the training period (the first 60%) of each catalog univariate series,
and for 5 random walks and 5 white-noise series of 500 steps (seeds 0-4),
prints the autocorrelation peak that rises most (`autocorrelation_peaks`:
lag, peak, rise) and the season `detect_season` reads. A season needs a rise
of at least `SEASON_PROMINENCE` and a peak of at least `SEASON_STRENGTH`.

Run: python benchmarks/season_detection.py [--data-dir D]
"""

import argparse
import os

import numpy as np

from nnrecipes.data import catalog
from nnrecipes.data import timeseries

FILES = {"daily_min_temperatures": "daily-min-temperatures.csv",
         "sunspots": "monthly-sunspots.csv", "airline_passengers": "airline-passengers.csv"}


def row(name, series):
    series = np.asarray(series, "float64")
    peaks = timeseries.autocorrelation_peaks(series, len(series) // 3)
    lag, peak, rise = max(peaks, key=lambda p: p[2]) if peaks else (None, 0.0, 0.0)
    found = timeseries.detect_season(series)
    print(f"{name:28s} highest rise: lag {lag}, peak {peak:.3f}, rise {rise:.3f}; "
          f"highest peak {max((p[1] for p in peaks), default=0.0):.3f}; season {found}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    folder = catalog.resolve_data_dir(args.data_dir)
    print(f"thresholds: rise >= {timeseries.SEASON_PROMINENCE}, "
          f"peak >= {timeseries.SEASON_STRENGTH}")
    for name, file in FILES.items():
        values = np.genfromtxt(os.path.join(folder, "timeseries", file), delimiter=",",
                               skip_header=1, usecols=1)
        row(f"{name} (training 60%)", values[:int(round(len(values) * 0.6))])
    for seed in range(5):
        rng = np.random.default_rng(seed)
        row(f"random walk, seed {seed}", np.cumsum(rng.normal(size=500)))
        row(f"white noise, seed {seed}", rng.normal(size=500))


if __name__ == "__main__":
    main()
