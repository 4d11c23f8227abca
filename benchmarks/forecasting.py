"""The forecasting means of the recipes, each against simple baselines.

Every catalog series is forecast one step ahead by a recipe (the GRU by
default) with its default hyperparameters and one combination of the
forecasting means (`revin`, `residual_forecast`, `autoregressive`; see
`nnrecipes.families.common.forecast_output`), trained through the engine
with the package's default epochs and early stopping. Beside each, on the
same windows and split in the same run: persistence (the last value), the
seasonal naive forecast where the season fits in the window, and a ridge
autoregression on the window (`nnrecipes.data.timeseries.ridge_autoregression`,
penalty chosen on validation). Defaults are chosen on the validation RMSE;
the test RMSE is reported beside it.

A fifth entry, `airline_first_half`, trains on the first half of the
airline series only: its test period lies far above anything seen in training.

With `--before`, each series is also run as the package was before issue 24's
series defaults, in the same run: the window as the loader asks (no window
reaching one season back, `timeseries.COVER_SEASON = False`), the network's
head starting at random beside the ridge path
(`common.ZERO_HEAD_WITH_AUTOREGRESSIVE = False`) and the start no candidate
for the kept epoch (`engine.fit(keep_start=False)`); those
entries are named `<series> [before]`, with their own baselines on their own
windows.

Run: python benchmarks/forecasting.py [--series sunspots ...] [--seeds 0 1]
     [--epochs 20] [--recipe gru] [--results /tmp/forecasting.json] [--write]
     [--table-only] [--before]
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import nnrecipes  # noqa: E402
import results_file  # noqa: E402
from nnrecipes.data import timeseries  # noqa: E402

SERIES = ("daily_min_temperatures", "sunspots", "airline_passengers", "beijing_pm25")
# Steps per season, where one season fits in the window (the others' seasons
# -- a year of days, an 11-year sunspot cycle -- are longer than the window).
SEASONS = {"airline_passengers": 12, "beijing_pm25": 24}
MEANS = ("revin", "residual_forecast", "autoregressive")
CONFIGS = {
    "network only": {},
    "residual": {"residual_forecast": True},
    "autoregressive": {"autoregressive": True},
    "revin": {"revin": True},
    "residual + autoregressive": {"residual_forecast": True, "autoregressive": True},
    "revin + residual": {"revin": True, "residual_forecast": True},
    "revin + autoregressive": {"revin": True, "autoregressive": True},
    "all three": {"revin": True, "residual_forecast": True, "autoregressive": True},
}
BEGIN, END = "<!-- forecasting:begin -->", "<!-- forecasting:end -->"
# `--before --write` writes its side-by-side table here instead.
BEFORE_BEGIN, BEFORE_END = ("<!-- forecasting-before-after:begin -->",
                            "<!-- forecasting-before-after:end -->")
# A harder check of a trend that leaves the training range: the airline
# series with only its first half for training (a quarter each for
# validation and test), so the test period lies far above every training value.
TREND_CHECK = "airline_first_half"
SEASONS[TREND_CHECK] = 12


BEFORE = " [before]"


def load(name, data_dir, before=False):
    """The series' windows: with the package's rules, or `before` them (the
    window as asked)."""
    timeseries.COVER_SEASON = not before
    try:
        if name != TREND_CHECK:
            return nnrecipes.data.load(name, data_dir=data_dir)
        path = nnrecipes.data.catalog.data_file(
            nnrecipes.data.catalog.resolve_data_dir(data_dir), name, "timeseries",
            "airline-passengers.csv")
        series = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=1, dtype="float32")
        return timeseries.chronological_splits(name, series[:, None], series, window=12,
                                               fractions=(0.5, 0.25, 0.25), season=12,
                                               cover_season=not before, source=path)
    finally:
        timeseries.COVER_SEASON = True


def rmse(prediction, y):
    return float(np.sqrt(np.mean((np.asarray(prediction, "float64") - y) ** 2)))


def baselines(splits):
    """RMSE of each baseline on validation and test."""
    ridge = timeseries.ridge_autoregression(splits)
    found = {}
    for part in ("val", "test"):
        y = getattr(splits, f"y_{part}")
        found[f"persistence {part}"] = rmse(timeseries.persistence_predictions(splits, part), y)
        found[f"ridge AR {part}"] = rmse(ridge["predict"](part), y)
        season = SEASONS.get(splits.name)
        if season and season - splits.info["horizon"] + 1 <= splits.info["window"]:
            found[f"seasonal naive {part}"] = rmse(timeseries.seasonal_naive_predictions(
                splits, season, part), y)
    return found


def train_once(splits, recipe, config, *, epochs, seed, batch_size, keep_start=None):
    """Validation and test RMSE, seconds and the kept epoch (0: the start) of
    one run of `recipe` with the means in `config` switched on (the others
    off)."""
    values = {name: bool(config.get(name, False)) for name in MEANS}
    # Before issue 24 the network's head started at random beside the path.
    nnrecipes.families.common.ZERO_HEAD_WITH_AUTOREGRESSIVE = keep_start is not False
    try:
        model = nnrecipes.engine.build_model(nnrecipes.get_recipe(recipe), splits, values,
                                             seed=seed)
    finally:
        nnrecipes.families.common.ZERO_HEAD_WITH_AUTOREGRESSIVE = True
    start = time.perf_counter()
    fitted = nnrecipes.engine.fit(model, splits, epochs=epochs, batch_size=batch_size,
                                  seed=seed, keep_start=keep_start)
    seconds = time.perf_counter() - start
    found = {"seconds": seconds, "kept": fitted.early_stopping["kept_epoch"],
             "epochs run": fitted.early_stopping["epochs_run"]}
    for part in ("val", "test"):
        prediction = model.predict(getattr(splits, f"x_{part}"), batch_size=1024, verbose=0)
        found[part] = rmse(prediction, getattr(splits, f"y_{part}"))
    return found


def choice(results):
    """The configs run on every catalog series (not the trend check), by the
    geometric mean over those series
    of validation RMSE / ridge AR validation RMSE, best first."""
    catalog = [e for name, e in results.items()
               if not name.startswith(TREND_CHECK) and not name.endswith(BEFORE)]
    common = set.intersection(*(set(e["configs"]) for e in catalog))
    score = {label: float(np.exp(np.mean([
        np.log(e["configs"][label]["val"] / e["baselines"]["ridge AR val"])
        for e in catalog]))) for label in common}
    return sorted(score.items(), key=lambda item: item[1])


def table(results):
    """Markdown: per series, each config's RMSE as a ratio to ridge AR, and
    the configs ranked on validation."""
    ranked = choice(results)
    count = sum(1 for name in results
                if not name.startswith(TREND_CHECK) and not name.endswith(BEFORE))
    lines = [f"Chosen on validation (geometric mean over the {count} catalog series run of "
             f"val RMSE / ridge AR val RMSE; configs run on all {count}): "
             + ", ".join(f"{label} {score:.3f}" for label, score in ranked) + ". Made by "
             "`python benchmarks/forecasting.py --results FILE --write` (series and configs "
             "may be run in parts into one FILE).\n"]
    for name, entry in results.items():
        base = entry["baselines"]
        meta = entry["meta"]
        lines.append(f"**{name}** ({meta['recipe']}, {meta['epochs']} epochs max with early "
                     f"stopping, seeds {meta['seeds']}, window {meta['window']}; RMSE, and "
                     "its ratio to ridge AR on the same windows)\n")
        if entry.get("window_rule"):
            lines.append(f"Window: {entry['window_rule']}.\n")
        lines.append("| forecast | val RMSE | val / ridge | test RMSE | test / ridge | "
                     "test / persistence | kept epoch of run |")
        lines.append("|---|---:|---:|---:|---:|---:|---|")
        rv, rt = base["ridge AR val"], base["ridge AR test"]
        pt = base["persistence test"]
        rows = [(k, base[f"{k} val"], base[f"{k} test"], "")
                for k in ("persistence", "seasonal naive", "ridge AR") if f"{k} val" in base]
        rows += [(k, v["val"], v["test"], _kept(v)) for k, v in entry["configs"].items()]
        for label, val, test, kept in rows:
            lines.append(f"| {label} | {val:.4g} | {val / rv:.3f} | {test:.4g} | "
                         f"{test / rt:.3f} | {test / pt:.3f} | {kept} |")
        lines.append("")
    return "\n".join(lines).rstrip()


def _kept(found):
    if "kept" not in found:
        return ""
    kept = found["kept"]
    return (f"{'0 (the start)' if kept == 0 else f'{kept:g}'} of {found['epochs run']:g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", nargs="+", default=[*SERIES, TREND_CHECK])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--recipe", default="gru")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--results", default=None,
                        help="a JSON file that keeps the results across runs (merged)")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md's section")
    parser.add_argument("--table-only", action="store_true",
                        help="train nothing: print (and --write) the table of --results")
    parser.add_argument("--before", action="store_true",
                        help="also run each series as before issue 24 (see the docstring)")
    args = parser.parse_args()
    results = {}
    if args.results and os.path.exists(args.results):
        results = json.load(open(args.results))
    runs_to_do = [] if args.table_only else [
        (name, before) for name in args.series for before in ((False, True) if args.before
                                                             else (False,))]
    for name, before in runs_to_do:
        splits = load(name, args.data_dir, before)
        entry = results.setdefault(name + (BEFORE if before else ""), {"configs": {}})
        entry["baselines"] = baselines(splits)
        entry["meta"] = {"recipe": args.recipe, "epochs": args.epochs, "seeds": args.seeds,
                         "window": splits.info["window"]}
        entry["window_rule"] = splits.info.get("window_rule")
        for label in args.configs:
            runs = [train_once(splits, args.recipe, CONFIGS[label], epochs=args.epochs,
                               seed=s, batch_size=args.batch_size,
                               keep_start=False if before else None) for s in args.seeds]
            found = {k: statistics.mean(r[k] for r in runs) for k in runs[0]}
            entry["configs"][label] = found
            print(f"{name + (BEFORE if before else ''):24s} {label:28s} val {found['val']:.4g} test {found['test']:.4g} "
                  f"(ridge {entry['baselines']['ridge AR val']:.4g} / "
                  f"{entry['baselines']['ridge AR test']:.4g}) {found['seconds']:.0f}s, kept "
                  f"{_kept(found)}",
                  flush=True)
            if args.results:
                with open(args.results, "w") as f:
                    json.dump(results, f, indent=1)
    body = table(results)
    print(body)
    if args.write and args.before:
        body = ("Before and after issue 24's series defaults, in one run (`--before`): each "
                "`[before]` entry has the window as the loader asks it, a random head beside "
                "the ridge path and the start no candidate for the kept epoch; the others "
                "have the window rule (`nnrecipes.data.timeseries.season_window`), the head "
                "at zero (the start is the ridge AR) and the start as a candidate. "
                "Measured with `python benchmarks/forecasting.py --series airline_passengers "
                "sunspots daily_min_temperatures airline_first_half --configs autoregressive "
                "--before --results FILE`, then `--table-only --before --write` (2 CPU "
                "cores, shared).\n\n" + body)
        results_file.write_section(BEFORE_BEGIN, BEFORE_END, body,
                                   "Series defaults before and after (issue 24)")
    elif args.write:
        results_file.write_section(BEGIN, END, body, "Forecasting")


if __name__ == "__main__":
    main()
