"""Datasets by name, with train/validation/test splits, read offline.

`load(name)` returns a `Splits`. The scikit-learn sets come with its wheel and
work on any machine; the others are read from a data directory
(`data_dir=`, or the `NNRECIPES_DATA_DIR` environment variable) laid out as in
the project's shared data folder, e.g. `DIR/fashion_mnist/*.gz`.
"""

import dataclasses
import gzip
import os
import struct

import numpy as np

from nnrecipes.names import did_you_mean

DATA_DIR_ENV = "NNRECIPES_DATA_DIR"

_LOADERS = {}  # name -> (loader function, one-line description)
_SOURCES = {}  # prefix -> (source function, one-line description)


@dataclasses.dataclass
class Splits:
    """A dataset split three ways, as NumPy arrays.

    Attributes:
        name: the dataset's name.
        kind: what one example is: `"tabular"`, `"image"`, `"sequence"`, or
            `"text"` (strings).
        x_train, y_train, x_val, y_val, x_test, y_test: the splits.
        num_classes: number of classes for classification, else None.
        num_outputs: number of regression targets, else None.
        class_names: names of the classes, where known.
        source: where the data came from.
        info: extra facts a kind needs, e.g. the column names and which are
            categorical (tabular), or the target's feature index, window and
            horizon (forecasting).
    """

    name: str
    kind: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int = None
    num_outputs: int = None
    class_names: list = None
    source: str = ""
    info: dict = None

    @property
    def input_shape(self):
        return tuple(self.x_train.shape[1:])

    def summary(self):
        """A dict for manifests and logs: name, kind, sizes, classes, info, and
        for a table its `columns` (see `table_columns`)."""
        return {
            "name": self.name, "kind": self.kind, "input_shape": list(self.input_shape),
            "train": len(self.x_train), "validation": len(self.x_val),
            "test": len(self.x_test), "num_classes": self.num_classes,
            "num_outputs": self.num_outputs, "source": self.source, "info": self.info,
            **({"columns": self.table_columns()} if self.kind == "tabular" else {}),
        }

    def table_columns(self):
        """The input columns of a table, as an export records them.

        Returns:
            `{"names": [...], "types": [...], "generated": bool}`: one name
            and one type (`"number"` or `"category"`) per input column, and
            whether the names were made up (`column0`, ...) because the
            data named none. None for data that is not a table.

        Example:
        >>> nnrecipes.data.load("wine").table_columns()["names"][:2]
        ['alcohol', 'malic_acid']
        """
        if self.kind != "tabular" or len(self.input_shape) != 1:
            return None
        width = self.input_shape[0]
        info = self.info or {}
        names = info.get("columns")
        generated = names is None or info.get("column_names") == "generated"
        names = [str(n) for n in names] if names is not None else [
            f"column{i}" for i in range(width)]
        if len(names) != width:
            raise ValueError(f"Dataset {self.name!r}: info['columns'] names {len(names)} "
                             f"columns, the rows have {width}. Received: columns={names}")
        categorical = set(info.get("categorical") or ())
        return {"names": names,
                "types": ["category" if c in categorical else "number" for c in range(width)],
                "generated": generated}

    def majority_accuracy(self, part="test"):
        """Accuracy of always predicting the training split's most common class.

        The floor any classifier must clear on `part` (`"val"` or `"test"`).

        Example:
        >>> round(nnrecipes.data.load("digits").majority_accuracy(), 3) < 0.15
        True
        """
        if self.num_classes is None:
            raise ValueError(f"Dataset {self.name!r} is a regression dataset: it has no "
                             "majority class. Received: num_classes=None")
        if part not in ("val", "test"):
            raise ValueError(f"`part` must be 'val' or 'test'. Received: part={part!r}")
        return float(np.mean(np.asarray(getattr(self, f"y_{part}")).ravel()
                             == self.majority_class()))

    def majority_class(self):
        """The most common class of the training split (its index)."""
        if self.num_classes is None:
            raise ValueError(f"Dataset {self.name!r} is a regression dataset: it has no "
                             "majority class. Received: num_classes=None")
        return int(np.bincount(np.asarray(self.y_train, "int64").ravel()).argmax())

    def as_kind(self, kind):
        """Returns the same data viewed as another input kind.

        Images become `"tabular"` (flattened pixels) or `"sequence"` (each
        row of pixels one timestep, the channels and columns its features).
        Text is accepted as `"tokens"` unchanged: the model tokenizes it.

        Example:
        >>> nnrecipes.data.load("digits").as_kind("sequence").input_shape
        (8, 8)
        """
        if kind == self.kind:
            return self
        if self.kind == "text" and kind == "tokens":
            # Raw strings stay raw: the model's own TextVectorization layer
            # (see `preprocessing_for`) turns them into token ids.
            return self
        if self.kind == "image" and kind in ("tabular", "sequence"):
            def view(x):
                if kind == "tabular":
                    return x.reshape(len(x), -1)
                return x.reshape(len(x), x.shape[1], -1)
            return dataclasses.replace(
                self, kind=kind, x_train=view(self.x_train), x_val=view(self.x_val),
                x_test=view(self.x_test))
        views = {"image": ["tabular", "sequence"], "text": ["tokens"]}.get(self.kind, [])
        raise ValueError(
            f"Dataset {self.name!r} holds {self.kind} data, which cannot be viewed as "
            f"{kind} data. Valid views: {[self.kind, *views]}. Received: kind={kind!r}"
        )


