"""Tabular datasets: UCI Adult and the small UCI CSV sets, and CSV reading.

Tables whose columns are all numbers become float32 arrays. Tables with
categorical columns (Adult) keep every cell as its raw string, shape
`(rows, columns)`, and record in `Splits.info` the column names and which
columns are categorical; `nnrecipes.data.preprocessing.TabularEncoder`, adapted
on the training rows, turns such rows into features inside the model, so the
exported model takes raw column values.
"""

import collections
import csv
import io
import math
import os
import re

import numpy as np

from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import data_file
from nnrecipes.data.catalog import malformed
from nnrecipes.data.catalog import read_text_lines
from nnrecipes.data.catalog import register_dataset
from nnrecipes.data.catalog import stratified_split

MISSING = ("", "?", "NA", "NaN", "nan")
# What the model's `TabularEncoder` reads as a number (the same pattern as
# `nnrecipes.data.preprocessing.NUMBER_PATTERN`): no `inf`, `nan` or `1_000`.
NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
# Field separators tried when a CSV file's delimiter is not given.
DELIMITERS = (",", ";", "\t", "|")
# The two kinds of table column an export records.
COLUMN_TYPES = ("number", "category")

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country",
]


def detect_delimiter(lines):
    """The field separator of CSV `lines`: the first of `DELIMITERS` that splits
    every line into the same number (above one) of fields, else `","`.

    Example:
    >>> nnrecipes.data.tabular.detect_delimiter(["a;b", "1;2"])
    ';'
    """
    sample = lines[:50]
    for delimiter in DELIMITERS:
        widths = {len(row) for row in csv.reader(io.StringIO("\n".join(sample)),
                                                 delimiter=delimiter)}
        if len(widths) == 1 and widths.pop() > 1:
            return delimiter
    return ","


def read_csv_rows(path, dataset, *, delimiter=",", num_columns=None, skip_header=False,
                  comment=None):
    """Rows of a CSV file as lists of stripped strings, all of one width.

    Args:
        path: the file.
        dataset: the dataset's name, for error messages.
        delimiter: the field separator, or `None` to detect it (see
            `detect_delimiter`). Defaults to `","`.
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
    if not lines:
        raise ValueError(f"Dataset {dataset!r}: {path!r} is empty: it holds no rows, not "
                         "even a header.")
    if delimiter is None:
        delimiter = detect_delimiter(lines)
    rows = [[cell.strip() for cell in row]
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    header = rows.pop(0) if skip_header and rows else None
    if not rows:
        raise ValueError(f"Dataset {dataset!r}: {path!r} holds only a header row and no data "
                         f"rows. Received: header={header}")
    width = num_columns or len(header or rows[0])
    for number, row in enumerate(rows, start=2 if skip_header else 1):
        if len(row) != width:
            raise malformed(dataset, path, number,
                            f"{width} fields separated by {delimiter!r}",
                            delimiter.join(row))
    return header, rows


def is_number(text):
    """Whether a cell is a finite number as the model's tabular encoder reads
    it (`"1.5"`, `"-2e3"`; not `"inf"`, `"nan"` or `"1_000"`)."""
    return NUMBER.fullmatch(text) is not None


def is_missing(text):
    """Whether a cell stands for a missing value: one of `MISSING`, or another
    spelling of NaN (`"NAN"`, `"-nan"`)."""
    return text in MISSING or (_float(text) is not None and math.isnan(_float(text)))


def is_infinite(text):
    """Whether a cell spells an infinite number (`"inf"`, `"-Infinity"`, `"1e999"`)."""
    value = _float(text)
    return value is not None and math.isinf(value)


def _float(text):
    try:
        return float(text)
    except ValueError:
        return None


def check_finite(rows, columns, dataset, *, first_row=1):
    """Refuses a cell that spells an infinite number, naming its line (`rows[0]`
    is line `first_row`) and column.

    A missing value is written as one of `MISSING` (the model fills it); an
    infinite one has no such meaning, so it is refused, not read as a
    category or a gap.
    """
    for number, row in enumerate(rows, start=first_row):
        for name, cell in zip(columns, row):
            if is_infinite(cell):
                raise ValueError(
                    f"Dataset {dataset!r}: line {number}, column {name!r} holds an infinite "
                    f"number ({cell!r}); a number column takes finite numbers, and a missing "
                    f"cell is written as one of {list(MISSING)}. Received: {cell!r}")


def duplicate_names(names):
    """The names that occur more than once in `names`, in first-seen order."""
    return [n for n, count in collections.Counter(names).items() if count > 1]


def categorical_columns(rows, num_columns):
    """Indices of the columns holding any cell that is neither a number nor missing."""
    return [c for c in range(num_columns)
            if any(not is_missing(row[c]) and not is_number(row[c]) for row in rows)]


def table_arrays(rows, feature_columns, categorical):
    """Features as float32, or as raw strings when a column is categorical or a
    cell is missing.

    One rule for every table: a missing cell (one of `MISSING`) is kept raw and
    the model's `TabularEncoder` fills it, with its column's training mean for
    a number and as a category of its own for a category; so an all-numeric
    table with a gap loads like a mixed one instead of being refused.
    """
    cells = [[row[c] for c in feature_columns] for row in rows]
    if categorical or any(is_missing(v) for row in cells for v in row):
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
                   test_rows=None, classes=None, source="", first_row=1):
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
        first_row: the line number of `rows[0]` in error messages (2 below
            a header row). Defaults to `1`.

    The names of the feature columns go into `Splits.info["columns"]`; when
    `columns` is None they are generated (`column0`, ...) and
    `info["column_names"]` says so.
    """
    width = len(rows[0])
    generated = columns is None
    columns = list(columns or generated_names(width))
    if len(columns) != width:
        raise ValueError(f"Dataset {name!r}: {len(columns)} column names for rows of {width} "
                         f"cells. Received: columns={columns}")
    twice = duplicate_names(columns)
    if twice:
        raise ValueError(f"Dataset {name!r}: the column names {twice} occur more than once; "
                         f"each column needs a name of its own. Received: columns={columns}")
    if task not in ("classification", "regression"):
        raise ValueError(
            f"`task` must be 'classification' or 'regression'. Received: task={task!r}")
    features = [c for c in range(width) if c != target]
    all_rows = rows + (test_rows or [])
    check_finite(all_rows, columns, name, first_row=first_row)
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
              "categorical": feature_categorical,
              **({"column_names": "generated"} if generated else {})})


