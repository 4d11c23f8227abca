"""TabM beside the MLP recipe and histogram gradient boosting, same splits, one run.

For each table (seed 0 split), this trains the `tabm` recipe and the `mlp`
recipe as `nnrecipes.train` would (the engine's `fit`: early stopping on
the validation loss, best epoch kept) and scikit-learn's histogram gradient
boosting and logistic regression / ridge (`benchmarks/tabular.py`'s
`baselines`), and prints each one's validation and test score (accuracy, or
RMSE for regression: lower is better) and wall time in seconds.

Run: python benchmarks/tabm.py [--tables banknote wine_quality_white]
     [--epochs 30] [--tabm k=32 units=512]
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tabular  # noqa: E402  (benchmarks/tabular.py: tables, loading, baselines)


def run_recipe(name, splits, values, epochs, batch_size, seed=0):
    """Trains recipe `name` once; returns (validation, test, seconds, epochs run)."""
    import keras

    import nnrecipes
    from nnrecipes import engine

    task = engine.task_of(splits)
    recipe = nnrecipes.get_recipe(name)
    splits = nnrecipes.data.choose_view(splits, recipe)
    if epochs is None:
        epochs = engine.default_epochs(len(splits.x_train), batch_size)
    hyperparameters, _ = engine.run_hyperparameters(recipe, splits, dict(values),
                                                    epochs=epochs, batch_size=batch_size)
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model = engine.build_model(recipe, splits, hyperparameters, seed=seed)
    fitted = engine.fit(model, splits, epochs=epochs, batch_size=batch_size, seed=seed)
    seconds = time.perf_counter() - start
    key = "accuracy" if task == "classification" else "rmse"
    scores = [engine.evaluate(model, splits, part=p, batch_size=256)[key]
              for p in ("val", "test")]
    return scores[0], scores[1], seconds, len(fitted.history.epoch)


def _values(pairs):
    out = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        for cast in (int, float):
            try:
                value = cast(value)
                break
            except ValueError:
                pass
        out[key] = value
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(tabular.TABLES))
    parser.add_argument("--epochs", type=int, default=None,
                        help="epoch cap (default: the engine's step budget)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--tabm", nargs="*", default=[],
                        help="tabm overrides as key=value (default: the recipe's)")
    parser.add_argument("--data-dir", default=os.environ.get("NNRECIPES_DATA_DIR"))
    args = parser.parse_args()
    tabm_values = _values(args.tabm)
    print(f"tabm overrides: {tabm_values or 'none (recipe defaults)'}; "
          f"epochs: {args.epochs or 'engine default'}; batch {args.batch_size}")
    print(f"{'table':<20} {'model':<10} {'val':>8} {'test':>8} {'seconds':>8} {'epochs':>6}")
    for table in args.tables:
        splits = tabular.load(table, 0, args.data_dir)
        start = time.perf_counter()
        base = tabular.baselines(splits)
        base_seconds = time.perf_counter() - start
        for name, (val, test) in base.items():
            print(f"{table:<20} {name:<10} {val:8.4f} {test:8.4f} {base_seconds:8.1f} "
                  f"{'':>6}", flush=True)
        for name, values in (("mlp", {}), ("tabm", tabm_values)):
            val, test, seconds, ran = run_recipe(name, splits, values, args.epochs,
                                                 args.batch_size)
            print(f"{table:<20} {name:<10} {val:8.4f} {test:8.4f} {seconds:8.1f} {ran:6d}",
                  flush=True)


if __name__ == "__main__":
    main()