def register_dataset(name, description):
    """Decorator that adds a loader `fn(data_dir, seed) -> Splits` to the catalog."""

    def decorator(fn):
        if name in _LOADERS:
            raise ValueError(f"Dataset {name!r} is already registered.")
        _LOADERS[name] = (fn, description)
        return fn

    return decorator


def list_datasets():
    """Returns `{name: description}` for every dataset `load` knows.

    Example:
    >>> "digits" in nnrecipes.data.list_datasets()
    True
    """
    return {name: description for name, (_, description) in sorted(_LOADERS.items())}


# Well-known places looked at when neither `data_dir` nor the environment
# variable names one: the user's own folder, then `shared/data` beside the
# project checkout (the layout of the project's build machines).
WELL_KNOWN_DATA_DIRS = [
    os.path.join("~", ".nnrecipes", "data"),
    os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                 os.pardir, "shared", "data"),
]


def resolve_data_dir(data_dir=None):
    """Returns the data directory: `data_dir`, else `$NNRECIPES_DATA_DIR`, else the
    first existing folder of `WELL_KNOWN_DATA_DIRS`, else None."""
    if data_dir or os.environ.get(DATA_DIR_ENV):
        return data_dir or os.environ.get(DATA_DIR_ENV)
    for path in WELL_KNOWN_DATA_DIRS:
        path = os.path.normpath(os.path.expanduser(path))
        if os.path.isdir(path):
            return path
    return None


def register_source(prefix, description):
    """Decorator that adds a source `fn(target, data_dir, seed, **options) -> Splits`
    for names `"<prefix>:<target>"`, e.g. `"tfds:mnist"` or `"csv:my.csv"`."""

    def decorator(fn):
        if prefix in _SOURCES:
            raise ValueError(f"Data source {prefix!r} is already registered.")
        _SOURCES[prefix] = (fn, description)
        return fn

    return decorator


def list_sources():
    """Returns `{prefix: description}` of the `"<prefix>:<target>"` sources."""
    return {prefix: description for prefix, (_, description) in sorted(_SOURCES.items())}


def load(name, *, data_dir=None, seed=0, **options):
    """Loads a dataset by name, split into train, validation and test.

    Args:
        name: a name from `list_datasets()`, or `"<source>:<target>"` with a
            source from `list_sources()`: `"tfds:<name>"` (TensorFlow
            Datasets, read from `data_dir`), `"csv:<file>"`,
            `"images:<folder>"` (`label/*.png`), `"text:<folder or file>"`,
            `"npz:<file>"`.
        data_dir: folder holding the files of file-based datasets. Defaults
            to the `NNRECIPES_DATA_DIR` environment variable.
        seed: seed of the train/validation split. Defaults to `0`.
        **options: options of a source, e.g. `target="income"` for a CSV
            file; see `nnrecipes.data.sources`.

    Returns:
        A `Splits`.

    Example:
    ```python
    splits = nnrecipes.data.load("fashion_mnist", data_dir="../shared/data")
    mine = nnrecipes.data.load("csv:measurements.csv", target="label")
    ```
    """
    if isinstance(name, str) and ":" in name and name.split(":", 1)[0] in _SOURCES:
        prefix, target = name.split(":", 1)
        source, _ = _SOURCES[prefix]
        return source(target, data_dir=resolve_data_dir(data_dir), seed=seed, **options)
    if name not in _LOADERS:
        hint = did_you_mean(str(name), _LOADERS)
        raise ValueError(
            f"Unknown dataset {name!r}.{hint} Valid: {sorted(_LOADERS)}, or "
            f"'<source>:<target>' with a source in {sorted(_SOURCES)}. Received: name={name!r}"
        )
    if options:
        raise ValueError(
            f"Dataset {name!r} takes no options; options are for '<source>:<target>' names. "
            f"Received: {sorted(options)}"
        )
    loader, _ = _LOADERS[name]
    return loader(resolve_data_dir(data_dir), seed)


