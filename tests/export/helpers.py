"""Small exports of every family, with raw inputs to run them on."""

import json
import os

import numpy as np

# Small sizes: these tests check conversion, not accuracy.
SMALL = {
    "mlp": {"units": 16}, "cnn": {"conv_blocks": 2, "filters": 8, "dense_units": 16},
    "rnn": {"units": 8}, "lstm": {"units": 8, "bidirectional": True},
    "gru": {"units": 8, "num_layers": 2},
    "transformer": {"num_blocks": 1, "embed_dim": 16, "num_heads": 2, "ff_dim": 16},
}
TEXTS = ["Free entry: WIN a prize now!", "see you at lunch, ok?", "Call me later",
         "URGENT!!! cash prize waiting", "are we still on for tonight", "ok", "",
         "Congratulations, you've won -- reply YES", "running late, sorry :(",
         "free free FREE", "dinner at 7?", "claim your reward today"] * 3
ROWS = [["39", "Private", "13", "United-States"], ["50", "Self-emp", "9", "Cuba"],
        ["23", "Private", "?", "United-States"], ["61", "State-gov", "16", "India"],
        ["45", " Private ", "10", "Mexico"], ["31", "Local-gov", "12", "United-States"]] * 4
COLUMNS = ["age", "workclass", "education_num", "native_country"]


def _manifest(splits, name):
    from nnrecipes import evaluation

    task = "classification" if splits.num_classes is not None else "regression"
    return {"recipe": name, "task": task, "class_names": splits.class_names,
            "dataset": splits.summary(), "hyperparameters": SMALL.get(name, {}),
            "training": {"epochs": 0, "batch_size": 16, "seed": 0, "seconds": 0.0},
            "metrics": {"test": {"accuracy": 0.5} if task == "classification" else
                        {"mae": 1.0}, "baseline": evaluation.baseline_metrics(splits)}}


# Text vectorizers that the host-side encoding must repeat: word bigrams,
# character 1-3-grams and TF-IDF vectors (the text knobs of `preprocessing_for`).
TEXT_CASES = {"text_gru": ("gru", {}),
              "text_bigram_mlp": ("mlp", {"text_units": "word", "word_ngrams": 2}),
              "text_char_mlp": ("mlp", {"text_units": "char", "char_ngrams": 3}),
              "text_tf_idf_mlp": ("mlp", {"text_units": "char", "char_ngrams": 3,
                                          "text_bag": "tf_idf"})}


def make_exports(base, formats=("onnx", "litert")):
    """Exports the six families (digits), text models (a GRU on words, MLPs
    on word bigrams and on character n-grams) and a string-table MLP.

    Returns:
        `{case: (version_dir, raw_inputs)}`.
    """
    import nnrecipes
    from nnrecipes import data

    digits = data.load("digits")
    texts = data.from_arrays(np.array(TEXTS, dtype=object),
                             np.array([1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1] * 3),
                             kind="text", class_names=["ham", "spam"], name="sms")
    rows = data.from_arrays(np.array(ROWS, dtype=object), np.arange(len(ROWS)) % 2,
                            kind="tabular", class_names=["<=50K", ">50K"], name="census",
                            info={"columns": COLUMNS, "categorical": [1, 3]})
    # The digit images as each family reads them: whole, or row by row.
    cases = [(name, digits if "image" in nnrecipes.get_recipe(name).input_kinds
              else digits.as_kind("sequence"), name, {}) for name in SMALL]
    cases += [(case, texts, recipe, text) for case, (recipe, text) in TEXT_CASES.items()]
    cases += [("table_mlp", rows, "mlp", {})]
    out = {}
    for case, splits, recipe, text in cases:
        model = nnrecipes.build(recipe, num_classes=splits.num_classes,
                                **data.preprocessing_for(splits, **text), **SMALL[recipe])
        path = nnrecipes.export.export_model(model, os.path.join(base, case),
                                             _manifest(splits, recipe), formats=formats)
        out[case] = (path, splits.x_test)
    return out


def save_inputs(exports, file):
    """Writes `{case: [version_dir, inputs as lists]}` as JSON for a worker process."""
    with open(file, "w") as f:
        json.dump({case: [path, np.asarray(x).tolist()] for case, (path, x)
                   in exports.items()}, f)
