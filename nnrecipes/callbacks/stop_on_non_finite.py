import contextlib
import math

import keras


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite loss and keeps good weights.

    Unlike `keras.callbacks.TerminateOnNaN`, which stops with the broken
    weights in place, this callback puts back the weights (and optimizer
    variables) as they were at the end of the last epoch whose loss stayed
    finite, or as they were before training, and records where training
    broke in `self.stopped`.

    Args:
        snapshot_every: also keep a snapshot every this many steps inside an
            epoch; `0` keeps one per epoch only (cheapest). Defaults to `0`.

    Example:
    ```python
    stop = nnrecipes.callbacks.StopOnNonFinite()
    model.fit(x, y, epochs=10, callbacks=[stop])
    if stop.stopped:
        print(stop.message())
    ```
    """

    def __init__(self, snapshot_every=0):
        super().__init__()
        if isinstance(snapshot_every, bool) or not isinstance(snapshot_every, int) \
                or snapshot_every < 0:
            raise ValueError(
                "`snapshot_every` must be an integer >= 0. "
                f"Received: snapshot_every={snapshot_every!r}")
        self.snapshot_every = snapshot_every
        self.stopped = None
        self._snapshot = None
        self._epoch = 0
        self._step = 0

    def _take_snapshot(self, where):
        optimizer_vars = [v.numpy() for v in getattr(self.model.optimizer, "variables", [])]
        self._snapshot = (self.model.get_weights(), optimizer_vars, where)

    def _restore(self):
        weights, optimizer_vars, where = self._snapshot
        self.model.set_weights(weights)
        for variable, value in zip(self.model.optimizer.variables, optimizer_vars):
            variable.assign(value)
        return where

    def on_train_begin(self, logs=None):
        self.stopped = None
        self._step = 0
        optimizer = self.model.optimizer
        if not optimizer.built:
            # Otherwise its slot variables (momentum, Adam's moments) are made
            # in the first step, after this snapshot, and a loss that breaks
            # in the first epoch would leave them non-finite.
            strategy = getattr(self.model, "distribute_strategy", None)
            with strategy.scope() if strategy is not None else contextlib.nullcontext():
                optimizer.build(self.model.trainable_variables)
        self._take_snapshot("before training")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._before_epoch = self._step

    def on_train_batch_end(self, batch, logs=None):
        # `batch` is the epoch's last step so far: with `steps_per_execution`
        # above 1, Keras calls this once per that many steps.
        previous, self._step = self._step, getattr(self, "_before_epoch", 0) + batch + 1
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            restored = self._restore()
            self.stopped = {"epoch": self._epoch + 1, "batch": batch + 1, "step": self._step,
                            "loss": float(loss), "restored_weights_from": restored}
            self.model.stop_training = True
        elif (self.snapshot_every
              and self._step // self.snapshot_every > previous // self.snapshot_every):
            self._take_snapshot(f"step {self._step}")

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped is None:
            self._take_snapshot(f"end of epoch {epoch + 1}")

    def message(self):
        """One line on where training broke and which weights were kept."""
        if not self.stopped:
            return "Training stayed finite."
        s = self.stopped
        return (f"Training stopped: the loss became {s['loss']} at epoch {s['epoch']}, "
                f"batch {s['batch']} (step {s['step']}); kept the weights from "
                f"{s['restored_weights_from']}.")

    def get_config(self):
        return {"snapshot_every": self.snapshot_every}
