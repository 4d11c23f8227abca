"""Text recipes with their text knobs against TF-IDF + logistic regression.

For each catalog text set (SMS spam, SST-2, SST-5, TREC), on the same split
in the same run: word 1-2-gram TF-IDF + logistic regression and character
1-5-gram (char_wb) TF-IDF + logistic regression (scikit-learn's liblinear,
one-vs-rest; C chosen on validation from 1, 10, 100), and candidate configurations of the recipes
with the text knobs (`text_units`, `word_ngrams`, `char_ngrams`,
`embedding_dropout`; see `nnrecipes.families.common`) and the mlp's
`text_bag` (an embedding bag of token ids, or a TF-IDF vector). Each model trains
through the engine (`nnrecipes.engine.build_model` and `fit`: the
vectorizer is the one the knobs ask for, adapted on the training texts;
early stopping on validation loss keeps the best epoch). Choices are made on
the validation accuracy; test accuracy is printed beside it for the record.
With `--label-smoothing-on D`, the mlp defaults also run with
`label_smoothing=0.1` on dataset D (evidence for issue 12). Invocations that
share a `--rows-file` (e.g. two side by side, each on two datasets) make
one table; `--write` puts it in benchmarks/RESULTS.md.

Run: python benchmarks/text_classification.py [--datasets sms_spam sst2 sst5 trec]
     [--configs ...] [--epochs 30] [--seed 0] [--rows-file F] [--write]
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import results_file  # noqa: E402

import nnrecipes  # noqa: E402
from nnrecipes import engine  # noqa: E402
from nnrecipes.families import knobs  # noqa: E402

BEGIN, END = "<!-- text:begin -->", "<!-- text:end -->"
DATASETS = ("sms_spam", "sst2", "sst5", "trec")

# name -> (recipe, hyperparameters); {} is the recipe's defaults.
CONFIGS = {
    "mlp, words (no n-grams)": ("mlp", {"text_bag": "embedding", "text_units": "word",
                                        "word_ngrams": 1, "embedding_dropout": 0.0,
                                        "max_tokens": 20000}),
    "mlp, words 1-2": ("mlp", {"text_bag": "embedding", "text_units": "word", "word_ngrams": 2,
                               "embedding_dropout": 0.0, "max_tokens": 20000}),
    "mlp, chars 1-5, emb. dropout 0.2": ("mlp", {"text_bag": "embedding", "text_units": "char",
                                                 "char_ngrams": 5, "embedding_dropout": 0.2,
                                                 "max_tokens": 20000}),
    "mlp, embedding bag words 1-2, emb. dropout 0.2": ("mlp", {"text_bag": "embedding",
                                                               "text_units": "word",
                                                               "max_tokens": 20000}),
    "mlp, defaults": ("mlp", {}),
    # The TF-IDF bag (`text_bag="tf_idf"`): one TF-IDF vector per text
    # (log-dampened, L2-normalized), n-gram dropout 0.2, then the dense blocks.
    "mlp, TF-IDF words 1-2": ("mlp", {"text_bag": "tf_idf", "text_units": "word",
                                      "max_tokens": 20000}),
    "mlp, TF-IDF chars 1-5": ("mlp", {"text_bag": "tf_idf", "text_units": "char",
                                      "max_tokens": 20000}),
    "mlp, TF-IDF chars 1-5, 50k n-grams": ("mlp", {"text_bag": "tf_idf", "text_units": "char",
                                                    "max_tokens": 50000}),
    "mlp, TF-IDF chars 1-5, no n-gram dropout": ("mlp", {"text_bag": "tf_idf",
                                                          "text_units": "char",
                                                          "max_tokens": 20000,
                                                          "embedding_dropout": 0.0}),
    # The first layer's width and the vocabulary (issue 23: Adam updates the
    # whole vocabulary x units kernel at each step, so its size is the cost).
    "mlp, TF-IDF chars 1-5, 50k n-grams, 64 units": ("mlp", {
        "text_bag": "tf_idf", "text_units": "char", "max_tokens": 50000, "units": 64}),
    "mlp, TF-IDF chars 1-5, 20k n-grams, 64 units": ("mlp", {
        "text_bag": "tf_idf", "text_units": "char", "max_tokens": 20000, "units": 64}),
    "mlp, TF-IDF chars 1-5, 50k n-grams, 32 units": ("mlp", {
        "text_bag": "tf_idf", "text_units": "char", "max_tokens": 50000, "units": 32}),
    "gru, defaults": ("gru", {}),
    "transformer, defaults": ("transformer", {}),
}
DEFAULT_CONFIGS = ("mlp, TF-IDF chars 1-5", "mlp, TF-IDF words 1-2",
                   "mlp, embedding bag words 1-2, emb. dropout 0.2",
                   "gru, defaults", "mlp, TF-IDF chars 1-5, 50k n-grams",
                   "mlp, TF-IDF chars 1-5, no n-gram dropout")
LABEL_SMOOTHING_BASE = "mlp, embedding bag words 1-2, emb. dropout 0.2"


def tfidf_baselines(splits):
    """Word 1-2-gram and char_wb 1-5-gram TF-IDF + logistic regression, C
    chosen on validation. Returns {name: (val acc, test acc, seconds)}."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    vectorizers = {
        "TF-IDF words 1-2 + LR": lambda: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        "TF-IDF chars 1-5 (char_wb) + LR": lambda: TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True, min_df=2),
    }
    results = {}
    for name, make in vectorizers.items():
        start = time.perf_counter()
        vectorizer = make()
        x_train = vectorizer.fit_transform(splits.x_train.astype(str))
        x_val = vectorizer.transform(splits.x_val.astype(str))
        x_test = vectorizer.transform(splits.x_test.astype(str))
        best = None
        for c in (1.0, 10.0, 100.0):
            model = OneVsRestClassifier(LogisticRegression(C=c, solver="liblinear"))
            model.fit(x_train, splits.y_train)
            val = float((model.predict(x_val) == splits.y_val).mean())
            if best is None or val > best[0]:
                best = (val, float((model.predict(x_test) == splits.y_test).mean()), c)
        results[f"{name} (C={best[2]:g})"] = (best[0], best[1], time.perf_counter() - start)
    return results


