"""Losses that Keras lacks, registered for saving and loading."""

from nnrecipes.losses.sparse_categorical_hinge import SparseCategoricalHinge
from nnrecipes.losses.sparse_categorical_hinge import sparse_categorical_hinge

__all__ = ["SparseCategoricalHinge", "sparse_categorical_hinge"]