def generated_names(width):
    """Names for the columns of a table that names none: `column0`, `column1`, ..."""
    return [f"column{i}" for i in range(width)]


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


# The column names that the UCI description files (`*.names`) document, the
# target last; sonar's 60 bands and ionosphere's 34 pulse attributes are not
# named there, so their names are generated.
PIMA_COLUMNS = ["pregnancies", "glucose", "blood_pressure", "skin_thickness", "insulin",
                "bmi", "diabetes_pedigree", "age", "diabetes"]
BANKNOTE_COLUMNS = ["variance", "skewness", "curtosis", "entropy", "class"]
WINE_QUALITY_COLUMNS = ["fixed acidity", "volatile acidity", "citric acid", "residual sugar",
                        "chlorides", "free sulfur dioxide", "total sulfur dioxide", "density",
                        "pH", "sulphates", "alcohol", "quality"]


def _register_small(name, file, target, description, task="classification", columns=None):
    @register_dataset(name, f"{description} (DATA_DIR/tabular/{file})")
    def loader(data_dir, seed):
        path = data_file(data_dir, name, "tabular", file)
        _, rows = read_csv_rows(path, name)
        return rows_to_splits(name, rows, target=target if target >= 0 else len(rows[0]) - 1,
                              columns=columns, task=task, seed=seed, source=path)

    return loader


_register_small("pima_diabetes", "pima-indians-diabetes.csv", -1,
                "UCI Pima Indians diabetes, 768 rows x 8, 2 classes", columns=PIMA_COLUMNS)
_register_small("sonar", "sonar.csv", -1, "UCI sonar, 208 rows x 60, rock/mine")
_register_small("ionosphere", "ionosphere.csv", -1, "UCI ionosphere, 351 rows x 34, 2 classes")
_register_small("banknote", "banknote_authentication.csv", -1,
                "UCI banknote authentication, 1,372 rows x 4, 2 classes",
                columns=BANKNOTE_COLUMNS)
_register_small("wine_quality_red", "winequality-red.csv", -1,
                "UCI red wine quality, 1,599 rows x 11, quality score (regression)",
                task="regression", columns=WINE_QUALITY_COLUMNS)
_register_small("wine_quality_white", "winequality-white.csv", -1,
                "UCI white wine quality, 4,898 rows x 11, quality score (regression)",
                task="regression", columns=WINE_QUALITY_COLUMNS)
