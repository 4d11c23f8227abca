"""A user's own data, and TensorFlow Datasets, as `Splits`.

`nnrecipes.data.load("<source>:<target>", ...)` reads:

- `tfds:<name>`: a TensorFlow Datasets dataset already prepared under
  `data_dir` (never downloaded here);
- `csv:<file>`: a CSV table, the target in column `target` (default: last);
- `images:<folder>`: `folder/<label>/*.png` (or `.jpg`, `.bmp`, `.gif`), or
  `folder/train/<label>/...` with `folder/test/<label>/...`;
- `text:<path>`: a folder `path/<label>/*.txt` (one example per file) or a
  file of `label<TAB>text` lines;
- `npz:<file>`: a NumPy `.npz` with `x` and `y` (or `x_train`, `y_train`,
  `x_test`, `y_test`).

`from_arrays(x, y)` turns arrays in memory into `Splits`. Without a test
split of its own, a fixed (seed 1234) stratified fifth of the data becomes
the test split, and 15% of the rest the validation split (by `seed`).
"""

import functools
import os

import numpy as np

from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import malformed
from nnrecipes.data.catalog import read_text_lines
from nnrecipes.data.catalog import register_source
from nnrecipes.data.catalog import stratified_split
from nnrecipes.data.tabular import DELIMITERS
from nnrecipes.data.tabular import categorical_columns
from nnrecipes.data.tabular import detect_delimiter
from nnrecipes.data.tabular import duplicate_names
from nnrecipes.data.tabular import encode_labels
from nnrecipes.data.tabular import generated_names
from nnrecipes.data.tabular import is_missing
from nnrecipes.data.tabular import is_number
from nnrecipes.data.tabular import read_csv_rows
from nnrecipes.data.tabular import rows_to_splits
from nnrecipes.data.text import text_array

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
KINDS = ("tabular", "image", "sequence", "text")


def _infer_kind(x):
    if x.dtype.kind in "OUS":
        return "text" if x.ndim == 1 else "tabular"
    return {2: "tabular", 3: "sequence", 4: "image"}.get(x.ndim)


