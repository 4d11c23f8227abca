"""`TrainingDiagnostics`: every diagnostic of a run in one Keras callback."""

import math

import keras
import numpy as np

from nnrecipes.diagnostics import health
from nnrecipes.diagnostics import plots
from nnrecipes.diagnostics.activations import ActivationProbe
from nnrecipes.diagnostics.gradients import GradientMonitor


def current_learning_rate(optimizer):
    """The optimizer's learning rate now (a schedule evaluated at its step)."""
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except (AttributeError, TypeError, ValueError):
        return None


def _first(x, n):
    """The first `n` examples of an array, or of each array in a dict or list.

    From a `tf.data.Dataset` of batches, the inputs of its first batch.
    """
    import tensorflow as tf

    if isinstance(x, tf.data.Dataset):
        batch = next(iter(x))
        x = batch[0] if isinstance(batch, (tuple, list)) else batch
    if isinstance(x, dict):
        return {k: v[:n] for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [v[:n] for v in x]
    return x[:n]


class TrainingDiagnostics(keras.callbacks.Callback):
    """Watches a run and writes its health report: one callback, one line.

    Per epoch it records the logs, the learning rate, the gradient figures of
    `GradientMonitor` (global and per-layer norms, update ratios) and, given
    a probe batch, the share of dead ReLU units and saturated sigmoid/tanh
    units per layer (added to `logs` as `dead_units/<layer>` and
    `saturated_units/<layer>`, after the callbacks listed before this one
    ran). At the end of `fit` it diagnoses the run (`report`).

    Args:
        probe: inputs for the activation statistics, e.g. `x_val` (an
            array, or a dict or list of arrays); its first `probe_size`
            examples form the fixed probe batch. Defaults to `None` (no
            activation statistics).
        probe_size: examples in the probe batch. Defaults to `256`.
        gradients: whether to monitor gradients. Defaults to `True`.
        update_ratios: whether to compute update-to-weight ratios. Defaults
            to `True`.
        gradient_every: measure the gradients every this many steps (see
            `GradientMonitor`'s `every`). Defaults to `1`.
        per_layer_logs: whether per-layer figures (gradient norms, update
            ratios, dead/saturated units) go into `logs`; they are recorded
            in `history` either way. Defaults to `True`.
        thresholds: overrides of `nnrecipes.diagnostics.THRESHOLDS`.
            Defaults to `None`.
        verbose: print the report at the end of `fit`. Defaults to `False`.
        history: the records of epochs already done (a resumed run's, as
            `EpochCheckpoint` keeps them); each `fit` continues from them,
            so the report and plots cover the whole run. Defaults to `None`.
        probe_model: the model the probe goes through, when it is not the
            fitted one but shares its layers (a TF-IDF text model fitted as
            its sparse network, `nnrecipes.engine.vectorized`). Defaults to
            `None` (the fitted model).

    Attributes:
        history: `{key: [one value per epoch]}` of this callback's last `fit`
            (after the given `history`).
        report: the `HealthReport` of the last `fit` (None before).

    Example:
    ```python
    diagnostics = nnrecipes.diagnostics.TrainingDiagnostics(probe=x_val)
    model.fit(x, y, validation_data=(x_val, y_val), epochs=10, callbacks=[diagnostics])
    print(diagnostics.report.text())
    diagnostics.report.save("health.json")
    diagnostics.save_plots("plots/")
    ```
    """

    def __init__(self, probe=None, *, probe_size=256, gradients=True, update_ratios=True,
                 gradient_every=1, per_layer_logs=True, thresholds=None, verbose=False,
                 history=None, probe_model=None):
        super().__init__()
        self.probe_model = probe_model
        self.initial_history = {k: list(v) for k, v in (history or {}).items()}
        self.probe = probe
        self.probe_size = probe_size
        self.gradients = gradients
        self.update_ratios = update_ratios
        self.thresholds = thresholds
        self.verbose = verbose
        self.per_layer_logs = per_layer_logs
        self.gradient_every = gradient_every
        self.gradient_monitor = (GradientMonitor(update_ratios=update_ratios,
                                                 per_layer_logs=per_layer_logs,
                                                 every=gradient_every)
                                 if gradients else None)
        self.history = {}
        self.report = None
        self._probe = None

    def set_model(self, model):
        super().set_model(model)
        if self.gradient_monitor is not None:
            self.gradient_monitor.set_model(model)

    def on_train_begin(self, logs=None):
        self.history = {k: list(v) for k, v in self.initial_history.items()}
        self.report = None
        self._probe = None
        if self.probe is not None:
            self._probe = ActivationProbe(self.probe_model or self.model, _first(self.probe, self.probe_size))

    def on_epoch_begin(self, epoch, logs=None):
        if self.gradient_monitor is not None:
            self.gradient_monitor.on_epoch_begin(epoch, logs)

    def on_train_batch_end(self, batch, logs=None):
        if self.gradient_monitor is not None:
            self.gradient_monitor.on_train_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        if self.gradient_monitor is not None:
            self.gradient_monitor.on_epoch_end(epoch, logs)
        record = dict(logs)
        if self.gradient_monitor is not None and not self.per_layer_logs:
            record.update(self.gradient_monitor.results(per_layer=True))
        if self._probe is not None:
            for layer, stats in self._probe.measure().items():
                key = health.DEAD if "dead" in stats else health.SATURATED
                record[f"{key}/{layer}"] = stats.get("dead", stats.get("saturated"))
                if self.per_layer_logs:
                    logs[f"{key}/{layer}"] = record[f"{key}/{layer}"]
        if "learning_rate" not in record:
            lr = current_learning_rate(self.model.optimizer)
            if lr is not None:
                record["learning_rate"] = lr
        for key, value in record.items():
            try:
                value = float(np.asarray(value))
            except (TypeError, ValueError):
                continue
            self.history.setdefault(key, []).append(value)

    def on_train_end(self, logs=None):
        if self.gradient_monitor is not None:
            self.gradient_monitor.on_train_end(logs)
        self.report = self.diagnose()
        if self.verbose:
            print(self.report.text())

    def diagnose(self, thresholds=None):
        """Diagnoses the run so far (also callable during training)."""
        monitor = self.gradient_monitor
        initial = monitor.initial_loss if monitor is not None else None
        if initial is not None and not math.isfinite(initial):
            initial = None
        return health.diagnose(
            self.history, initial_loss=initial,
            initial_grad_norm=monitor.initial_grad_norm if monitor is not None else None,
            layer_info=monitor.layer_info() if monitor is not None else None,
            thresholds=thresholds if thresholds is not None else self.thresholds)

    def save_plots(self, directory):
        """Saves the run's PNG plots into `directory`; returns `{name: path}`."""
        return plots.save_plots(self.history, directory)
