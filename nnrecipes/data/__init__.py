"""Real datasets by name, read offline, split into train/validation/test;
`tf.data` pipelines; and the preprocessing layers that make a model take raw
input."""

from nnrecipes.data import sources
from nnrecipes.data import tabular
from nnrecipes.data import text
from nnrecipes.data import timeseries
from nnrecipes.data.augment import training_augmentation
from nnrecipes.data.catalog import DATA_DIR_ENV
from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import list_datasets
from nnrecipes.data.catalog import list_sources
from nnrecipes.data.catalog import load
from nnrecipes.data.catalog import read_idx
from nnrecipes.data.catalog import register_dataset
from nnrecipes.data.checks import check_splits
from nnrecipes.data.checks import choose_view
from nnrecipes.data.pipeline import as_datasets
from nnrecipes.data.pipeline import epoch_batches
from nnrecipes.data.pipeline import make_dataset
from nnrecipes.data.preprocessing import NUMERIC_SCALINGS
from nnrecipes.data.preprocessing import Denormalization
from nnrecipes.data.preprocessing import NumericScaler
from nnrecipes.data.preprocessing import TabularEncoder
from nnrecipes.data.preprocessing import preprocessing_for
from nnrecipes.data.preprocessing import text_vectorizer
from nnrecipes.data.preprocessing import with_numeric_scaling
from nnrecipes.data.sources import from_arrays
from nnrecipes.data.timeseries import make_windows
from nnrecipes.data.timeseries import persistence_rmse

__all__ = [
    "DATA_DIR_ENV", "Denormalization", "NUMERIC_SCALINGS", "NumericScaler", "Splits", "TabularEncoder", "as_datasets",
    "check_splits", "choose_view", "epoch_batches",
    "from_arrays", "list_datasets", "list_sources", "load", "make_dataset", "make_windows",
    "persistence_rmse", "preprocessing_for", "read_idx", "register_dataset", "sources",
    "tabular", "text", "text_vectorizer", "timeseries", "training_augmentation",
    "with_numeric_scaling",
]