def gap_table(rows):
    """Per recipe configuration run on every dataset: the mean, over the
    datasets, of its accuracy minus the better TF-IDF + LR's (picked on
    validation), on validation (what defaults are chosen by) and on test."""
    datasets = list(dict.fromkeys(r[0] for r in rows))
    best = {}
    for name in datasets:
        baselines = [r for r in rows if r[0] == name and "+ LR" in r[1]]
        if baselines:
            best[name] = max(baselines, key=lambda r: r[2])
    configs = list(dict.fromkeys(r[1] for r in rows if "+ LR" not in r[1]))
    lines = [f"Mean gap to the better TF-IDF + LR (picked on val) over {', '.join(best)}:", "",
             "| model | mean val gap | mean test gap | worst val gap |", "|---|---|---|---|"]
    for config in configs:
        gaps = [(r[2] - best[r[0]][2], r[3] - best[r[0]][3]) for r in rows
                if r[1] == config and r[0] in best]
        if len(gaps) == len(best) and gaps:
            val, test = np.mean(gaps, axis=0)
            lines.append(f"| {config} | {100 * val:+.2f} | {100 * test:+.2f} | "
                         f"{100 * min(g[0] for g in gaps):+.2f} |")
    return lines


def run_recipe(splits, recipe, hyperparameters, *, epochs, seed, batch_size):
    """Trains through the engine. Returns (val acc, test acc, seconds, epochs,
    the vectorizer's split and its sequence length or TF-IDF size)."""
    recipe = nnrecipes.get_recipe(recipe)
    start = time.perf_counter()
    model = engine.build_model(recipe, splits, hyperparameters, seed=seed)
    fitted = engine.fit(model, splits, epochs=epochs, batch_size=batch_size, seed=seed,
                        patience=3, augmentation=knobs.augmentation_values(
                            hyperparameters, splits.kind, engine.task_of(splits)))
    seconds = time.perf_counter() - start
    val = engine.evaluate(model, splits, part="val", batch_size=batch_size)["accuracy"]
    test = engine.evaluate(model, splits, part="test", batch_size=batch_size)["accuracy"]
    layer = model.get_layer("text_vectorization")
    config = layer.get_config()
    best_epoch = (fitted.early_stopping or {}).get("kept_epoch") or len(fitted.history.epoch)
    size = (f"TF-IDF over {layer.vocabulary_size()} n-grams"
            if config["output_mode"] == "tf_idf" else f"{config['output_sequence_length']} tokens")
    return val, test, seconds, best_epoch, config["split"], size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--configs", nargs="+", default=list(DEFAULT_CONFIGS),
                        help=f"names from {list(CONFIGS)}")
    parser.add_argument("--label-smoothing-on", default="",
                        help="dataset to run the default mlp with label_smoothing 0.1 on "
                             "too (default: none)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--rows-file", default=None,
                        help="JSON file that keeps the rows of earlier invocations (other "
                             "datasets), so that one table holds them all")
    parser.add_argument("--render", action="store_true",
                        help="train nothing: make the table of the rows in --rows-file")
    parser.add_argument("--write", action="store_true",
                        help="write the table into benchmarks/RESULTS.md")
    args = parser.parse_args()
    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configs {unknown}; valid: {list(CONFIGS)}")
    if args.render and not args.rows_file:
        parser.error("--render needs --rows-file")
    rows = []
    for name in [] if args.render else args.datasets:
        splits = nnrecipes.data.load(name, data_dir=args.data_dir, seed=args.seed)
        words = float(np.median([len(str(t).split()) for t in splits.x_train]))
        auto = nnrecipes.data.preprocessing.text_units_for(splits.x_train)
        print(f"== {name}: {len(splits.x_train)}/{len(splits.x_val)}/{len(splits.x_test)}, "
              f"median {words:g} words per text -> text_units='auto' reads {auto}s",
              flush=True)
        for baseline, (val, test, seconds) in tfidf_baselines(splits).items():
            rows.append((name, baseline, val, test, seconds, "", ""))
            print(f"  {baseline:40s} val {val:.4f} test {test:.4f} ({seconds:.0f} s)",
                  flush=True)
        runs = [(c, *CONFIGS[c]) for c in args.configs]
        if name == args.label_smoothing_on:
            recipe, values = CONFIGS[LABEL_SMOOTHING_BASE]
            runs.append((f"{LABEL_SMOOTHING_BASE} + label_smoothing 0.1", recipe,
                         dict(values, label_smoothing=0.1)))
            if LABEL_SMOOTHING_BASE not in args.configs:
                runs.append((LABEL_SMOOTHING_BASE, recipe, values))
        for config, recipe, hyperparameters in runs:
            val, test, seconds, epoch, split, length = run_recipe(
                splits, recipe, hyperparameters, epochs=args.epochs, seed=args.seed,
                batch_size=args.batch_size)
            detail = f"{split}, {length}, best epoch {epoch}"
            rows.append((name, config, val, test, seconds, detail, ""))
            print(f"  {config:40s} val {val:.4f} test {test:.4f} ({seconds:.0f} s; {detail})",
                  flush=True)
    command = ("python benchmarks/text_classification.py --datasets "
               + " ".join(args.datasets) + f" --epochs {args.epochs} --seed {args.seed}"
               + (f" --label-smoothing-on {args.label_smoothing_on}"
                  if args.label_smoothing_on else "")
               + (" --rows-file F" if args.rows_file else ""))
    commands = [command]
    if args.rows_file:
        # Several invocations (e.g. one per dataset, side by side) make one table.
        stored = {"rows": [], "commands": []}
        if os.path.exists(args.rows_file):
            with open(args.rows_file) as f:
                stored = json.load(f)
        if not args.render:
            stored["rows"] = [r for r in stored["rows"] if r[0] not in args.datasets] + rows
            stored["commands"] = [c for c in stored["commands"] if c != command] + [command]
        with open(args.rows_file, "w") as f:
            json.dump(stored, f)
        rows = [tuple(r) for r in stored["rows"]]
        commands = stored["commands"]
    datasets = list(dict.fromkeys(r[0] for r in rows))
    # Mark, per dataset, the best validation accuracy among the recipes.
    for name in datasets:
        mine = [i for i, r in enumerate(rows) if r[0] == name and "+ LR" not in r[1]]
        if mine:
            best = max(mine, key=lambda i: rows[i][2])
            rows[best] = rows[best][:6] + ("best recipe on val",)
    lines = ["| dataset | model | val acc | test acc | s | vectorizer | |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {d} | {m} | {v:.4f} | {t:.4f} | {s:.0f} | {x} | {b} |"
              for d, m, v, t, s, x, b in rows]
    body = "\n".join([
        "; ".join(f"`{c}`" for c in commands) + f" (seed {args.seed}; one run each, "
        "early stopping on validation loss "
        "with patience 3; C of logistic regression chosen on validation; wall times on a "
        "shared 2-core CPU are upper bounds).", "", *lines, "", *gap_table(rows)])
    print("\n" + body)
    if args.write:
        results_file.write_section(BEGIN, END, body, "Text classification: recipes vs TF-IDF + LR")


if __name__ == "__main__":
    main()