def stratified_split(x, y, fraction, seed, stratify=True, class_names=None):
    """Splits off `fraction` of (x, y), keeping class shares when `stratify`
    (`class_names[label]` names a class in an error)."""
    from sklearn.model_selection import train_test_split

    if stratify:
        labels, counts = np.unique(np.asarray(y).ravel(), return_counts=True)
        if counts.min() < 2:
            rare = [class_names[i] if class_names else i for i in labels[counts < 2].tolist()]
            raise ValueError(
                "Every class needs at least 2 examples to be split into train, validation "
                f"and test parts (a header row read as data makes such a class). Classes "
                f"with 1 example: {rare[:10]}{' ...' if len(rare) > 10 else ''}. Received: "
                f"{len(labels)} classes in {len(y)} examples")
    x_a, x_b, y_a, y_b = train_test_split(
        x, y, test_size=fraction, random_state=seed, stratify=y if stratify else None)
    return x_a, y_a, x_b, y_b


def data_file(data_dir, dataset, *relative):
    """Path of a dataset file under `data_dir`; a clear error when it is missing."""
    if data_dir is None:
        raise ValueError(
            f"Dataset {dataset!r} is read from files: give data_dir=... (or "
            f"--data-dir, or set {DATA_DIR_ENV}) pointing at a folder that holds "
            f"{os.path.join(*relative)!r}; none was given and none of "
            f"{WELL_KNOWN_DATA_DIRS} exists. Received: data_dir=None"
        )
    path = os.path.join(data_dir, *relative)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"Dataset {dataset!r} expects the file {path!r}, which does not exist. "
            f"Received: data_dir={data_dir!r}"
        )
    return path


def read_text_lines(path, dataset, encodings=("utf-8", "latin-1")):
    """Lines of a text file, decoded with the first encoding that fits.

    Latin-1 decodes any byte string, so with it last this never fails on
    the encoding; a UTF-8 byte-order mark (which spreadsheet programs write)
    is dropped, and so are empty lines.
    """
    with open(path, "rb") as f:
        raw = f.read()
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(
            f"Dataset {dataset!r}: {path!r} is not text in any of the encodings "
            f"{list(encodings)}."
        )
    text = text.removeprefix("\ufeff").removeprefix("\xef\xbb\xbf")  # as UTF-8, or Latin-1
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def malformed(dataset, path, line_number, expected, line):
    """The error for a line of a data file that does not have the expected form."""
    shown = line if len(line) <= 120 else line[:117] + "..."
    return ValueError(
        f"Dataset {dataset!r}: line {line_number} of {path!r} is malformed; expected "
        f"{expected}. Received: {shown!r}"
    )


