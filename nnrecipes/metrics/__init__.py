"""Metrics that Keras lacks, registered for saving and loading.

- `Accuracy`: classification accuracy for integer labels or class-probability
  targets (the soft labels of MixUp and CutMix) alike.
"""

from nnrecipes.metrics.accuracy import Accuracy
from nnrecipes.metrics.accuracy import accuracy

__all__ = ["Accuracy", "accuracy"]
