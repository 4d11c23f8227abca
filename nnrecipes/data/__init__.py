"""Real datasets by name, read offline, split into train/validation/test;
`tf.data` pipelines; and the preprocessing layers that make a model take raw
input.

The catalog (`load`, `list_datasets`, `Splits`, the sources) needs only NumPy;
the pipelines, augmentation and preprocessing layers need TensorFlow and are
imported when one of their names is first used, so `nnrecipes datasets`
answers without TensorFlow.

Example:
```python
splits = nnrecipes.data.load("digits")
train, val = nnrecipes.data.as_datasets(splits, batch_size=64)  # imports TensorFlow
```
"""

import importlib

from nnrecipes.data import sources
from nnrecipes.data import tabular
from nnrecipes.data import text
from nnrecipes.data import timeseries
from nnrecipes.data.catalog import DATA_DIR_ENV
from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import list_datasets
from nnrecipes.data.catalog import list_sources
from nnrecipes.data.catalog import load
from nnrecipes.data.catalog import read_idx
from nnrecipes.data.catalog import register_dataset
from nnrecipes.data.checks import check_splits
from nnrecipes.data.checks import choose_view
from nnrecipes.data.sources import from_arrays
from nnrecipes.data.timeseries import make_windows
from nnrecipes.data.timeseries import persistence_rmse

# Public names of the modules that import TensorFlow -> their module.
TENSORFLOW_NAMES = {
    "training_augmentation": "nnrecipes.data.augment",
    "as_datasets": "nnrecipes.data.pipeline",
    "epoch_batches": "nnrecipes.data.pipeline",
    "make_dataset": "nnrecipes.data.pipeline",
    "Denormalization": "nnrecipes.data.preprocessing",
    "NUMERIC_SCALINGS": "nnrecipes.data.preprocessing",
    "NumericScaler": "nnrecipes.data.preprocessing",
    "with_numeric_scaling": "nnrecipes.data.preprocessing",
    "with_category_embeddings": "nnrecipes.data.preprocessing",
    "TabularEncoder": "nnrecipes.data.preprocessing",
    "preprocessing_for": "nnrecipes.data.preprocessing",
    "TEXT_UNITS": "nnrecipes.data.preprocessing",
    "TEXT_BAGS": "nnrecipes.data.preprocessing",
    "lower_and_mark_ends": "nnrecipes.data.preprocessing",
    "TfIdfNormalization": "nnrecipes.data.preprocessing",
    "text_vectorizer": "nnrecipes.data.preprocessing",
    "text_vectorizer_for": "nnrecipes.data.preprocessing",
}


def __getattr__(name):
    if name not in TENSORFLOW_NAMES:
        raise AttributeError(f"module 'nnrecipes.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(TENSORFLOW_NAMES[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(TENSORFLOW_NAMES))


__all__ = [
    "DATA_DIR_ENV", "Denormalization", "NUMERIC_SCALINGS", "NumericScaler", "Splits",
    "TEXT_BAGS", "TEXT_UNITS", "TabularEncoder", "TfIdfNormalization",
    "as_datasets", "check_splits", "choose_view", "lower_and_mark_ends",
    "epoch_batches", "from_arrays", "list_datasets", "list_sources", "load", "make_dataset",
    "make_windows", "persistence_rmse", "preprocessing_for", "read_idx", "register_dataset",
    "sources", "tabular", "text", "text_vectorizer", "text_vectorizer_for", "timeseries",
    "training_augmentation", "with_category_embeddings", "with_numeric_scaling",
]