def read_idx(path):
    """Reads an IDX file (MNIST format, optionally gzipped) into a NumPy array."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            header = f.read(4)
            if len(header) != 4 or header[:2] != b"\x00\x00" or header[2] != 0x08:
                raise ValueError("bad magic number")
            ndim = header[3]
            shape = struct.unpack(f">{ndim}I", f.read(4 * ndim))
            data = np.frombuffer(f.read(), dtype=np.uint8)
    except (OSError, EOFError, struct.error, ValueError) as error:
        raise ValueError(
            f"{path!r} is not a valid IDX file (unsigned-byte MNIST format, "
            f"optionally gzipped): {error}"
        ) from None
    if data.size != int(np.prod(shape)):
        raise ValueError(
            f"{path!r} is truncated: its header promises shape {shape} "
            f"({int(np.prod(shape))} values) but it holds {data.size}."
        )
    return data.reshape(shape)


def _sklearn_splits(name, bunch, kind, seed, x=None, source=""):
    x = bunch.data.astype("float32") if x is None else x
    y = bunch.target.astype("int32")
    x_rest, y_rest, x_test, y_test = stratified_split(x, y, 0.2, seed=1234)
    x_train, y_train, x_val, y_val = stratified_split(x_rest, y_rest, 0.15, seed=seed)
    classes = [str(c) for c in getattr(bunch, "target_names", range(int(y.max()) + 1))]
    # A table keeps scikit-learn's feature names: a file of new rows is
    # matched to them by name.
    info = ({"columns": [str(n) for n in bunch.feature_names], "categorical": []}
            if kind == "tabular" else None)
    return Splits(name, kind, x_train, y_train, x_val, y_val, x_test, y_test,
                  num_classes=len(classes), class_names=classes, source=source, info=info)


@register_dataset("digits", "8x8 handwritten digit images, 1,797, 10 classes (scikit-learn)")
def _digits(data_dir, seed):
    from sklearn import datasets

    bunch = datasets.load_digits()
    images = bunch.images.astype("float32")[..., None]
    return _sklearn_splits("digits", bunch, "image", seed, x=images,
                           source="sklearn.datasets.load_digits (UCI optical digits)")


@register_dataset("breast_cancer", "Wisconsin breast cancer, 569 rows x 30 features, 2 classes "
                                   "(scikit-learn)")
def _breast_cancer(data_dir, seed):
    from sklearn import datasets

    return _sklearn_splits("breast_cancer", datasets.load_breast_cancer(), "tabular", seed,
                           source="sklearn.datasets.load_breast_cancer (UCI)")


@register_dataset("wine", "Wine recognition, 178 rows x 13 features, 3 classes (scikit-learn)")
def _wine(data_dir, seed):
    from sklearn import datasets

    return _sklearn_splits("wine", datasets.load_wine(), "tabular", seed,
                           source="sklearn.datasets.load_wine (UCI)")


def _idx_splits(name, data_dir, seed, folder, class_names, has_train=True):
    def pair(prefix):
        images = read_idx(data_file(data_dir, name, folder, f"{prefix}-images-idx3-ubyte.gz"))
        labels = read_idx(data_file(data_dir, name, folder, f"{prefix}-labels-idx1-ubyte.gz"))
        if len(images) != len(labels):
            raise ValueError(
                f"{name}: {len(images)} {prefix} images but {len(labels)} labels in "
                f"{os.path.join(data_dir, folder)!r}"
            )
        return images[..., None].astype("float32"), labels.astype("int32")

    x_test, y_test = pair("t10k")
    if has_train:
        x_rest, y_rest = pair("train")
    else:  # only a test file: hold out a stratified fifth of it as the test split
        x_rest, y_rest, x_test, y_test = stratified_split(x_test, y_test, 0.2, seed=1234)
    x_train, y_train, x_val, y_val = stratified_split(x_rest, y_rest, 1 / 12, seed=seed)
    return Splits(name, "image", x_train, y_train, x_val, y_val, x_test, y_test,
                  num_classes=10, class_names=class_names,
                  source=os.path.join(data_dir, folder))


@register_dataset("fashion_mnist", "Fashion-MNIST 28x28 clothing images, 60k/10k, 10 classes "
                                   "(IDX files under DATA_DIR/fashion_mnist/)")
def _fashion_mnist(data_dir, seed):
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
             "Sneaker", "Bag", "Ankle boot"]
    return _idx_splits("fashion_mnist", data_dir, seed, "fashion_mnist", names)


@register_dataset("mnist", "MNIST 28x28 digits (IDX files under DATA_DIR/mnist/; with only the "
                           "10k test file, it is split 80/20)")
def _mnist(data_dir, seed):
    has_train = data_dir is not None and os.path.isfile(
        os.path.join(data_dir, "mnist", "train-images-idx3-ubyte.gz"))
    return _idx_splits("mnist", data_dir, seed, "mnist", [str(d) for d in range(10)],
                       has_train=has_train)
