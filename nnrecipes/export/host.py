"""Raw-input preprocessing that runs outside the model, in plain NumPy.

String tables do not convert to ONNX, and LiteRT runs `TextVectorization`
and `TabularEncoder` only with its Flex (TensorFlow) ops, which the
`ai-edge-litert` interpreter lacks. So the ONNX and LiteRT files of a model
that takes strings hold the part *after* those layers (token ids, or encoded
table features), and the version folder holds `preprocessing.json` (plus
`vocabulary.txt` for text) describing the step before. `encode` repeats that
step in NumPy, giving the same numbers as the layer, so ONNX Runtime and
LiteRT users need neither TensorFlow nor Keras.
"""

import json
import os
import re

import keras
import numpy as np

from nnrecipes.data.preprocessing import TabularEncoder

PREPROCESSING_FILE = "preprocessing.json"
VOCABULARY_FILE = "vocabulary.txt"
# The characters `keras.layers.TextVectorization` strips ("strip_punctuation").
PUNCTUATION = re.compile(rb'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
NUMBER = re.compile(rb"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
TEXT_STANDARDIZE = (None, "lower", "strip_punctuation", "lower_and_strip_punctuation",
                    "lower_and_mark_ends")


def describe(layer):
    """The JSON description of a string preprocessing layer, and its extra files.

    Args:
        layer: an adapted `keras.layers.TextVectorization` (integer output
            of a fixed length, or TF-IDF output; whitespace or character
            split, n-grams up to some size) or `nnrecipes.data.TabularEncoder`.

    Returns:
        `(spec, files)`: the dict for `preprocessing.json`, and
        `{file name: text}` to write beside it.
    """
    config = layer.get_config()
    if isinstance(layer, keras.layers.TextVectorization):
        if callable(config["standardize"]):  # a registered function: by its name
            name = keras.saving.get_registered_name(config["standardize"])
            config["standardize"] = name.rpartition(">")[2] if name.startswith(
                "nnrecipes>") else name
        ngrams = _ngram_sizes(config["ngrams"])
        tf_idf = config["output_mode"] == "tf_idf"
        unsupported = {k: config[k] for k, ok in (
            ("standardize", config["standardize"] in TEXT_STANDARDIZE),
            ("split", config["split"] in ("whitespace", "character")),
            ("ngrams", ngrams is not None),
            ("output_mode", config["output_mode"] in ("int", "tf_idf")),
            ("output_sequence_length",
             tf_idf or config["output_sequence_length"] is not None)) if not ok}
        if unsupported:
            raise ValueError(
                "Only a TextVectorization with standardize in "
                f"{list(TEXT_STANDARDIZE)}, split 'whitespace' or 'character', ngrams None, "
                "N or (1, ..., N), and output_mode='tf_idf' or output_mode='int' with a fixed "
                f"output_sequence_length can run outside the model. Received: {unsupported}")
        vocabulary = layer.get_vocabulary()
        bad = [w for w in vocabulary if "\n" in w]
        if bad:
            raise ValueError(f"Vocabulary entries cannot hold newlines. Received: {bad[:3]}")
        spec = {"kind": "text", "vocabulary_file": VOCABULARY_FILE,
                "standardize": config["standardize"], "split": config["split"],
                "ngrams": ngrams, "sequence_length": config["output_sequence_length"],
                "padding_id": 0,
                "oov_id": 1, "output_dtype": "int64"}
        if tf_idf:  # no padding: the vocabulary starts with the OOV entry
            weights = {}
            layer.save_own_variables(weights)
            spec.update(output_mode="tf_idf", sequence_length=None, padding_id=None, oov_id=0,
                        idf_weights=np.asarray(weights["idf_weights"], "float64").tolist(),
                        output_dtype="float32")
        return spec, {VOCABULARY_FILE: "\n".join(vocabulary) + "\n"}
    if isinstance(layer, TabularEncoder):
        spec = {"kind": "tabular", "columns": config["columns"],
                "num_columns": config["num_columns"], "categorical": config["categorical"],
                "numeric": layer.numeric, "means": config["means"], "stds": config["stds"],
                "vocabularies": config["vocabularies"], "output_dtype": "float32"}
        return spec, {}
    raise ValueError(
        "Only TextVectorization and TabularEncoder layers can run outside the model. "
        f"Received: {type(layer).__name__}")


def _ngram_sizes(ngrams):
    """The largest n-gram size of a `TextVectorization`'s `ngrams` setting,
    or None when it is not 1..N (which `encode` does not repeat)."""
    if ngrams is None:
        return 1
    if isinstance(ngrams, int):
        return ngrams
    sizes = list(ngrams)
    return sizes[-1] if sizes == list(range(1, len(sizes) + 1)) else None


def load(version_dir):
    """Reads `preprocessing.json` (and the vocabulary) of an export, or None."""
    path = os.path.join(version_dir, PREPROCESSING_FILE)
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        spec = json.load(f)
    if spec["kind"] == "text":
        with open(os.path.join(version_dir, spec["vocabulary_file"]), encoding="utf-8",
                  newline="") as f:
            spec["vocabulary"] = f.read().split("\n")[:-1]
    return spec


def encode(raw, spec):
    """Turns raw inputs into what the ONNX / LiteRT model takes.

    Args:
        raw: texts (1-D, str) for a text spec; rows of cells (2-D, str) for
            a tabular spec.
        spec: the dict `load` returns.

    Returns:
        int64 token ids `(n, sequence_length)`, or float32 features (TF-IDF
        vectors, or encoded table rows).

    Example:
    ```python
    spec = nnrecipes.export.host.load("saved_models/gru/1")
    ids = nnrecipes.export.host.encode(["free prize, call now"], spec)
    ```
    """
    if spec["kind"] == "text":
        return _encode_text(raw, spec)
    return _encode_rows(raw, spec)


def _encode_text(texts, spec):
    tf_idf = spec.get("output_mode") == "tf_idf"
    index = spec.get("_index")
    if index is None:
        first = spec["oov_id"] + 1  # the ids below are padding and OOV
        index = spec["_index"] = {w.encode("utf-8"): i for i, w in
                                  enumerate(spec["vocabulary"]) if i >= first}
    length, standardize = spec["sequence_length"], spec["standardize"]
    if tf_idf:
        out = np.zeros((len(texts), len(spec["vocabulary"])), dtype="float64")
    else:
        ids = np.zeros((len(texts), length), dtype="int64")
    for row, text in enumerate(texts):
        data = str(text).encode("utf-8")
        if standardize in ("lower", "lower_and_strip_punctuation", "lower_and_mark_ends"):
            data = data.lower()  # ASCII only, as tf.strings.lower
        if standardize == "lower_and_mark_ends":
            data = b" " + data + b" "
        if standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            data = PUNCTUATION.sub(b"", data)
        if spec.get("split", "whitespace") == "character":
            # One token per Unicode character, as tf.strings.unicode_split.
            units = [c.encode("utf-8") for c in data.decode("utf-8", errors="replace")]
        else:
            units = data.split()  # ASCII whitespace, as tf.strings.split
        tokens = [b" ".join(units[i:i + n]) for n in range(1, spec.get("ngrams", 1) + 1)
                  for i in range(len(units) - n + 1)]
        found = [index.get(t, spec["oov_id"]) for t in tokens]
        if tf_idf:  # each n-gram's count times its idf weight
            np.add.at(out[row], found, 1.0)
        else:
            ids[row, :min(len(found), length)] = found[:length]
    if tf_idf:
        return (out * np.asarray(spec["idf_weights"])).astype("float32")
    return ids


def _encode_rows(rows, spec):
    rows = np.asarray(rows, dtype=object)
    if rows.ndim != 2 or rows.shape[1] != spec["num_columns"]:
        raise ValueError(f"Expected rows of {spec['num_columns']} cells. "
                         f"Received: shape={rows.shape}")
    cells = [[str(c).strip().encode("utf-8") for c in row] for row in rows]
    parts = []
    if spec["numeric"]:
        means = np.asarray(spec["means"], "float32")
        values = np.empty((len(rows), len(spec["numeric"])), dtype="float32")
        for r, row in enumerate(cells):
            for j, c in enumerate(spec["numeric"]):
                values[r, j] = float(row[c]) if NUMBER.fullmatch(row[c]) else means[j]
        parts.append((values - means) / np.asarray(spec["stds"], "float32"))
    if spec["categorical"]:
        index = {}
        for c, vocab in zip(spec["categorical"], spec["vocabularies"]):
            for v in vocab:
                index.setdefault((c, v.encode("utf-8")), len(index) + 1)  # 0: unseen
        codes = np.zeros((len(rows), len(index) + 1), dtype="float32")
        for r, row in enumerate(cells):
            for c in spec["categorical"]:
                codes[r, index.get((c, row[c]), 0)] = 1.0
        parts.append(codes)
    return np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
