"""Run a model or an export on new raw inputs: `nnrecipes.predict` returns the
outputs, `predict_file` (the `nnrecipes predict` command) writes them as CSV.

Inputs: a CSV table or a pandas DataFrame (columns matched by name, in any
order; a CSV file without a header row by position, when its width
matches), a text file (one text per line) or a folder of `.txt` files, a
folder of images, a `.npy` array, or an array in memory. Everything is
checked against what the model takes (shape, dtype, column names, finite
numbers) before its batch is predicted, and the output file only appears
when every input was predicted.
"""

import csv
import difflib
import os

import numpy as np

from nnrecipes.data.tabular import MISSING
from nnrecipes.data.tabular import detect_delimiter
from nnrecipes.data.tabular import duplicate_names
from nnrecipes.data.tabular import generated_names
from nnrecipes.data.tabular import is_infinite
from nnrecipes.data.tabular import is_missing
from nnrecipes.data.tabular import is_number
from nnrecipes.export.runtime import ModelRunner
from nnrecipes.export.runtime import Runner

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _expects(runner):
    shape = runner.input_shape
    if runner.input_dtype == "string":
        return "texts" if shape == () else f"rows of {shape[0]} raw cells"
    return f"{runner.input_dtype} arrays of shape {shape}"


def _mismatch(runner, what, path):
    return ValueError(f"{runner.label} takes {_expects(runner)}; "
                      f"{path!r} holds {what}. Received: input={path!r}")


def export_columns(runner):
    """The input columns of a table export: `(names, types, generated)`.

    From the manifest's `dataset.columns` (see
    `nnrecipes.data.Splits.table_columns`); for an export written before it
    was recorded, from `dataset.info.columns`, else generated names
    (`column0`, ...), whose types are unknown (None) for string rows.
    """
    width = runner.input_shape[0]
    dataset = runner.manifest.get("dataset") or {}
    record = dataset.get("columns") if isinstance(dataset, dict) else None
    if record and len(record.get("names") or ()) == width:
        return list(record["names"]), list(record["types"]), bool(record.get("generated"))
    info = (dataset.get("info") if isinstance(dataset, dict) else None) or {}
    numeric = runner.input_dtype != "string"
    if len(info.get("columns") or ()) == width:
        categorical = set(info.get("categorical") or ())
        types = ["category" if c in categorical else "number" for c in range(width)] if (
            numeric or "categorical" in info) else [None] * width
        return list(info["columns"]), types, info.get("column_names") == "generated"
    return generated_names(width), ["number" if numeric else None] * width, True


def _fits(cell, kind):
    """Whether a cell could be a value of a column of this type."""
    return kind != "number" or is_number(cell) or is_missing(cell)


def match_columns(runner, header, where):
    """Where each of the export's columns is in `header`, or an error naming
    each missing, unknown and repeated name.

    Returns:
        The index in `header` of each export column, in the export's order.
    """
    names, _, generated = export_columns(runner)
    twice = duplicate_names(header)
    missing = [n for n in names if n not in header]
    unknown = [n for n in header if n not in names]
    if not (twice or missing or unknown):
        return [header.index(n) for n in names]
    hints = {n: difflib.get_close_matches(n, missing, n=1) for n in unknown}
    parts = ([f"repeated {twice}"] if twice else []) + (
        [f"missing {missing}"] if missing else []) + (
        [f"not in the export {unknown}"] if unknown else [])
    close = [f"{n!r} -> {m[0]!r}?" for n, m in hints.items() if m]
    raise ValueError(
        f"The columns of {where} do not match the export's: {'; '.join(parts)}"
        + (f" (close names: {', '.join(close)})" if close else "")
        + f". The export takes these {len(names)} columns, in any order: {names}"
        + (" (names made up at training, where the data named none: a file without a "
           "header row is read by position)" if generated else "")
        + f". Received: {header}")


def _table_layout(runner, first, where):
    """How to read a table whose first row is `first`: `(order, has_header)`.

    The first row is a header unless it reads as data: none of its cells is
    a column name and each fits its column's type. A header must hold the
    export's names exactly (in any order); a file without one is read by
    position, only when its width matches.
    """
    names, types, generated = export_columns(runner)
    known = set(names)
    named = [c for c in first if c in known]
    data_like = not named and all(_fits(c, t) for c, t in zip(first, types))
    if not data_like:
        return match_columns(runner, first, where), True
    if len(first) != len(names):
        raise ValueError(
            f"{where} has no header row and {len(first)} columns; the export takes "
            f"{len(names)}: {names}. Give a header row of those names (any order), or rows "
            f"of exactly {len(names)} cells in that order. Received: first row {first[:8]}")
    if not generated and "number" not in types:
        raise ValueError(
            f"{where}: the export's columns all hold categories, so its first row cannot be "
            f"told apart from a header of other names; give a header row of the export's "
            f"names (any order): {names}. Received: first row {first[:8]}")
    return list(range(len(names))), False


