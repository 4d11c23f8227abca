"""Random search against Hyperband on the same recipe, data and budget.

Hyperband runs first; the epochs it trained in all (each trial's epochs
minus the ones it inherited from its parent) set the budget, and random
search then gets as many full-length trials as fit in the same number of
epochs. Both search the same narrowed space of the `mlp` recipe on a real
dataset, with the same seed; the best validation score and the wall time
are printed side by side, and written as JSON with `--out`.

    python benchmarks/tuners.py --dataset digits --max-epochs 9
    python benchmarks/tuners.py --dataset fashion_mnist --data-dir ../shared/data
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import nnrecipes  # noqa: E402

SPACE = {"units": [32, 64, 128, 256, 512], "num_layers": [1, 2, 3],
         "dropout": (0.0, 0.5), "learning_rate": (1e-4, 1e-2),
         "activation": ["relu", "gelu", "tanh"]}


def epochs_trained(result):
    """Epochs actually trained by a search: continued trials count only
    their new epochs."""
    total = 0
    for trial in result.tuner.oracle.trials.values():
        values = trial.hyperparameters.values
        epochs = values.get("tuner/epochs", result.settings["epochs"])
        total += epochs - values.get("tuner/initial_epoch", 0)
    return total


def run(tuner, args, directory, **kwargs):
    start = time.perf_counter()
    result = nnrecipes.tune("mlp", args.dataset, data_dir=args.data_dir, tuner=tuner,
                            objective="val_accuracy", space=SPACE, tune_all=False,
                            batch_size=args.batch_size, seed=args.seed, directory=directory,
                            project_name=tuner, overwrite=True, **kwargs)
    seconds = time.perf_counter() - start
    best = result.best_trial
    return {"tuner": tuner, "best_val_accuracy": best["score"], "wall_seconds": round(seconds, 1),
            "trials": len(result.trials), "epochs_trained": epochs_trained(result),
            "best_trial": best["trial_id"], "best_epochs": best["epochs"],
            "best_hyperparameters": {k: best["hyperparameters"][k] for k in SPACE}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--max-epochs", type=int, default=9,
                        help="Hyperband's max epochs, and each random trial's epochs")
    parser.add_argument("--factor", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        hyperband = run("hyperband", args, directory, max_epochs=args.max_epochs,
                        epochs=args.max_epochs, hyperband_factor=args.factor)
        trials = max(1, math.floor(hyperband["epochs_trained"] / args.max_epochs))
        random = run("random", args, directory, epochs=args.max_epochs, max_trials=trials)
    rows = [hyperband, random]
    print(f"\nmlp on {args.dataset}, budget {hyperband['epochs_trained']} epochs "
          f"(random: {trials} trials x {args.max_epochs} epochs), seed {args.seed}")
    print(f"{'tuner':10s} {'best val_accuracy':>18s} {'wall s':>8s} {'trials':>7s} "
          f"{'epochs':>7s}")
    for r in rows:
        print(f"{r['tuner']:10s} {r['best_val_accuracy']:18.4f} {r['wall_seconds']:8.1f} "
              f"{r['trials']:7d} {r['epochs_trained']:7d}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"dataset": args.dataset, "max_epochs": args.max_epochs,
                       "seed": args.seed, "results": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
