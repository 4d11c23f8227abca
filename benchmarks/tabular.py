"""The MLP recipe on every catalog table, beside logistic regression and
histogram gradient boosting on the same split in the same run.

For each table and each candidate configuration of the MLP (numeric scaling,
periodic embeddings, RealMLP-like settings, the epoch cap), the recipe trains
as `nnrecipes.train` would (the engine's `fit`: by default the epochs of
`nnrecipes.engine.default_epochs`, batch 64, early stopping on the
validation loss, best epoch kept), and is scored on the
validation split (where choices are made) and the test split. Baselines:
scikit-learn's `LogisticRegression` (one-hot categories, standardized
numbers) / `Ridge` for regression, and `HistGradientBoostingClassifier` /
`Regressor` (native categories), both with their defaults. Tables under
1,000 rows are run with 3 seeds (the seed moves the train/validation split
and the initial weights; the test split is fixed) and the mean is shown.
Accuracy for classification, RMSE for regression (lower is better).

The configuration with the best mean validation gap to gradient boosting
over the tables is marked; that choice, made on validation, sets the MLP
recipe's defaults for tables.

Run: python benchmarks/tabular.py [--tables adult sonar] [--configs default quantile]
     [--jobs 4] [--write]
"""

import argparse
import concurrent.futures
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

TABLES = ("adult", "breast_cancer", "wine", "pima_diabetes", "sonar", "ionosphere",
          "banknote", "wine_quality_red", "wine_quality_white")

REALMLP = {"num_layers": 3, "units": 256, "activation": "silu", "dropout": 0.15,
           "lr_schedule": "cosine", "weight_decay": 0.05}
# Hyperparameters of each candidate; "recipe" is whatever the recipe's
# defaults are at the time of the run.
CONFIGS = {
    "recipe": {},
    # The MLP recipe's defaults before the table knobs existed.
    "old_defaults": {"numeric_scaling": "standard", "numeric_embedding": "none",
                     "num_layers": 2, "units": 256, "activation": "relu", "dropout": 0.2},
    "quantile": {"numeric_scaling": "quantile", "numeric_embedding": "none"},
    "robust": {"numeric_scaling": "robust", "numeric_embedding": "none"},
    "quantile+periodic": {"numeric_scaling": "quantile", "numeric_embedding": "periodic"},
    "realmlp+robust": dict(REALMLP, numeric_scaling="robust", numeric_embedding="none"),
    "realmlp+quantile": dict(REALMLP, numeric_scaling="quantile", numeric_embedding="none"),
    "realmlp+quantile+periodic": dict(REALMLP, numeric_scaling="quantile",
                                      numeric_embedding="periodic"),
    "realmlp+robust+periodic": dict(REALMLP, numeric_scaling="robust",
                                    numeric_embedding="periodic"),
    # The training budget: the old defaults at the old cap of 20 epochs, and
    # models with a cap of 200 epochs (early stopping ends most runs sooner).
    "old_defaults@20": {"numeric_scaling": "standard", "numeric_embedding": "none",
                        "num_layers": 2, "units": 256, "activation": "relu",
                        "dropout": 0.2, "epochs": 20},
    "old_defaults@200": {"numeric_scaling": "standard", "numeric_embedding": "none",
                         "num_layers": 2, "units": 256, "activation": "relu",
                         "dropout": 0.2, "epochs": 200},
    "quantile@200": {"numeric_scaling": "quantile", "numeric_embedding": "none",
                     "epochs": 200},
    "quantile+periodic@200": {"numeric_scaling": "quantile", "numeric_embedding": "periodic",
                              "epochs": 200},
    "realmlp+quantile@200": dict(REALMLP, numeric_scaling="quantile",
                                 numeric_embedding="none", epochs=200),
    # General changes of the recipe's defaults, at the default budget.
    "ema": {"ema": True},
    "ema@200": {"ema": True, "epochs": 200},
    "ema_0.99": {"ema": True, "ema_momentum": 0.99},
    "wider": {"num_layers": 3, "units": 512},
    "lr_3e-4": {"learning_rate": 3e-4},
    "dropout_0.1": {"dropout": 0.1},
    # Category embeddings (a no-op on tables without categorical columns).
    "cat_embedding_4": {"categorical_embedding": 4},
    "cat_embedding_16": {"categorical_embedding": 16},
}
CLASSIFICATION_ONLY = {"label_smoothing": 0.1}  # added to the realmlp configs


