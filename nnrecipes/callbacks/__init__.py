"""Callbacks for reliable training runs: resumable checkpoints, NaN guard,
early stopping that keeps the best epoch."""

from nnrecipes.callbacks.epoch_checkpoint import EpochCheckpoint
from nnrecipes.callbacks.keep_best_epoch import LARGER_IS_BETTER
from nnrecipes.callbacks.keep_best_epoch import KeepBestEpoch
from nnrecipes.callbacks.keep_best_epoch import larger_is_better
from nnrecipes.callbacks.stop_on_non_finite import StopOnNonFinite

__all__ = ["LARGER_IS_BETTER", "EpochCheckpoint", "KeepBestEpoch", "StopOnNonFinite", "larger_is_better"]