def from_arrays(x, y, *, x_test=None, y_test=None, x_val=None, y_val=None, kind=None,
                task=None, class_names=None, seed=0, name="arrays", source="arrays", info=None,
                in_time_order=None, columns=None, categorical=None):
    """`Splits` from NumPy arrays.

    Args:
        x: inputs: `(n, features)` tabular, `(n, steps, features)`
            sequences, `(n, height, width, channels)` images, or `(n,)`
            strings.
        y: targets: integer class labels, or numbers for regression.
        x_test, y_test: a test split of its own. Defaults to `None` (split
            off from `x`).
        x_val, y_val: a validation split of its own. Defaults to `None`.
        kind: `"tabular"`, `"image"`, `"sequence"` or `"text"`. Defaults to
            the kind that `x`'s shape and dtype imply.
        task: `"classification"` or `"regression"`. Defaults to
            classification for integer or string targets.
        class_names: names of the classes. Defaults to the labels.
        seed: seed of the validation split. Defaults to `0`.
        name: the dataset's name. Defaults to `"arrays"`.
        source: where the data came from. Defaults to `"arrays"`.
        info: extra facts (see `Splits.info`). Defaults to `None`.
        in_time_order: the examples are windows of one series, oldest first:
            the test and validation splits are then the latest windows (a
            fifth, then 15% of the rest), with a window's length left out
            between the parts so no window overlaps another part's, instead
            of random picks that share time steps with the training windows.
            Defaults to `None`: yes for `"sequence"` inputs with regression
            targets (forecasting), no otherwise.
        columns: names of a table's columns, which an export records so that
            files of new rows are matched to them by name. Defaults to
            `None`: a pandas DataFrame's column names, else
            `info["columns"]`, else generated names (`column0`, ...), said
            as such in `Splits.table_columns()`.
        categorical: indices of a string table's category columns (the
            others hold numbers). Defaults to `None`: `info["categorical"]`,
            else the columns holding a cell that is neither a number nor
            missing.

    Returns:
        A `Splits`.

    Example:
    >>> splits = nnrecipes.data.from_arrays(np.random.rand(100, 2), np.arange(100) % 2,
    ...                                     columns=["height", "weight"])
    >>> splits.kind, splits.num_classes, splits.table_columns()["names"]
    ('tabular', 2, ['height', 'weight'])
    """
    if columns is None and hasattr(x, "columns") and hasattr(x, "to_numpy"):
        columns = [str(c) for c in x.columns]  # a pandas DataFrame
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must hold as many examples. "
                         f"Received: len(x)={len(x)}, len(y)={len(y)}")
    if len(x) < 10 and x_test is None:
        raise ValueError(f"At least 10 examples are needed to split off validation and test "
                         f"data. Received: {len(x)} examples")
    kind = kind or _infer_kind(x)
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {list(KINDS)}. Received: kind={kind!r} "
                         f"(x.shape={x.shape}, x.dtype={x.dtype})")
    if task is None:
        task = "classification" if y.dtype.kind in "iuOUSb" else "regression"
    if task not in ("classification", "regression"):
        raise ValueError(
            f"`task` must be 'classification' or 'regression'. Received: task={task!r}")
    parts = [y] + [p for p in (y_val, y_test) if p is not None]
    if task == "classification" and class_names is not None:
        class_names = [str(c) for c in class_names]

        def prepare_y(values):
            values = np.asarray(values).ravel()
            if values.dtype.kind not in "iu" or values.min() < 0 or \
                    values.max() >= len(class_names):
                raise ValueError(
                    f"With class_names, labels must be integers 0..{len(class_names) - 1}. "
                    f"Received: labels of dtype {values.dtype} in "
                    f"[{values.min()}, {values.max()}]")
            return values.astype("int32")
    elif task == "classification":
        labels = np.concatenate([np.asarray(p).ravel() for p in parts])
        _, class_names = encode_labels([str(v) for v in labels], name)
        encode = {v: i for i, v in enumerate(class_names)}

        def prepare_y(values):
            return np.asarray([encode[str(v)] for v in np.asarray(values).ravel()], "int32")
    else:
        def prepare_y(values):
            return np.asarray(values, dtype="float32").reshape(len(values), -1)

    if task == "classification":
        _check_two_classes(class_names, name, source)

    def prepare_x(values):
        values = np.asarray(values)
        if kind == "text":
            return text_array(values)
        if values.dtype.kind in "OUS":
            out = np.empty(values.shape, dtype=object)
            out[...] = values.astype(str)
            return out
        return values.astype("float32")

    if kind == "tabular" and x.ndim == 2:
        info = _table_info(x, info, columns, categorical, name)
    stratify = task == "classification"
    if in_time_order is None:
        in_time_order = kind == "sequence" and task == "regression"
    x, y = prepare_x(x), prepare_y(y)
    if in_time_order:
        gap = x.shape[1] if x.ndim > 1 else 1
        info = {"window": gap, **(info or {})}
        split = functools.partial(_latest_split, gap=gap, name=name)
    else:
        split = functools.partial(stratified_split, stratify=stratify)
    if x_test is None:
        x, y, x_test, y_test = split(x, y, 0.2, seed=1234)
    else:
        x_test, y_test = prepare_x(x_test), prepare_y(y_test)
    if x_val is None:
        x, y, x_val, y_val = split(x, y, 0.15, seed=seed)
    else:
        x_val, y_val = prepare_x(x_val), prepare_y(y_val)
    if kind == "image" and x.ndim == 3:
        x, x_val, x_test = x[..., None], x_val[..., None], x_test[..., None]
    return Splits(name, kind, x, y, x_val, y_val, x_test, y_test,
                  num_classes=len(class_names) if task == "classification" else None,
                  num_outputs=None if task == "classification" else y.shape[1],
                  class_names=class_names if task == "classification" else None,
                  source=source, info=info)


def _check_two_classes(class_names, name, source):
    """Refuses classification data of fewer than 2 classes, naming the one it has."""
    if len(class_names) >= 2:
        return
    where = "" if source in ("arrays", None) else f" ({source})"
    found = f"one class, {class_names[0]!r}" if class_names else "no class"
    raise ValueError(
        f"The data {name!r}{where} has {found}: a classifier needs examples of at least "
        f"2 classes (each label is a class: a `text:` file's text before the TAB, an "
        f"`images:` folder's subfolders, a CSV's label column). Received: "
        f"class_names={list(class_names)}")


