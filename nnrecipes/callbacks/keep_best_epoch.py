import json
import math
import os

import keras
import numpy as np

from nnrecipes import storage

# Words in a metric's name that mean larger is better; anything else is a
# loss or an error, where smaller is better.
LARGER_IS_BETTER = ("accuracy", "acc", "auc", "precision", "recall", "f1", "r2", "iou",
                     "top_k")
BEST_WEIGHTS = "best_weights.npz"
# The start's validation value, kept beside the best weights so that a
# resumed run still counts the start as a candidate.
START_VALUE = "start_value.json"
# `best_epoch` of the start: the weights before the first epoch.
START = -1


def larger_is_better(metric):
    """Whether a larger value of the named metric is better (`val_accuracy`:
    yes; `val_loss`, `val_rmse`: no).

    Example:
    >>> nnrecipes.callbacks.larger_is_better("val_accuracy")
    True
    """
    words = metric.lower().removeprefix("val_").replace("/", "_").split("_")
    return any(w in LARGER_IS_BETTER for w in words) or metric.lower().endswith("accuracy")


class KeepBestEpoch(keras.callbacks.Callback):
    """Early stopping on a validation metric that keeps the best epoch's weights,
    and survives a resumed run.

    Like `keras.callbacks.EarlyStopping(restore_best_weights=True)`: training
    stops once `monitor` has not improved for `patience` epochs, and the
    weights of the best epoch are put back when training ends (however it
    ends). Unlike it, the best value is read from a given history, and the
    best weights can be kept in `directory`, so a run resumed from a
    checkpoint (`nnrecipes.callbacks.EpochCheckpoint`) makes the same
    decisions as an uninterrupted one.

    Args:
        monitor: the logged metric. Defaults to `"val_loss"`.
        patience: epochs without improvement before stopping; `None` never
            stops early (the best epoch is still kept). Defaults to `5`.
        min_delta: the least change that counts as an improvement. Defaults
            to `0.0`.
        directory: folder that keeps the best weights for a resumed run.
            Defaults to `None` (kept in memory only).
        history: the run's per-epoch logs so far (a resumed run's). Defaults
            to `None`.
        start: validation data (a `tf.data.Dataset` or an `(x, y)` pair) on
            which the weights before the first epoch are evaluated, so that
            the start is a candidate for the kept epoch too ("kept epoch 0
            (the start)"). Give it where the start is meaningful, e.g. a
            forecaster whose linear path starts at the ridge fit
            (`nnrecipes.families.common.fit_autoregressive_path`): training
            that only makes the forecast worse then ends at the ridge fit.
            `monitor` must then name a validation metric (`"val_..."`).
            Defaults to `None` (the start is no candidate).

    Attributes:
        best_epoch: the best epoch, counted from 0 (`START`, -1: the start),
            or None.
        best: its value of `monitor`.
        stopped_epoch: the epoch after which training stopped early, or None.

    Example:
    ```python
    keep = nnrecipes.callbacks.KeepBestEpoch("val_accuracy", patience=3)
    model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[keep])
    print(keep.summary())  # which epoch was kept, and why
    ```
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, directory=None,
                 history=None, start=None):
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"`monitor` must be a metric name such as 'val_loss'. "
                             f"Received: monitor={monitor!r}")
        if patience is not None and (isinstance(patience, bool) or not isinstance(
                patience, int) or patience < 1):
            raise ValueError(f"`patience` must be a positive integer or None. "
                             f"Received: patience={patience!r}")
        if not isinstance(min_delta, (int, float)) or min_delta < 0:
            raise ValueError(f"`min_delta` must be a number >= 0. "
                             f"Received: min_delta={min_delta!r}")
        if start is not None and not monitor.startswith("val_"):
            raise ValueError("The start is evaluated on validation data, so `monitor` must "
                             f"be a validation metric ('val_...'). Received: monitor={monitor!r}")
        self.monitor = monitor
        self.start = start
        self.start_value = None
        self.patience = patience
        self.min_delta = float(min_delta)
        self.directory = directory
        self.larger_is_better = larger_is_better(monitor)
        self.best_epoch, self.best, self.stopped_epoch = None, None, None
        self.epochs_seen = 0
        self._weights = None
        # With `deferred`, the best weights reach `directory` only through
        # `save_best()` (an `EpochCheckpoint` calls it with each save).
        self.deferred = False
        self._unsaved = False
        past = (history or {}).get(monitor, [])
        path = self._path(START_VALUE)
        if start is not None and past and path and os.path.isfile(path):
            with open(path) as f:  # a resumed run: the start was evaluated before
                self._consider_start(json.load(f)["value"])
        for epoch, value in enumerate(past):
            self._consider(epoch, value)

    def _consider_start(self, value):
        self.start_value = float(value)
        if self._improves(self.start_value):
            self.best, self.best_epoch = self.start_value, START

    def _improves(self, value):
        if not math.isfinite(value):
            return False
        if self.best is None:
            return True
        if self.larger_is_better:
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta

    def _consider(self, epoch, value):
        value = float(value)
        self.epochs_seen = epoch + 1
        if self._improves(value):
            self.best, self.best_epoch = value, epoch
            return True
        return False

    def _path(self, name=BEST_WEIGHTS):
        return os.path.join(self.directory, name) if self.directory else None

    def on_train_begin(self, logs=None):
        path = self._path()
        if self.best_epoch is not None and path and os.path.isfile(path):
            # A resumed run: the best weights so far were kept on disk.
            with np.load(path) as arrays:
                self._weights = [arrays[f"w{i}"] for i in range(len(arrays.files))]
        elif self.start is not None and self.epochs_seen == 0 and self.start_value is None:
            self._evaluate_start()

    def _evaluate_start(self):
        if isinstance(self.start, tuple):
            found = self.model.evaluate(*self.start, verbose=0, return_dict=True)
        else:
            found = self.model.evaluate(self.start, verbose=0, return_dict=True)
        name = self.monitor.removeprefix("val_")
        if name not in found:
            raise ValueError(
                f"Early stopping watches {self.monitor!r}, but evaluating the start gave "
                f"{sorted(found)}. Received: monitor={self.monitor!r}")
        self._consider_start(found[name])
        if self.best_epoch == START:
            self._keep(START)
        path = self._path(START_VALUE)
        if path:
            with storage.writing(self.directory, "the start's validation value"):
                os.makedirs(self.directory, exist_ok=True)
                with open(path, "w") as f:
                    json.dump({"monitor": self.monitor, "value": self.start_value}, f)

    def _keep(self, epoch):
        self._weights = self.model.get_weights()
        self._unsaved = True
        if not self.deferred:
            self.save_best()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"Early stopping watches {self.monitor!r}, which is not in the epoch logs "
                f"{sorted(logs)}; give validation data or another monitor. "
                f"Received: monitor={self.monitor!r}")
        if self._consider(epoch, logs[self.monitor]):
            self._keep(epoch)
        elif self.patience is not None and self.best_epoch is not None \
                and epoch - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def save_best(self):
        """Writes the best weights so far to `directory` if they are not there yet."""
        path = self._path()
        if not path or not self._unsaved:
            return
        staging = path + ".tmp.npz"
        what = ("the start's weights" if self.best_epoch == START
                else f"the best weights (epoch {self.best_epoch + 1})")
        try:
            with storage.writing(self.directory, what):
                os.makedirs(self.directory, exist_ok=True)
                np.savez(staging, **{f"w{i}": w for i, w in enumerate(self._weights)})
                os.replace(staging, path)
        except OSError:
            if os.path.exists(staging):
                os.remove(staging)
            raise
        self._unsaved = False

    def on_train_end(self, logs=None):
        if self._weights is not None and self.best_epoch != self.epochs_seen - 1:
            self.model.set_weights(self._weights)

    def summary(self):
        """A JSON-ready record: the kept epoch (counted from 1; 0 is the
        start, the weights before the first epoch) and why."""
        if self.best_epoch is None:
            return {"monitor": self.monitor, "patience": self.patience, "kept_epoch": None,
                    "reason": f"no finite {self.monitor} was logged; the last weights stay"}
        best = float(self.best)
        kept = "the start" if self.best_epoch == START else f"epoch {self.best_epoch + 1}"
        if self.stopped_epoch is not None:
            why = (f"{self.monitor} did not improve for {self.patience} epochs after "
                   f"{kept}; training stopped after epoch {self.stopped_epoch + 1}")
        else:
            why = f"the best {self.monitor} of the {self.epochs_seen} epochs run"
            if self.start_value is not None:
                why += " and the start"
        record = {"monitor": self.monitor, "patience": self.patience,
                  "kept_epoch": self.best_epoch + 1, "best": best,
                  "epochs_run": self.epochs_seen,
                  "stopped_early": self.stopped_epoch is not None, "reason": why}
        if self.start_value is not None:
            record["start"] = self.start_value
        return record