def checked_cells(runner, cells, where):
    """A row's cells (in the export's order) as the export takes them, or an
    error naming the bad cell: a float export takes finite numbers only; a
    string one takes any cell but an infinite number."""
    names, types, _ = export_columns(runner)
    for name, kind, cell in zip(names, types, cells):
        if is_infinite(cell):
            raise ValueError(f"{where}: column {name!r} holds an infinite number ({cell!r}); "
                             f"give a finite number, or a missing cell as one of "
                             f"{list(MISSING)}. Received: {cell!r}")
        if runner.input_dtype != "string" and not is_number(cell):
            raise ValueError(f"{where}: the export takes numbers, and column {name!r} holds "
                             f"{cell!r}, which is not one (this export cannot fill a missing "
                             f"cell). Received: {cells[:8]}")
    return cells


def _csv_source(runner, path):
    shape = runner.input_shape
    if len(shape) != 1:
        raise _mismatch(runner, "a table", path)
    with open(path, newline="", encoding="utf-8-sig") as f:  # drops a byte-order mark
        sample = [line for line, _ in zip(f, range(50)) if line.strip()]
    if not sample:
        raise ValueError(f"{path!r} is empty: it holds no rows, not even a header. "
                         f"Received: input={path!r}")
    delimiter = detect_delimiter([line.rstrip("\r\n") for line in sample])
    first = [c.strip() for c in next(csv.reader(sample[:1], delimiter=delimiter))]
    order, has_header = _table_layout(runner, first, repr(path))

    def rows():
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            for line, row in enumerate(reader, start=1):
                if not row or (line == 1 and has_header):
                    continue
                if len(row) != len(first):
                    raise ValueError(f"{path!r}, line {line}: {len(row)} fields, the first "
                                     f"row has {len(first)}. Received: {row[:8]}")
                where = f"{path!r}, line {line}"
                yield f"row {line}", checked_cells(runner, [row[i].strip() for i in order],
                                                   where)

    count = _count_rows(path) - (1 if has_header else 0)
    if count == 0:
        raise ValueError(f"{path!r} holds only a header row and no rows to predict. "
                         f"Received: header={first}")
    return count, rows()


def _count_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return sum(1 for row in csv.reader(f) if row)


def _text_source(runner, path):
    if runner.input_dtype != "string" or runner.input_shape != ():
        raise _mismatch(runner, "text", path)
    if os.path.isdir(path):
        files = sorted(f for f in os.listdir(path) if f.endswith(".txt"))

        def texts():
            for file in files:
                with open(os.path.join(path, file), encoding="utf-8") as f:
                    yield file, " ".join(f.read().split("\n"))

        return len(files), texts()
    with open(path, encoding="utf-8") as f:
        count = sum(1 for _ in f)

    def lines():
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                yield f"line {number}", line.rstrip("\n")

    return count, lines()


def _fit_shape(runner, array, where):
    """An example's array in the export's shape, or an error naming both."""
    shape = runner.input_shape
    if array.shape == shape:
        return array
    if array.ndim == 3:
        height, width, channels = array.shape
        if shape in ((height, width * channels), (height * width * channels,)):
            # Images read row by row, or flattened, as `Splits.as_kind` views them.
            return array.reshape(shape)
    raise ValueError(f"{runner.label} takes inputs of shape {shape}; "
                     f"{where} has shape {array.shape}. Received: shape={array.shape}")


def _image_source(runner, path, files):
    if runner.input_dtype == "string":
        raise _mismatch(runner, "images", path)
    import tensorflow as tf

    def images():
        for file in files:
            full = os.path.join(path, file)
            try:
                image = tf.io.decode_image(tf.io.read_file(full), expand_animations=False)
            except tf.errors.InvalidArgumentError:
                raise ValueError(f"{full!r} is not a readable image "
                                 f"({', '.join(IMAGE_EXTENSIONS)}).") from None
            yield file, _fit_shape(runner, image.numpy().astype("float32"), full)

    return len(files), images()


