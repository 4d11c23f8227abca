"""Tabular datasets: UCI Adult and the small UCI CSV sets, and CSV reading.

Tables whose columns are all numbers become float32 arrays. Tables with
categorical columns (Adult) keep every cell as its raw string, shape
`(rows, columns)`, and record in `Splits.info` the column names and which
columns are categorical; `nnrecipes.data.preprocessing.TabularEncoder`, adapted
on the training rows, turns such rows into features inside the model, so the
exported model takes raw column values.
"""

import csv
import io
import os

import numpy as np

from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import data_file
from nnrecipes.data.catalog import malformed
from nnrecipes.data.catalog import read_text_lines
from nnrecipes.data.catalog import register_dataset
from nnrecipes.data.catalog import stratified_split

MISSING = ("", "?", "NA", "NaN", "nan")

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country",
]


def read_csv_rows(path, dataset, *, delimiter=",", num_columns=None, skip_header=False,
                  comment=None):
    """Rows of a CSV file as lists of stripped strings, all of one width.

    Args:
        path: the file.
        dataset: the dataset's name, for error messages.
        delimiter: the field separator. Defaults to `","`.
        num_columns: the width every row must have. Defaults to the first
            row's width.
        skip_header: drop the first row. Defaults to `False`.
        comment: lines starting with this are skipped. Defaults to `None`.

    Returns:
        `(header, rows)`: the first row when `skip_header` (else None) and
        the other rows.
    """
    lines = read_text_lines(path, dataset)
    if comment:
        lines = [line for line in lines if not line.startswith(comment)]
    rows = [[cell.strip() for cell in row]
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    header = rows.pop(0) if skip_header and rows else None
    if not rows:
        raise ValueError(f"Dataset {dataset!r}: {path!r} holds no data rows.")
    width = num_columns or len(header or rows[0])
    for number, row in enumerate(rows, start=2 if skip_header else 1):
        if len(row) != width:
            raise malformed(dataset, path, number,
                            f"{width} fields separated by {delimiter!r}",
                            delimiter.join(row))
    return header, rows


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def categorical_columns(rows, num_columns):
    """Indices of the columns holding any cell that is neither a number nor missing."""
    return [c for c in range(num_columns)
            if any(row[c] not in MISSING and not is_number(row[c]) for row in rows)]


def table_arrays(rows, feature_columns, categorical):
    """Features as float32, or as raw strings when a column is categorical or a
    cell is missing.

    One rule for every table: a missing cell (one of `MISSING`) is kept raw and
    the model's `TabularEncoder` fills it, with its column's training mean for
    a number and as a category of its own for a category; so an all-numeric
    table with a gap loads like a mixed one instead of being refused.
    """
    cells = [[row[c] for c in feature_columns] for row in rows]
    if categorical or any(v in MISSING for row in cells for v in row):
        array = np.empty((len(cells), len(feature_columns)), dtype=object)
        array[:] = cells
        return array
    return np.array([[float(v) for v in row] for row in cells], dtype="float32")


def encode_labels(values, dataset, classes=None):
    """Integer labels 0..K-1 for `values`, and the class names in that order."""
    classes = list(classes) if classes is not None else sorted(
        set(values), key=lambda v: (not is_number(v), float(v) if is_number(v) else 0, v))
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(values) - set(index))
    if unknown:
        raise ValueError(
            f"Dataset {dataset!r}: labels {unknown[:10]} are not among the classes "
            f"{classes}."
        )
    return np.asarray([index[v] for v in values], dtype="int32"), classes


