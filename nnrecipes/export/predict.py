"""Run an export on a file of new raw inputs and write the predictions as CSV.

Inputs: a CSV table (columns matched by header name), a text file (one
text per line) or a folder of `.txt` files, a folder of images, or a
`.npy` array. Everything is checked against what the export takes (shape,
dtype, columns) before its batch is predicted, and the output file only
appears when every input was predicted.
"""

import csv
import os

import numpy as np

from nnrecipes.export.runtime import Runner

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _expects(runner):
    shape = runner.input_shape
    if runner.input_dtype == "string":
        return "texts" if shape == () else f"rows of {shape[0]} raw cells"
    return f"{runner.input_dtype} arrays of shape {shape}"


def _mismatch(runner, what, path):
    return ValueError(f"This export ({runner.version_dir}) takes {_expects(runner)}; "
                      f"{path!r} holds {what}. Received: input={path!r}")


def _columns(runner):
    info = (runner.manifest.get("dataset") or {}).get("info") or {}
    return info.get("columns")


def _csv_source(runner, path):
    shape = runner.input_shape
    if len(shape) != 1:
        raise _mismatch(runner, "a table", path)
    with open(path, newline="", encoding="utf-8") as f:
        first = next(csv.reader(f), None)
    if first is None:
        raise ValueError(f"{path!r} is empty. Received: input={path!r}")
    first = [c.strip() for c in first]
    names = _columns(runner)
    if names is not None:
        missing = [c for c in names if c not in first]
        extra = [c for c in first if c not in names]
        if missing or extra:
            raise ValueError(
                f"The columns of {path!r} do not match the export's: "
                + "; ".join(p for p in (f"missing {missing}" if missing else "",
                                        f"not in the export {extra}" if extra else "") if p)
                + f". The export takes these columns, in any order: {names}. "
                f"Received: {first}")
        order, skip_header = [first.index(c) for c in names], True
    else:  # no names recorded: columns by position, a header row if any
        if len(first) != shape[0]:
            raise ValueError(f"The export takes rows of {shape[0]} columns; {path!r} has "
                             f"{len(first)}. Received: {first[:8]}")
        order = list(range(shape[0]))
        skip_header = not all(_is_number(c) for c in first)

    def rows():
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            if skip_header:
                next(reader)
            for line, row in enumerate(reader, start=2 if skip_header else 1):
                if not row:
                    continue
                if len(row) != len(first):
                    raise ValueError(f"{path!r}, line {line}: {len(row)} fields, the header "
                                     f"has {len(first)}. Received: {row[:8]}")
                cells = [row[i].strip() for i in order]
                if runner.input_dtype != "string":
                    bad = [c for c in cells if not _is_number(c)]
                    if bad:
                        raise ValueError(f"{path!r}, line {line}: the export takes numbers; "
                                         f"{bad[0]!r} is not one. Received: {cells[:8]}")
                yield f"row {line}", cells

    return _count_rows(path) - (1 if skip_header else 0), rows()


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _count_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
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
    raise ValueError(f"This export ({runner.version_dir}) takes inputs of shape {shape}; "
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
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    if array.ndim == 0:
        raise ValueError(f"{path!r} holds a scalar; give one example per row. "
                         f"Received: shape={array.shape}")
    if runner.input_dtype == "string":
        if array.dtype.kind not in "US":
            raise _mismatch(runner, f"a {array.dtype} array", path)
    elif array.dtype.kind not in "biuf":
        raise _mismatch(runner, f"a {array.dtype} array", path)
    _fit_shape(runner, np.asarray(array[0]), f"each example of {path!r}")

    def examples():
        for index in range(len(array)):
            yield f"index {index}", _fit_shape(runner, np.asarray(array[index]), path)

    return len(array), examples()


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


def predict_file(version_dir, input_path, output, *, runtime="saved_model", batch_size=256,
                 progress=True):
    """Predicts every input in `input_path` with an export; writes a CSV.

    Args:
        version_dir: an export version folder, e.g. `"saved_models/cnn/1"`.
        input_path: a `.csv` table, a text file (one text per line) or a
            folder of `.txt` files, a folder of images, or a `.npy` array.
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
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. "
                         f"Received: batch_size={batch_size!r}")
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
            batch, names = [], []
            for name, example in _with_end(examples):
                if name is not None:
                    batch.append(example)
                    names.append(name)
                if batch and (len(batch) == batch_size or name is None):
                    x = np.asarray(batch, dtype=object if runner.input_dtype == "string"
                                   else "float32")
                    outputs = np.asarray(runner(x), dtype="float64")
                    if writer is None:
                        writer = csv.writer(f)
                        writer.writerow(output_columns(runner.manifest, outputs.shape[-1]))
                    for label, row in zip(names, outputs):
                        first = [classes[int(row.argmax())]] if classify else []
                        writer.writerow([label, *first, *(f"{v:.7g}" for v in row)])
                    done += len(batch)
                    if bar is not None:
                        bar.update(done)
                    batch, names = [], []
        os.replace(staging, output)
    finally:
        if os.path.exists(staging):
            os.remove(staging)
    return done


def _with_end(items):
    yield from items
    yield None, None