def seeds_for(rows):
    return (0, 1, 2) if rows < 1000 else (0,)


def load(table, seed, data_dir):
    import nnrecipes

    return nnrecipes.data.load(table, data_dir=data_dir, seed=seed)


def _score(task, y, predicted):
    import numpy as np

    if task == "classification":
        return float(np.mean(np.asarray(predicted).ravel() == np.asarray(y).ravel()))
    return float(np.sqrt(np.mean((np.asarray(predicted).ravel() - np.asarray(y).ravel()) ** 2)))


def baselines(splits):
    """{name: (validation, test)} for logistic regression / ridge and HGB."""
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.preprocessing import OrdinalEncoder
    from sklearn.preprocessing import StandardScaler

    task = "classification" if splits.num_classes else "regression"
    width = int(np.prod(splits.x_train.shape[1:]))
    categorical = list((splits.info or {}).get("categorical") or [])
    numeric = [c for c in range(width) if c not in categorical]

    def numbers(x):
        out = np.full(x.shape, np.nan)
        for c in numeric:
            for i, v in enumerate(x[:, c]):
                try:
                    out[i, c] = float(v)
                except (TypeError, ValueError):
                    pass
        return out

    def frame(x):  # numbers as float (NaN when missing), categories as str
        x = np.asarray(x, dtype=object).reshape(len(x), -1)  # images: flat pixels
        values = numbers(x).astype(object)
        for c in categorical:
            values[:, c] = x[:, c].astype(str)
        return values

    parts = [("num", make_pipeline(SimpleImputer(), StandardScaler()), numeric)]
    ordinal = [("num", "passthrough", numeric)]
    if categorical:
        parts.append(("cat", OneHotEncoder(handle_unknown="ignore"), categorical))
        ordinal.append(("cat", OrdinalEncoder(handle_unknown="use_encoded_value",
                                              unknown_value=np.nan), categorical))
    linear = LogisticRegression(max_iter=5000) if task == "classification" else Ridge()
    hgb_cls = HistGradientBoostingClassifier if task == "classification" else \
        HistGradientBoostingRegressor
    hgb = hgb_cls(random_state=0, categorical_features=list(
        range(len(numeric), len(numeric) + len(categorical))) or None)
    models = {"linear": make_pipeline(ColumnTransformer(parts), linear),
              "hgb": make_pipeline(ColumnTransformer(ordinal), hgb)}
    y_train = np.asarray(splits.y_train).ravel()
    out = {}
    for name, model in models.items():
        model.fit(frame(splits.x_train), y_train)
        out[name] = tuple(_score(task, getattr(splits, f"y_{part}"),
                                 model.predict(frame(getattr(splits, f"x_{part}"))))
                          for part in ("val", "test"))
    return out


def run_mlp(table, seed, config, data_dir, epochs, batch_size):
    """Trains the MLP recipe once; returns (validation, test, seconds, epochs)."""
    import keras

    import nnrecipes
    from nnrecipes import engine

    splits = load(table, seed, data_dir)
    task = engine.task_of(splits)
    values = dict(CONFIGS[config])
    epochs = values.pop("epochs", epochs)  # a config may set its own cap
    if epochs is None:  # the engine's step budget, as `nnrecipes.train` runs
        epochs = engine.default_epochs(len(splits.x_train), batch_size)
    if task == "classification" and config.startswith("realmlp"):
        values.update(CLASSIFICATION_ONLY)
    recipe = nnrecipes.get_recipe("mlp")
    splits = nnrecipes.data.choose_view(splits, recipe)
    hyperparameters, _ = engine.run_hyperparameters(recipe, splits, values, epochs=epochs,
                                                    batch_size=batch_size)
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model = engine.build_model(recipe, splits, hyperparameters, seed=seed)
    fitted = engine.fit(model, splits, epochs=epochs, batch_size=batch_size, seed=seed)
    seconds = time.perf_counter() - start
    scores = []
    for part in ("val", "test"):
        metrics = engine.evaluate(model, splits, part=part, batch_size=256)
        scores.append(metrics["accuracy"] if task == "classification" else metrics["rmse"])
    return scores[0], scores[1], seconds, len(fitted.history.epoch)


