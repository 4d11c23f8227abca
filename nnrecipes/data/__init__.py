"""Real datasets by name, read offline, split into train/validation/test."""

from nnrecipes.data.catalog import DATA_DIR_ENV
from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import list_datasets
from nnrecipes.data.catalog import load
from nnrecipes.data.catalog import read_idx
from nnrecipes.data.catalog import register_dataset

__all__ = ["DATA_DIR_ENV", "Splits", "list_datasets", "load", "read_idx", "register_dataset"]
