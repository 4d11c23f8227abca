"""Losses that Keras lacks, registered for saving and loading.

Each comes as a function (per-sample values) and as a `keras.losses.Loss`
class (with Keras's reductions and `sample_weight`).
"""

from nnrecipes.losses.crossentropy import Crossentropy
from nnrecipes.losses.crossentropy import class_targets
from nnrecipes.losses.crossentropy import crossentropy
from nnrecipes.losses.pinball_loss import PinballLoss
from nnrecipes.losses.pinball_loss import pinball_loss
from nnrecipes.losses.poly_loss import PolyLoss
from nnrecipes.losses.poly_loss import poly1_crossentropy
from nnrecipes.losses.sparse_categorical_hinge import SparseCategoricalHinge
from nnrecipes.losses.sparse_categorical_hinge import sparse_categorical_hinge
from nnrecipes.losses.sparse_focal_crossentropy import SparseFocalCrossentropy
from nnrecipes.losses.sparse_focal_crossentropy import sparse_focal_crossentropy
from nnrecipes.losses.symmetric_crossentropy import SymmetricCrossentropy
from nnrecipes.losses.symmetric_crossentropy import symmetric_crossentropy

__all__ = [
    "Crossentropy",
    "PinballLoss",
    "PolyLoss",
    "SparseCategoricalHinge",
    "SparseFocalCrossentropy",
    "SymmetricCrossentropy",
    "class_targets",
    "crossentropy",
    "pinball_loss",
    "poly1_crossentropy",
    "sparse_categorical_hinge",
    "sparse_focal_crossentropy",
    "symmetric_crossentropy",
]