def _npy_source(runner, path):
    return _array_source(runner, np.load(path, mmap_mode="r", allow_pickle=False), repr(path))


def _array_source(runner, array, where):
    """`(count, examples)` of an array: one example per row, a table's cells by
    position (they are checked as a CSV row's are)."""
    if array.ndim == 0:
        raise ValueError(f"{where} holds a scalar; give one example per row. "
                         f"Received: shape={array.shape}")
    strings = array.dtype.kind in "OUS"
    table = len(runner.input_shape) == 1
    if runner.input_dtype == "string" and not strings or (
            runner.input_dtype != "string" and array.dtype.kind not in "biuf"
            and not (strings and table)):
        raise _mismatch(runner, f"a {array.dtype} array", where)
    _fit_shape(runner, np.asarray(array[0]), f"each example of {where}")

    def examples():
        for index in range(len(array)):
            example = _fit_shape(runner, np.asarray(array[index]), where)
            if table and strings:
                example = checked_cells(runner, [str(c).strip() for c in example],
                                        f"{where}, row {index}")
            elif runner.input_dtype != "string" and not np.isfinite(example).all():
                raise ValueError(f"{where}, row {index}: the export takes finite numbers; "
                                 f"this example holds NaN or infinite values. "
                                 f"Received: {np.asarray(example).ravel()[:8].tolist()}")
            yield f"index {index}", example

    return len(array), examples()


def _frame_source(runner, frame):
    """`(count, examples)` of a pandas DataFrame: its columns matched by name."""
    if len(runner.input_shape) != 1:
        raise _mismatch(runner, "a table (a DataFrame)", "the DataFrame")
    order = match_columns(runner, [str(c) for c in frame.columns], "the DataFrame")
    cells = frame.to_numpy(dtype=object)

    def examples():
        for index, row in zip(frame.index, cells):
            yield f"row {index}", checked_cells(runner, [str(row[i]).strip() for i in order],
                                                f"the DataFrame, row {index}")

    return len(frame), examples()


def open_inputs(runner, path):
    """`(count, iterator of (name, raw example))` for an input file or folder."""
    if os.path.isdir(path):
        names = sorted(os.listdir(path))
        images = [n for n in names if n.lower().endswith(IMAGE_EXTENSIONS)]
        if images:
            return _image_source(runner, path, images)
        if any(n.endswith(".txt") for n in names):
            return _text_source(runner, path)
        raise ValueError(f"{path!r} holds neither images ({', '.join(IMAGE_EXTENSIONS)}) nor "
                         f".txt files. Received: input={path!r}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No input file or folder at {path!r}. Received: input={path!r}")
    lowered = path.lower()
    if lowered.endswith(".npy"):
        return _npy_source(runner, path)
    if lowered.endswith(".csv"):
        return _csv_source(runner, path)
    return _text_source(runner, path)


def output_columns(manifest, width):
    """The CSV header: input, predicted, then one column per output."""
    classes = manifest.get("class_names")
    if manifest.get("task") == "classification" and classes:
        scores = (manifest.get("hyperparameters") or {}).get("loss") == "hinge"
        return ["input", "predicted", *[f"{'score' if scores else 'prob'}_{c}"
                                        for c in classes]]
    if width == 1:
        return ["input", "predicted"]
    return ["input", *[f"predicted_{k}" for k in range(width)]]


def _runner(model, runtime, manifest):
    if isinstance(model, (Runner, ModelRunner)):
        return model
    if isinstance(model, (str, os.PathLike)):
        return Runner(os.fspath(model), runtime)
    if hasattr(model, "inputs") and callable(model):
        return ModelRunner(model, manifest)
    raise ValueError(f"`model` must be an export version folder, a `keras.Model` or a "
                     f"`Runner`. Received: model={type(model).__name__}")


def _check_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. "
                         f"Received: batch_size={batch_size!r}")


def _predicted(runner, examples, batch_size):
    """`(names, outputs)` of each batch of `examples`, run by `runner`."""
    batch, names = [], []
    for name, example in _with_end(examples):
        if name is not None:
            batch.append(example)
            names.append(name)
        if batch and (len(batch) == batch_size or name is None):
            x = np.asarray(batch, dtype=object if runner.input_dtype == "string"
                           else "float32")
            yield names, np.asarray(runner(x), dtype="float32")
            batch, names = [], []