def _table_info(x, info, columns, categorical, name):
    """`info` with a table's column names and category columns, checked."""
    info = dict(info or {})
    width = x.shape[1]
    if columns is not None:
        info["columns"] = [str(c) for c in columns]
        info.pop("column_names", None)
    if "columns" in info:
        names = info["columns"]
        if len(names) != width or duplicate_names(names):
            raise ValueError(
                f"Dataset {name!r}: `columns` must give each of the {width} columns a name of "
                f"its own. Received: columns={names}")
    else:
        info.update(columns=generated_names(width), column_names="generated")
    if categorical is not None:
        info["categorical"] = sorted(int(c) for c in categorical)
    elif "categorical" not in info:
        cells = x.astype(str) if x.dtype.kind in "OUS" else None
        info["categorical"] = [] if cells is None else categorical_columns(
            [[c.strip() for c in row] for row in cells], width)
    bad = [c for c in info["categorical"] if not 0 <= c < width]
    if bad:
        raise ValueError(f"Dataset {name!r}: `categorical` holds column indices outside "
                         f"0..{width - 1}. Received: categorical={info['categorical']}")
    return info


def _resolve(target, data_dir, what):
    """A user path: as given, else relative to `data_dir`."""
    for path in (os.path.expanduser(target),
                 os.path.join(data_dir, target) if data_dir else None):
        if path and os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"No {what} at {target!r}" + (f" (nor under data_dir {data_dir!r})" if data_dir else "")
        + ".")


def _latest_split(x, y, fraction, seed, *, gap, name):
    """Splits off the latest `fraction` of time-ordered windows, dropping the
    `gap` windows before them (they share time steps with the first of them)."""
    del seed  # the split is fixed by time
    n = len(x)
    tail = max(1, int(round(n * fraction)))
    end = n - tail - gap
    if end < 1:
        raise ValueError(
            f"Dataset {name!r}: {n} time-ordered windows of {gap} steps are too few to split "
            f"off the latest {fraction:.0%} with a {gap}-window gap. Give more data, or your "
            f"own x_val/x_test. Received: {n} windows")
    return x[:end], y[:end], x[n - tail:], y[n - tail:]


@register_source("csv", "a CSV file: 'csv:<file>', target column `label=` (default: the last)")
def load_csv(target, *, data_dir=None, seed=0, label=None, delimiter=None, header=None,
             task=None):
    """Reads a CSV table.

    A UTF-8 byte-order mark is dropped; duplicate column names, an infinite
    number (`inf`), an empty label, a file with no rows or only a header row,
    and a file that reads as one column are refused with an error that names
    them.

    Options (keyword arguments of `load`):
        label: the target column, by name (with a header) or index. Defaults
            to the last column.
        delimiter: the field separator. Defaults to `None`: the first of
            `,`, `;`, tab and `|` that gives every line the same number of
            fields (more than one).
        header: whether the first row names the columns. Defaults to `None`:
            yes when no cell of the first row is a number and either some
            cells of the second row are, or (an all-text table) no cell of
            the first row appears again in its column.
        task: `"classification"` or `"regression"`. Defaults to regression
            for a numeric target with more than 20 distinct values.
    """
    path = _resolve(target, data_dir, "CSV file")
    name = os.path.splitext(os.path.basename(path))[0]
    lines = read_text_lines(path, name)
    if delimiter is None:
        delimiter = detect_delimiter(lines)
    _, rows = read_csv_rows(path, name, delimiter=delimiter)  # refuses an empty file
    if len(rows[0]) < 2:
        others = [d for d in DELIMITERS if d != delimiter and d in lines[0]]
        raise ValueError(
            f"Dataset {name!r}: {path!r} reads as a single column with delimiter "
            f"{delimiter!r}; a table needs feature columns and a label column."
            + (f" Its lines hold {others[0]!r}: pass delimiter={others[0]!r}." if others
               else "") + f" Received: first line {lines[0][:80]!r}")
    if header is None:
        header = not any(is_number(c) for c in rows[0]) and (
            len(rows) == 1 or any(is_number(c) for c in rows[1])
            or all(all(row[i] != cell for row in rows[1:] if i < len(row))
                   for i, cell in enumerate(rows[0])))
    columns = rows.pop(0) if header else None
    if not rows:
        raise ValueError(f"Dataset {name!r}: {path!r} holds only a header row and no data "
                         f"rows. Received: header={columns}")
    names = columns or generated_names(len(rows[0]))
    twice = duplicate_names(names)
    if twice:
        raise ValueError(f"Dataset {name!r}: the header of {path!r} names the columns "
                         f"{twice} more than once; each column needs a name of its own. "
                         f"Received: header={names}")
    if label is None:
        index = len(names) - 1
    elif isinstance(label, int) and -len(names) <= label < len(names):
        index = label % len(names)
    elif label in names:
        index = names.index(label)
    else:
        raise ValueError(f"{path!r} has no column {label!r}. Valid: {names} or an index. "
                         f"Received: label={label!r}")
    first = 2 if header else 1
    empty = [number for number, row in enumerate(rows, start=first) if is_missing(row[index])]
    if empty:
        raise ValueError(
            f"Dataset {name!r}: the label column {names[index]!r} of {path!r} is empty or "
            f"missing in {len(empty)} row(s), on line(s) {empty[:5]}; every row needs a "
            f"label (drop those rows). Received: {[rows[n - first][index] for n in empty[:5]]}")
    if task is None:
        values = [row[index] for row in rows]
        numeric = all(is_number(v) for v in values)
        task = "regression" if numeric and len(set(values)) > 20 else "classification"
    return rows_to_splits(name, rows, target=index, columns=columns, task=task, seed=seed,
                          source=os.path.abspath(path), first_row=first)


