"""The default search space on digits: can a short search land near chance?

A default 2-trial, 2-epoch random search of the `mlp` recipe on digits (no
`space` given: every knob that applies to images and that tuning searches
by default, over its default search range), then a refit on train +
validation, for each seed. Printed per seed: the best trial's validation
accuracy and the refit's test accuracy, beside the majority-class baseline
of the test split (the fraction of its most frequent class).

    python benchmarks/tuning_defaults.py --seeds 0 1 2 3 4
"""

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import nnrecipes  # noqa: E402


def run(seed, dataset, max_trials, epochs):
    """One seed's search and refit; returns a dict of its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = nnrecipes.tune("mlp", dataset, tuner="random", max_trials=max_trials,
                                epochs=epochs, seed=seed, directory=tmp, overwrite=True)
        best = result.best_trial
        refit = result.refit(export=False)
        y_test = result.splits.y_test
        majority = float(np.bincount(np.asarray(y_test).astype(int)).max() / len(y_test))
        return {"seed": seed, "best_val_accuracy": best["metrics"].get("val_accuracy"),
                "test_accuracy": refit.test_metrics.get("accuracy"), "majority": majority,
                "varying": sorted(best["hyperparameters"]),
                "seconds": time.perf_counter() - start}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--max-trials", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    print(f"mlp on {args.dataset}: default random search, {args.max_trials} trials of "
          f"{args.epochs} epochs, then refit")
    print(f"{'seed':>4} {'best val acc':>12} {'refit test acc':>14} {'majority':>8} "
          f"{'seconds':>7}")
    rows = [run(seed, args.dataset, args.max_trials, args.epochs) for seed in args.seeds]
    for row in rows:
        print(f"{row['seed']:>4} {row['best_val_accuracy']:>12.3f} "
              f"{row['test_accuracy']:>14.3f} {row['majority']:>8.3f} "
              f"{row['seconds']:>7.1f}")
    print("knobs the best trial holds:", ", ".join(rows[0]["varying"]))
    tests = [r["test_accuracy"] for r in rows]
    print(f"refit test accuracy: min {min(tests):.3f}, mean {np.mean(tests):.3f}")


if __name__ == "__main__":
    main()