def rows_to_splits(name, rows, *, target, columns=None, task="classification", seed=0,
                   test_rows=None, classes=None, source=""):
    """Splits a table's rows into train/validation/test `Splits`.

    Args:
        name: the dataset's name.
        rows: the rows, lists of strings.
        target: index of the target column.
        columns: the column names. Defaults to `column0`, `column1`, ...
        task: `"classification"` (integer labels) or `"regression"`.
            Defaults to `"classification"`.
        seed: seed of the train/validation split. Defaults to `0`.
        test_rows: rows of a separate test file. Defaults to `None`: a fixed
            (seed 1234) stratified fifth of `rows` becomes the test split.
        classes: the class labels in order. Defaults to the sorted labels.
        source: where the rows came from.
    """
    width = len(rows[0])
    columns = list(columns or [f"column{i}" for i in range(width)])
    if task not in ("classification", "regression"):
        raise ValueError(
            f"`task` must be 'classification' or 'regression'. Received: task={task!r}")
    features = [c for c in range(width) if c != target]
    all_rows = rows + (test_rows or [])
    categorical = categorical_columns(all_rows, width)
    feature_categorical = [features.index(c) for c in categorical if c != target]
    x = table_arrays(all_rows, features, feature_categorical)
    labels = [row[target] for row in all_rows]
    if task == "classification":
        y, classes = encode_labels(labels, name, classes)
    else:
        bad = [v for v in labels if not is_number(v)]
        if bad:
            raise ValueError(f"Dataset {name!r}: regression targets must be numbers. "
                             f"Received: {bad[:5]}")
        y, classes = np.asarray(labels, dtype="float32")[:, None], None
    stratify = task == "classification"
    if test_rows:
        n = len(rows)
        x_rest, y_rest, x_test, y_test = x[:n], y[:n], x[n:], y[n:]
    else:
        x_rest, y_rest, x_test, y_test = stratified_split(x, y, 0.2, seed=1234,
                                                          stratify=stratify, class_names=classes)
    x_train, y_train, x_val, y_val = stratified_split(x_rest, y_rest, 0.15, seed=seed,
                                                      stratify=stratify)
    return Splits(
        name, "tabular", x_train, y_train, x_val, y_val, x_test, y_test,
        num_classes=len(classes) if classes else None,
        num_outputs=None if classes else 1, class_names=classes, source=source,
        info={"columns": [columns[c] for c in features],
              "categorical": feature_categorical})


@register_dataset("adult", "UCI Adult census income, 32,561/16,281 rows, 14 mixed columns, "
                           ">50K or not (DATA_DIR/tabular/adult/)")
def _adult(data_dir, seed):
    def read(file):
        path = data_file(data_dir, "adult", "tabular", "adult", file)
        _, rows = read_csv_rows(path, "adult", num_columns=15, comment="|")
        # The test file's labels end with "." ("<=50K."); some copies start
        # with a "|1x3 Cross validator" line.
        return [row[:14] + [row[14].rstrip(".")] for row in rows]

    return rows_to_splits("adult", read("adult-train.csv"), target=14,
                          columns=ADULT_COLUMNS + ["income"], seed=seed,
                          test_rows=read("adult-test.csv"), classes=["<=50K", ">50K"],
                          source=os.path.join(str(data_dir), "tabular", "adult"))


def _register_small(name, file, target, description, task="classification"):
    @register_dataset(name, f"{description} (DATA_DIR/tabular/{file})")
    def loader(data_dir, seed):
        path = data_file(data_dir, name, "tabular", file)
        _, rows = read_csv_rows(path, name)
        return rows_to_splits(name, rows, target=target if target >= 0 else len(rows[0]) - 1,
                              task=task, seed=seed, source=path)

    return loader


_register_small("pima_diabetes", "pima-indians-diabetes.csv", -1,
                "UCI Pima Indians diabetes, 768 rows x 8, 2 classes")
_register_small("sonar", "sonar.csv", -1, "UCI sonar, 208 rows x 60, rock/mine")
_register_small("ionosphere", "ionosphere.csv", -1, "UCI ionosphere, 351 rows x 34, 2 classes")
_register_small("banknote", "banknote_authentication.csv", -1,
                "UCI banknote authentication, 1,372 rows x 4, 2 classes")
_register_small("wine_quality_red", "winequality-red.csv", -1,
                "UCI red wine quality, 1,599 rows x 11, quality score (regression)",
                task="regression")
_register_small("wine_quality_white", "winequality-white.csv", -1,
                "UCI white wine quality, 4,898 rows x 11, quality score (regression)",
                task="regression")