def _decode_image(path, image_size):
    import tensorflow as tf

    try:
        image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
    except (tf.errors.InvalidArgumentError, tf.errors.NotFoundError) as error:
        raise ValueError(f"{path!r} is not a readable image (PNG, JPEG, BMP or GIF): "
                         f"{error.message.splitlines()[0]}") from None
    if image_size is not None:
        image = tf.image.resize(image, image_size)
    return image.numpy().astype("float32")


def _image_tree(folder, image_size):
    labels = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))
    images, names = [], []
    for label in labels:
        for file in sorted(os.listdir(os.path.join(folder, label))):
            if file.lower().endswith(IMAGE_EXTENSIONS):
                images.append(_decode_image(os.path.join(folder, label, file), image_size))
                names.append(label)
    if not images:
        raise ValueError(f"{folder!r} holds no images: expected {folder}/<label>/*.png "
                         f"(or {', '.join(IMAGE_EXTENSIONS[1:])}).")
    shapes = {image.shape for image in images}
    if len(shapes) > 1:
        raise ValueError(f"The images under {folder!r} differ in size {sorted(shapes)[:4]}; "
                         "pass image_size=(height, width) to resize them.")
    return np.stack(images), np.asarray(names)


@register_source("images", "an image folder: 'images:<folder>' with <label>/*.png "
                           "(or train/ and test/ subfolders)")
def load_image_folder(target, *, data_dir=None, seed=0, image_size=None):
    """Reads `folder/<label>/*.png` (or `folder/{train,test}/<label>/*.png`).

    Options: `image_size=(height, width)` resizes every image. Pixels keep
    their raw range (e.g. 0-255); the model normalizes them.
    """
    folder = _resolve(target, data_dir, "image folder")
    name = os.path.basename(os.path.normpath(folder))
    train_dir, test_dir = os.path.join(folder, "train"), os.path.join(folder, "test")
    if os.path.isdir(train_dir) and os.path.isdir(test_dir):
        x, y = _image_tree(train_dir, image_size)
        x_test, y_test = _image_tree(test_dir, image_size)
    else:
        (x, y), x_test, y_test = _image_tree(folder, image_size), None, None
    return from_arrays(x, y, x_test=x_test, y_test=y_test, kind="image",
                       task="classification", seed=seed, name=name,
                       source=os.path.abspath(folder))


@register_source("text", "text: 'text:<folder>' with <label>/*.txt, or a file of "
                         "label<TAB>text lines")
def load_text(target, *, data_dir=None, seed=0, encoding=None):
    """Reads labelled text: a folder `<label>/*.txt` or a `label<TAB>text` file."""
    path = _resolve(target, data_dir, "text folder or file")
    name = os.path.splitext(os.path.basename(os.path.normpath(path)))[0]
    texts, labels = [], []
    encodings = (encoding,) if encoding else ("utf-8", "latin-1")
    if os.path.isdir(path):
        for label in sorted(os.listdir(path)):
            folder = os.path.join(path, label)
            if not os.path.isdir(folder):
                continue
            for file in sorted(os.listdir(folder)):
                if file.endswith(".txt"):
                    lines = read_text_lines(os.path.join(folder, file), name, encodings)
                    texts.append(" ".join(lines))
                    labels.append(label)
        if not texts:
            raise ValueError(f"{path!r} holds no text files: expected {path}/<label>/*.txt.")
    else:
        for number, line in enumerate(read_text_lines(path, name, encodings), start=1):
            label, tab, text = line.partition("\t")
            if not tab or not label.strip():
                raise malformed(name, path, number, "'<label><TAB><text>'", line)
            texts.append(text)
            labels.append(label.strip())
    return from_arrays(text_array(texts), np.asarray(labels), kind="text",
                       task="classification", seed=seed, name=name,
                       source=os.path.abspath(path))