def _task(job):
    kind, table, seed, config, data_dir, epochs, batch_size = job
    if kind == "baselines":
        return job, baselines(load(table, seed, data_dir))
    return job, run_mlp(table, seed, config, data_dir, epochs, batch_size)


def _init_worker():
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--data-dir", default=os.environ.get("NNRECIPES_DATA_DIR",
                                                             "../shared/data"))
    parser.add_argument("--epochs", type=int, default=None,
                        help="the cap of configs that set none (default: the engine's step "
                             "budget, as nnrecipes.train)")
    parser.add_argument("--epochs-for", nargs="*", default=[], metavar="TABLE=N",
                        help="fewer epochs for a large table on a small machine")
    parser.add_argument("--only-on", nargs="*", default=[], metavar="CONFIG=TABLE,TABLE",
                        help="run a config on these tables only (a short run)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--log", help="append each finished run here (JSON lines); runs "
                        "already in it are not run again, so a cut run resumes")
    parser.add_argument("--write", action="store_true",
                        help="write the table into benchmarks/RESULTS.md")
    args = parser.parse_args()
    unknown = sorted(set(args.configs) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configs {unknown}; valid: {list(CONFIGS)}")

    import nnrecipes

    epochs_for = {t: int(n) for t, n in (e.split("=") for e in args.epochs_for)}
    only_on = {c: t.split(",") for c, t in (e.split("=") for e in args.only_on)}
    sizes = {}
    for table in args.tables:
        s = nnrecipes.data.load(table, data_dir=args.data_dir)
        sizes[table] = (len(s.x_train) + len(s.x_val) + len(s.x_test),
                        "accuracy" if s.num_classes else "rmse")
    jobs = []
    for table in args.tables:
        for seed in seeds_for(sizes[table][0]):
            jobs.append(("baselines", table, seed, None, args.data_dir, 0, 0))
            jobs += [("mlp", table, seed, c, args.data_dir,
                      epochs_for.get(table, args.epochs), args.batch_size)
                     for c in args.configs if table in only_on.get(c, [table])]
    # The longest jobs first, so the pool ends together.
    jobs.sort(key=lambda j: -sizes[j[1]][0])
    results = {}
    if args.log and os.path.exists(args.log):
        for line in open(args.log):
            entry = json.loads(line)
            results[tuple(entry["job"])] = entry["value"]
    todo = [j for j in jobs if tuple(j[:4]) not in results]
    start = time.perf_counter()

    def done(job, value):
        results[tuple(job[:4])] = value
        print(f"done {job[:4]}: {value}", flush=True)
        if args.log:
            with open(args.log, "a") as f:
                f.write(json.dumps({"job": list(job[:4]), "value": value}) + "\n")

    if args.jobs > 1:
        with concurrent.futures.ProcessPoolExecutor(args.jobs, initializer=_init_worker) as pool:
            for job, value in pool.map(_task, todo):
                done(job, value)
    else:
        for job in todo:
            done(job, _task(job)[1])
    wall = time.perf_counter() - start
    table_rows = summarize(args, sizes, results)
    text = render(args, table_rows, wall, epochs_for)
    print(text)
    if args.write:
        from results_file import write_section

        write_section("<!-- tabular:begin -->", "<!-- tabular:end -->", text,
                      "Tables: MLP vs logistic regression and gradient boosting")


def summarize(args, sizes, results):
    rows = []
    for table in args.tables:
        n, metric = sizes[table]
        seeds = seeds_for(n)
        row = {"table": table, "rows": n, "metric": metric, "seeds": len(seeds)}
        for name in ("linear", "hgb"):
            row[name] = [statistics.mean(results[("baselines", table, s, None)][name][i]
                                         for s in seeds) for i in (0, 1)]
        for config in args.configs:
            runs = [results.get(("mlp", table, s, config)) for s in seeds]
            # A config not run on this table (--only-on) shows as "-".
            row[config] = None if None in runs else [statistics.mean(r[i] for r in runs)
                                                     for i in range(4)]
        rows.append(row)
    return rows


def gap(row, value, part):
    """How far `value` is behind gradient boosting: accuracy points, or the
    RMSE ratio minus 1 in percent (both: positive is worse)."""
    hgb = row["hgb"][part]
    if row["metric"] == "accuracy":
        return 100 * (hgb - value)
    return 100 * (value / hgb - 1)


def engine_budget():
    from nnrecipes import engine

    return engine.epoch_budget_text()


def render(args, rows, wall, epochs_for):
    configs = args.configs
    complete = [c for c in configs if all(r[c] is not None for r in rows)]

    def mean_gap(c, part):
        return statistics.mean(gap(r, r[c][part], part) for r in rows if r[c] is not None)

    mean_gaps = {c: mean_gap(c, 0) for c in configs}
    # Chosen among the configs run on every table.
    chosen = min(complete, key=mean_gaps.get)
    lines = [
        "MLP recipe, "
        + (f"{args.epochs} epochs at most" if args.epochs else
           "epochs at most as `nnrecipes.train` runs by default (engine.default_epochs: "
           + engine_budget() + ")")
        + " unless a config names its cap (NAME@N: N epochs); early stopping on "
        f"validation loss, best epoch kept; batch {args.batch_size}"
        + "".join(f", {t}: {n} epochs" for t, n in epochs_for.items())
        + "; tables under 1,000 rows: mean of seeds "
        "0, 1, 2. Accuracy in %, or RMSE (regression: lower is better). Each cell is "
        "validation / test. LR: logistic regression (ridge for regression); HGB: "
        "HistGradientBoosting; both scikit-learn defaults, same split, same run.",
        "",
        "| table | rows | metric | LR | HGB | " + " | ".join(configs) + " |",
        "|---|---:|---|---:|---:|" + "---:|" * len(configs),
    ]

    def cell(row, pair):
        if pair is None:
            return "-"
        if row["metric"] == "accuracy":
            return f"{100 * pair[0]:.1f} / {100 * pair[1]:.1f}"
        return f"{pair[0]:.3f} / {pair[1]:.3f}"

    for r in rows:
        lines.append(f"| {r['table']} | {r['rows']:,} | {r['metric']} | {cell(r, r['linear'])} "
                     f"| {cell(r, r['hgb'])} | "
                     + " | ".join(cell(r, r[c]) for c in configs) + " |")
    lines.append("| **mean gap to HGB, validation** (points; RMSE: % worse; over the tables "
                 "run) | | | "
                 f"{statistics.mean(gap(r, r['linear'][0], 0) for r in rows):.2f} | 0 | "
                 + " | ".join(f"{mean_gaps[c]:.2f}" for c in configs) + " |")
    lines.append("| mean gap to HGB, test | | | "
                 f"{statistics.mean(gap(r, r['linear'][1], 1) for r in rows):.2f} | 0 | "
                 + " | ".join(f"{mean_gap(c, 1):.2f}" for c in configs) + " |")
    lines.append("| mean seconds per run | | | | | "
                 + " | ".join(f"{statistics.mean(r[c][2] for r in rows if r[c]):.1f}"
                              for c in configs) + " |")
    lines.append("")

    def behind_linear(r, c):
        better = r[c][1] > r["linear"][1] if r["metric"] == "accuracy" else \
            r[c][1] < r["linear"][1]
        return not better

    missed = [r["table"] for r in rows if behind_linear(r, chosen)
              or (r["rows"] >= 1000 and gap(r, r[chosen][1], 1) > 1)]
    lines.append(f"Goal (test: above LR on every table, within 1 point (RMSE: 1%) of HGB "
                 f"from 1,000 rows) for {chosen}: "
                 + (f"missed on {', '.join(missed)}." if missed else "met on every table."))
    lines.append("")
    partial = [c for c in configs if c not in complete]
    if partial:
        lines.append(f"Probes run on some tables only ({', '.join(partial)}; `-` elsewhere): "
                     "their mean gaps are over those tables, so compare them row by row "
                     "with the full columns; the choice is among the configs run on every "
                     "table.")
        lines.append("")
    lines.append(f"Chosen on validation (smallest mean gap to HGB): **{chosen}**. Configs: "
                 + "; ".join(f"{c} = {json.dumps(CONFIGS[c])}" for c in configs)
                 + f"; the realmlp ones add {json.dumps(CLASSIFICATION_ONLY)} for "
                 f"classification. Wall time of this invocation {wall:.0f} s (runs found in --log are "
                 "not run again).")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
