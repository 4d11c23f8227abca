"""`GradientMonitor`'s hooks for the JAX backend.

Keras's JAX trainer runs a pure step, `train_step(state, data)`, that calls
`optimizer.stateless_apply(optimizer_variables, grads, trainable_values)`
and returns `(logs, state)`. A pure step cannot add to the monitor's
variables, so here the step only measures: the hooked `stateless_apply`
keeps the gradients and the weights before and after the update (traced
values of the same step), and the hooked `train_step` puts that step's
figures into its logs. The callback adds them up at each batch end, in
Python, into the monitor's variables, and writes the epoch's figures back
into the logs that the later callbacks (History, the progress bar) see,
so `logs` and `results()` mean what they mean on TensorFlow.

On JAX, `every=k` leaves the measurement in every step (the step is one
compiled function) and records every k-th: it saves no time there.
"""

import math

import keras
import numpy as np
from keras import ops

from nnrecipes.diagnostics.grad_figures import GRAD_NORM
from nnrecipes.diagnostics.grad_figures import UPDATE_RATIO
from nnrecipes.diagnostics.grad_figures import step_figures

# The per-step global norm of a step that loss scaling skipped.
SKIPPED = -1.0


class JaxHooks:
    """The JAX-side state of one `GradientMonitor` attached to one model."""

    def __init__(self, monitor, model):
        self.monitor = monitor
        self._captured = []
        # The step's values come in the order of `model.trainable_variables`.
        self.groups = [monitor._group_of.get(id(v)) for v in model.trainable_variables]
        self.seen = 0

    def hooked_apply(self, optimizer):
        """`optimizer.stateless_apply` that keeps what the step's figures need."""
        original = optimizer.stateless_apply
        scale_index = None
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            scale_index = [id(v) for v in optimizer.variables].index(
                id(optimizer.dynamic_scale))

        def stateless_apply(optimizer_variables, grads, trainable_variables):
            grads, before = list(grads), list(trainable_variables)
            scale = keep = None
            if scale_index is not None:
                scale = ops.cast(optimizer_variables[scale_index], "float32")
                keep = ops.all(ops.stack([ops.all(ops.isfinite(g)) for g in grads
                                          if g is not None]))
            static = getattr(optimizer, "loss_scale_factor", None)
            if static:
                scale = static if scale is None else scale * static
            new_values, new_optimizer_values = original(optimizer_variables, grads,
                                                        trainable_variables)
            self._captured.append((grads, before, list(new_values), scale, keep))
            return new_values, new_optimizer_values

        return stateless_apply

    def hooked_train_step(self, model):
        """`model.train_step(state, data)` that adds the step's figures to its logs."""
        original = model.train_step
        monitor = self.monitor

        def train_step(state, data):
            self._captured.clear()
            logs, state = original(state, data)
            if not self._captured or not isinstance(logs, dict):
                return logs, state
            grads, before, after, scale, keep = self._captured.pop()
            figures = step_figures(grads, self.groups, len(monitor.layer_names) or 1,
                                   before if monitor.update_ratios else None, after,
                                   scale, keep)
            if figures is None:
                return logs, state
            global_norm, layer_norms, ratios = figures
            if keep is not None:
                global_norm = ops.where(keep, global_norm, SKIPPED)
            logs = dict(logs)
            logs.update(self.step_keys(global_norm, layer_norms, ratios))
            return logs, state

        return train_step

    def step_keys(self, global_norm, layer_norms, ratios):
        """The step's figures under the keys they have in the epoch's logs."""
        keys = {GRAD_NORM: global_norm}
        for i, name in enumerate(self.monitor.layer_names):
            keys[f"{GRAD_NORM}/{name}"] = layer_norms[i]
            if ratios is not None:
                keys[f"{UPDATE_RATIO}/{name}"] = ratios[i]
        return keys

    def reset(self):
        self.seen = 0

    def on_batch_end(self, logs):
        """Adds the step's figures (in `logs`) to the epoch's, then puts the
        epoch's figures in `logs` in their place."""
        if logs is None or GRAD_NORM not in logs:
            return
        monitor = self.monitor
        names = monitor.layer_names
        step = self.step_values(logs)
        due = self.seen % monitor.every == 0
        self.seen += 1
        if due and step is not None:
            norm, layer_norms, ratios = step
            monitor._steps.assign_add(1.0)
            monitor._total_steps.assign_add(1.0)
            monitor._norm_sum.assign_add(norm)
            largest = float(monitor._norm_max.numpy())
            monitor._norm_max.assign(
                math.nan if math.isnan(largest) or math.isnan(norm) else max(largest, norm))
            if names:
                monitor._layer_norm_sum.assign_add(layer_norms)
                if ratios is not None:
                    monitor._ratio_sum.assign_add(ratios)
            if float(monitor._total_steps.numpy()) == 1.0:
                if "loss" in logs:
                    monitor._initial_loss.assign(float(logs["loss"]))
                monitor._initial_norm.assign(norm)
        self.write_logs(logs)

    def step_values(self, logs):
        """`(norm, layer_norms, ratios)` of the step in `logs`, or None when
        loss scaling skipped it."""
        norm = float(logs[GRAD_NORM])
        if norm == SKIPPED:
            return None
        names = self.monitor.layer_names
        layer_norms = np.array([float(logs.get(f"{GRAD_NORM}/{n}", 0.0))
                                for n in names], "float32")
        ratios = None
        if self.monitor.update_ratios:
            ratios = np.array([float(logs.get(f"{UPDATE_RATIO}/{n}", 0.0))
                               for n in names], "float32")
        return norm, layer_norms, ratios

    def write_logs(self, logs):
        """Replaces the step's figures in `logs` by the epoch's (as floats)."""
        for key in [k for k in logs if k.startswith((f"{GRAD_NORM}/",
                                                     f"{UPDATE_RATIO}/"))]:
            del logs[key]
        for key, value in self.monitor.results(per_layer=self.monitor.per_layer_logs).items():
            logs[key] = float(np.asarray(value))