@register_source("npz", "NumPy arrays: 'npz:<file>' holding x and y (or x_train, y_train, "
                        "x_val, y_val, x_test, y_test); windows of a series split by time")
def load_npz(target, *, data_dir=None, seed=0, kind=None, task=None):
    """Reads a `.npz` file of `x`, `y` (or `x_train`, `y_train`, and optionally
    `x_val`, `y_val`, `x_test`, `y_test`); see `from_arrays` for the splits."""
    path = _resolve(target, data_dir, "NumPy .npz file")
    with np.load(path, allow_pickle=False) as arrays:
        keys = set(arrays.files)
        if {"x_train", "y_train"} <= keys:
            x, y = arrays["x_train"], arrays["y_train"]
            parts = {key: arrays[key] if key in keys else None
                     for key in ("x_val", "y_val", "x_test", "y_test")}
        elif {"x", "y"} <= keys:
            x, y = arrays["x"], arrays["y"]
            parts = {}
        else:
            raise ValueError(f"{path!r} should hold arrays 'x' and 'y' (or 'x_train', "
                             f"'y_train', and optionally 'x_val', 'y_val', 'x_test', "
                             f"'y_test'). Received: {sorted(keys)}")
    name = os.path.splitext(os.path.basename(path))[0]
    return from_arrays(x, y, kind=kind, task=task, seed=seed, name=name,
                       source=os.path.abspath(path), **parts)


TFDS_HELP = (
    "This machine has no network, so TFDS cannot download it. Provide the prepared "
    "files instead: run `tfds build {name} --data_dir=DIR` (or tfds.load({name!r}, "
    "data_dir=DIR)) on a machine with network access and copy DIR here; or, for a "
    "builder that reads raw files, place them in DIR/downloads/manual and run "
    "`tfds build {name} --data_dir=DIR --manual_dir=DIR/downloads/manual`. Then pass "
    "data_dir=DIR (--data-dir DIR, or set NNRECIPES_DATA_DIR)."
)


@register_source("tfds", "TensorFlow Datasets: 'tfds:<name>', prepared under data_dir "
                         "(nothing is downloaded)")
def load_tfds(target, *, data_dir=None, seed=0, image_key=None, label_key=None):
    """Reads a TensorFlow Datasets dataset already prepared under `data_dir`.

    The input and label features are the dataset's supervised keys, else its
    one `ClassLabel` feature and one other feature (or give `image_key=` and
    `label_key=`). Splits named `train`, `validation` (or `dev`) and `test`
    are used; a missing one is split off from `train`.
    """
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(target, data_dir=data_dir)
        prepared = builder.is_prepared() if hasattr(builder, "is_prepared") else False
    except tfds.core.registered.DatasetNotFoundError:
        builder, prepared = None, False
    if not prepared:
        where = data_dir or "the default TFDS folder (~/tensorflow_datasets)"
        raise FileNotFoundError(
            f"TFDS dataset {target!r} is not prepared in {where}. "
            + TFDS_HELP.format(name=target))
    info = builder.info
    features = info.features
    input_key, output_key = image_key, label_key
    if info.supervised_keys and not (input_key or output_key):
        input_key, output_key = info.supervised_keys[:2]
    if not (input_key and output_key):
        labels = [k for k, f in features.items() if isinstance(f, tfds.features.ClassLabel)]
        others = [k for k in features if k not in labels]
        if len(labels) != 1 or len(others) != 1:
            raise ValueError(
                f"TFDS dataset {target!r} has features {list(features)}: name the input and "
                "the label with image_key=... and label_key=...")
        input_key, output_key = others[0], labels[0]
    arrays = {}
    for split in info.splits:
        batch = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
        x = batch[input_key]
        if x.dtype.kind in "OS":
            x = np.asarray([v.decode("utf-8", "replace") for v in x], dtype=object)
        arrays[split] = (x, batch[output_key])
    train = arrays.get("train")
    if train is None:
        raise ValueError(f"TFDS dataset {target!r} has no 'train' split. "
                         f"Received splits: {sorted(arrays)}")
    val = arrays.get("validation") or arrays.get("dev") or (None, None)
    test = arrays.get("test") or (None, None)
    label_feature = features[output_key]
    names = (list(label_feature.names) if isinstance(label_feature, tfds.features.ClassLabel)
             else None)
    return from_arrays(train[0], train[1], x_val=val[0], y_val=val[1], x_test=test[0],
                       y_test=test[1], seed=seed, name=target, class_names=names,
                       task="classification" if names else None,
                       source=f"tfds:{target} ({data_dir})")