def predict(model, x, *, runtime="saved_model", batch_size=256, manifest=None):
    """Predictions of a model or an export on raw inputs, checked first.

    The inputs are what the dataset's splits hold: texts, raw table rows
    (strings, categories and all), pixels. They are checked as `nnrecipes
    predict` checks a file, with the same code: a table's columns are
    matched by name (a pandas DataFrame's, or a CSV file's header, in any
    order) and a name the model does not take, or one it misses, is
    refused; an array is read by position, only when its width matches.

    Args:
        model: an export version folder (e.g. `"saved_models/mlp/1"`), a
            `keras.Model` (e.g. `TrainResult.model`), or a
            `nnrecipes.export.Runner`.
        x: inputs: an array (or list) of examples, a pandas DataFrame, or
            the path of a file or folder as `nnrecipes predict` takes.
        runtime: for an export folder, `"saved_model"`, `"onnx"` or
            `"litert"`. Defaults to `"saved_model"`.
        batch_size: inputs per call. Defaults to `256`.
        manifest: for a `keras.Model`, its run's record (`TrainResult.manifest`),
            whose dataset names the table's columns. Defaults to `None`.

    Returns:
        The model's outputs, a float32 array `(n, outputs)`: class
        probabilities for a classifier, predicted values for regression.

    Example:
    ```python
    splits = nnrecipes.data.load("adult")
    result = nnrecipes.train("mlp", splits, epochs=3)
    probabilities = nnrecipes.predict(result.model, splits.x_test, manifest=result.manifest)
    same = nnrecipes.predict(result.export_path, "rows.csv", runtime="onnx")
    ```
    """
    _check_batch_size(batch_size)
    runner = _runner(model, runtime, manifest)
    if isinstance(x, (str, os.PathLike)):
        count, examples = open_inputs(runner, os.fspath(x))
    elif hasattr(x, "columns") and hasattr(x, "to_numpy"):
        count, examples = _frame_source(runner, x)
    else:
        array = np.asarray(x)
        if array.dtype.kind == "O" and runner.input_dtype != "string" and not (
                len(runner.input_shape) == 1):
            array = array.astype("float32")
        count, examples = _array_source(runner, array, "the inputs")
    if count == 0:
        raise ValueError(f"No inputs to predict. Received: x of {count} examples")
    outputs = [out for _, out in _predicted(runner, examples, batch_size)]
    return np.concatenate(outputs, axis=0)


def predict_file(version_dir, input_path, output, *, runtime="saved_model", batch_size=256,
                 progress=True):
    """Predicts every input in `input_path` with an export; writes a CSV.

    Args:
        version_dir: an export version folder, e.g. `"saved_models/cnn/1"`.
        input_path: a `.csv` table (columns matched by header name, in any
            order; a file with no header row by position), a text file (one
            text per line) or a folder of `.txt` files, a folder of images,
            or a `.npy` array.
        output: the CSV file to write.
        runtime: `"saved_model"`, `"onnx"` or `"litert"`. Defaults to
            `"saved_model"`.
        batch_size: inputs per call. Defaults to `256`.
        progress: show a progress bar. Defaults to `True`.

    Returns:
        The number of inputs predicted.

    Example:
    ```python
    nnrecipes.export.predict_file("saved_models/gru/1", "messages.txt", "out.csv")
    ```
    """
    _check_batch_size(batch_size)
    runner = Runner(version_dir, runtime)
    count, examples = open_inputs(runner, input_path)
    if count == 0:
        raise ValueError(f"{input_path!r} holds no inputs. Received: input={input_path!r}")
    bar = None
    if progress:
        import keras

        bar = keras.utils.Progbar(count, unit_name="input")
    classes = runner.manifest.get("class_names")
    classify = runner.manifest.get("task") == "classification" and classes
    staging = f"{output}.tmp-{os.getpid()}"
    done = 0
    try:
        with open(staging, "w", newline="", encoding="utf-8") as f:
            writer = None
            for names, outputs in _predicted(runner, examples, batch_size):
                if writer is None:
                    writer = csv.writer(f)
                    writer.writerow(output_columns(runner.manifest, outputs.shape[-1]))
                for label, row in zip(names, outputs.astype("float64")):
                    first = [classes[int(row.argmax())]] if classify else []
                    writer.writerow([label, *first, *(f"{v:.7g}" for v in row)])
                done += len(names)
                if bar is not None:
                    bar.update(done)
        os.replace(staging, output)
    finally:
        if os.path.exists(staging):
            os.remove(staging)
    return done


def _with_end(items):
    yield from items
    yield None, None
