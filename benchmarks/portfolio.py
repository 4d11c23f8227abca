"""Greedy portfolio selection over validation scores: the lists of `auto`.

For each catalog dataset of a kind, this trains every configuration of that
kind's pool (`nnrecipes.families.portfolio.POOL`) as `auto`'s portfolio
does (one `engine.Run` each, early stopping on validation, the best epoch
kept), records its validation error (1 - accuracy, or RMSE) and seconds,
and the classical baselines' validation scores beside them (same splits,
same run). Then, as AutoGluon's and TabRepo's portfolio selection does, it
starts from the linear candidate and adds, one at a time, the
configuration that most lowers the mean over datasets of the portfolio's
best normalized validation error (0: the pool's best on that dataset, 1:
its worst), stopping when none lowers it or at `--size`. It prints each
dataset's table, the chosen list (ordered by mean seconds, fastest first)
and the mean normalized error after each step. Choices use validation only;
test scores are not computed.

Run: python benchmarks/portfolio.py --kind tabular
         [--datasets banknote wine] [--epochs 20] [--size 4] [--max-train 2000]
"""

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

DATASETS = {"tabular": ["banknote", "breast_cancer", "pima_diabetes", "wine",
                        "wine_quality_red"],
            "text": ["sms_spam", "sst2", "trec"],
            "series": ["airline_passengers", "sunspots", "daily_min_temperatures"],
            "image": ["digits"]}


def measure(name, kind, epochs, max_train, seed=0):
    """{candidate name: (validation error, seconds)} and the baselines' validation
    scores on dataset `name`."""
    import numpy as np

    import nnrecipes
    from nnrecipes.engine import portfolio
    from nnrecipes.families.portfolio import POOL

    splits = nnrecipes.data.load(name, seed=seed)
    if max_train and len(splits.x_train) > max_train:
        pick = np.random.default_rng(seed).permutation(len(splits.x_train))[:max_train]
        if "window" in (splits.info or {}):
            pick = np.arange(len(splits.x_train))[-max_train:]  # the latest windows
        splits = dataclasses.replace(splits, x_train=splits.x_train[pick],
                                     y_train=splits.y_train[pick])
    row = "series" if kind == "series" else kind
    options = portfolio.Options(model_dir=tempfile.mkdtemp(prefix="portfolio-bench-"),
                                epochs=epochs, seed=seed, diagnostics=False)
    scores = {}
    for candidate in POOL[row]:
        scored = portfolio.train_on_validation(candidate, splits, options, float("inf"))
        scores[candidate.name] = (scored.error, scored.seconds)
        print(f"  {name:24s} {candidate.name:14s} "
              f"{portfolio.score_text(splits, scored.error)}  {scored.seconds:7.1f} s",
              flush=True)
    baselines = nnrecipes.baselines.classical(splits, part="val", seed=seed)
    for result in baselines:
        print(f"  {name:24s} {'(' + result['name'] + ')':40s} validation "
              f"{result['metric']} {result['val_score']:.4g}", flush=True)
    return scores, [{"name": r["name"], "metric": r["metric"], "val_score": r["val_score"]}
                    for r in baselines]


def normalized(scores):
    """{dataset: {candidate: error scaled to 0 (best) .. 1 (worst) on that dataset}}."""
    out = {}
    for dataset, row in scores.items():
        errors = {c: e for c, (e, _) in row.items()}
        low, high = min(errors.values()), max(errors.values())
        out[dataset] = {c: 0.0 if high == low else (e - low) / (high - low)
                        for c, e in errors.items()}
    return out


def greedy(scores, first="linear", size=4):
    """The greedy portfolio: `first`, then the member that most lowers the mean
    best normalized error; returns [(member, mean error after adding it)]."""
    norm = normalized(scores)
    names = list(next(iter(scores.values())))

    def loss(members):
        return sum(min(row[m] for m in members) for row in norm.values()) / len(norm)

    chosen = [(first, loss([first]))]
    while len(chosen) < size:
        members = [m for m, _ in chosen]
        options = [(loss(members + [c]), c) for c in names if c not in members]
        if not options:
            break
        value, best = min(options)
        if value >= chosen[-1][1]:
            break
        chosen.append((best, value))
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=sorted(DATASETS), default="tabular")
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--size", type=int, default=4)
    parser.add_argument("--max-train", type=int, default=0,
                        help="cap the training examples (0: all); validation stays whole")
    parser.add_argument("--json", default=None, help="also write the scores here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    scores, baselines = {}, {}
    for name in args.datasets or DATASETS[args.kind]:
        scores[name], baselines[name] = measure(name, args.kind, args.epochs, args.max_train)
    chosen = greedy(scores, size=args.size)
    seconds = {c: sum(row[c][1] for row in scores.values()) / len(scores) for c, _ in chosen}
    print("\nGreedy selection (mean best normalized validation error after each step):")
    for member, value in chosen:
        print(f"  + {member:14s} {value:.3f}   mean {seconds[member]:.1f} s")
    order = sorted(seconds, key=seconds.get)
    print(f"\nPortfolio ({args.kind}), fastest first: {tuple(order)}")
    print(f"Total {time.perf_counter() - start:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"scores": scores, "baselines": baselines, "chosen": chosen,
                       "order": order, "epochs": args.epochs}, f, indent=1)
    return chosen


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
