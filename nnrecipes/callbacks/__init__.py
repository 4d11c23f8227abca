"""Callbacks for reliable training runs: resumable checkpoints, NaN guard."""

from nnrecipes.callbacks.epoch_checkpoint import EpochCheckpoint
from nnrecipes.callbacks.stop_on_non_finite import StopOnNonFinite

__all__ = ["EpochCheckpoint", "StopOnNonFinite"]
