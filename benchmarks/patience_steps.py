"""Early stopping's patience in epochs against patience in optimizer steps,
on the small tables, side by side in one run.

A table of a few hundred rows has a handful of batches an epoch, so a
patience of 5 epochs stops it after a few dozen optimizer steps. This
trains the `mlp` recipe with its defaults as `nnrecipes.train` would (the
engine's `fit`, the default epoch budget, best epoch kept) once with
`patience=5` (the old default) and once with `patience="auto"` (5 epochs or
`engine.PATIENCE_STEPS` steps, whichever is more), for each table and seed,
and prints validation and test scores (accuracy; RMSE for regression), the
epochs run and the wall time. The choice is made on the validation column.

Run: python benchmarks/patience_steps.py [--tables sonar ionosphere]
     [--seeds 0 1] [--patience 5 auto]
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SMALL_TABLES = ("wine", "sonar", "ionosphere", "breast_cancer", "pima_diabetes")


def run(splits, patience, seed):
    """Trains the mlp once; returns (validation, test, epochs run, seconds)."""
    import keras

    import nnrecipes
    from nnrecipes import engine

    recipe = nnrecipes.get_recipe("mlp")
    splits = nnrecipes.data.choose_view(splits, recipe)
    batch_size = engine.batch_size_for(splits)
    epochs = engine.default_epochs(len(splits.x_train), batch_size)
    values, _ = engine.run_hyperparameters(recipe, splits, {}, epochs=epochs,
                                           batch_size=batch_size)
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model = engine.build_model(recipe, splits, values, seed=seed)
    fitted = engine.fit(model, splits, epochs=epochs, batch_size=batch_size, seed=seed,
                        patience=patience)
    seconds = time.perf_counter() - start
    key = "accuracy" if engine.task_of(splits) == "classification" else "rmse"
    scores = [engine.evaluate(model, splits, part=p, batch_size=256)[key]
              for p in ("val", "test")]
    return scores[0], scores[1], len(fitted.history.epoch), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(SMALL_TABLES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--patience", nargs="+", default=["5", "auto"])
    parser.add_argument("--data-dir", default=os.environ.get("NNRECIPES_DATA_DIR"))
    args = parser.parse_args()
    import nnrecipes

    settings = [p if p == "auto" else int(p) for p in args.patience]
    print("| table | seed | steps/epoch | " + " | ".join(
        f"patience={p}: val / test, epochs, s" for p in settings) + " |")
    means = {p: [] for p in settings}
    for table in args.tables:
        for seed in args.seeds:
            splits = nnrecipes.data.load(table, data_dir=args.data_dir, seed=seed)
            steps = -(-len(splits.x_train) // nnrecipes.engine.batch_size_for(splits))
            cells = []
            for patience in settings:
                val, test, epochs, seconds = run(splits, patience, seed)
                means[patience].append(val)
                cells.append(f"{val:.3f} / {test:.3f}, {epochs}, {seconds:.1f}")
            print(f"| {table} | {seed} | {steps} | " + " | ".join(cells) + " |", flush=True)
    print("mean validation score: " + ", ".join(
        f"patience={p}: {statistics.mean(v):.4f}" for p, v in means.items()))


if __name__ == "__main__":
    main()
