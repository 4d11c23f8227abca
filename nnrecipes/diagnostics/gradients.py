"""Gradient-norm monitoring inside the training step that Keras already runs.

Keras 3 callbacks never see gradients. `GradientMonitor` is a callback that,
for the length of one `fit`, hooks the model's optimizer so that the
gradients Keras computed for its update are measured on their way in: no
second backward pass. The figures go into the step's logs, so History,
CSVLogger, EarlyStopping, TensorBoard and KerasTuner objectives see them.
At the end of `fit` the hooks come off and the model is a plain
`keras.Model` again (it saves and loads like any other).
"""

import keras
from keras import ops

from nnrecipes.diagnostics.grad_figures import GRAD_NORM
from nnrecipes.diagnostics.grad_figures import UPDATE_RATIO
from nnrecipes.diagnostics.grad_figures import step_figures
from nnrecipes.diagnostics.gradients_jax import JaxHooks


def layer_groups(model):
    """Groups a model's trainable variables by the top-level layer owning them.

    Args:
        model: a built `keras.Model` (Functional, Sequential or subclassed).

    Returns:
        A list of `(layer_name, layer_class_name, variables)`, in the order of
        `model.layers`, for the layers with trainable variables. Variables of
        the model itself (outside any layer) form a last group named after
        the model.

    Example:
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")])
    >>> [(name, len(v)) for name, _, v in nnrecipes.diagnostics.layer_groups(model)]
    [('d', 2)]
    """
    seen = set()
    groups = []
    for layer in model.layers:
        variables = [v for v in layer.trainable_variables if id(v) not in seen]
        if variables:
            seen.update(id(v) for v in variables)
            groups.append((layer.name, type(layer).__name__, variables))
    rest = [v for v in model.trainable_variables if id(v) not in seen]
    if rest:
        groups.append((model.name, type(model).__name__, rest))
    return groups


class GradientMonitor(keras.callbacks.Callback):
    """Logs gradient norms and update-to-weight ratios from the training step.

    Each training step, the gradients that the model's optimizer receives
    (before any clipping, unscaled under mixed precision) are measured:

    - `grad_norm`: the global L2 norm of all gradients, averaged over the
      epoch's steps so far; `grad_norm_max`: its largest value this epoch.
    - `grad_norm/<layer>`: the L2 norm of the gradients of one top-level
      layer's trainable variables (epoch mean).
    - `update_ratio/<layer>`: `||w_after - w_before|| / ||w_before||` for
      that layer's weights, i.e. how much one step changes them (epoch
      mean). Around 1e-3 is the usual healthy value; far above means the
      learning rate is too high, far below that it is too low.

    With `every=k`, the figures come from every k-th step only (each epoch's
    first step, then each k steps after it): the epoch mean and maximum are
    over those steps. The other steps run the plain update, which makes
    the monitor's cost per step k times smaller where it matters (models
    whose steps are cheap for their number of weights).

    They appear in `logs` at every batch and epoch end (and so in
    `model.fit(...).history`, CSV logs, and TensorBoard as
    `epoch_grad_norm`, `epoch_grad_norm/<layer>`, ...). Validation does not
    log them.

    How: when `fit` hands the model to the callback, it wraps the
    optimizer's `apply` (to measure the gradients and the update) and the
    model's `train_step` (to add the figures to the step's logs), then asks
    Keras to retrace the training function. `on_train_end` removes both
    wrappers. The cost is a few reductions per variable and one copy of the
    weights per step.

    Works for any compiled model whose `train_step` calls
    `self.optimizer.apply(...)` or `apply_gradients(...)` (every Keras
    model, and most custom steps). Under a `tf.distribute` strategy with
    several replicas it refuses with an error rather than log per-replica
    norms as if they were global.

    Args:
        update_ratios: whether to compute the per-layer update-to-weight
            ratios (needs one copy of the weights per step). Defaults to
            `True`.
        per_layer_logs: whether the per-layer figures go into `logs` too
            (with many layers they make Keras's progress bar long). When
            False, only `grad_norm` and `grad_norm_max` are logged and the
            per-layer figures are read with `results(per_layer=True)`.
            Defaults to `True`.
        every: measure every this many training steps (`1`: every step).
            Defaults to `1`.

    Example:
    ```python
    monitor = nnrecipes.diagnostics.GradientMonitor(every=4)
    history = model.fit(x, y, epochs=3, callbacks=[monitor])
    history.history["grad_norm"]  # one value per epoch
    ```
    """

    def __init__(self, update_ratios=True, per_layer_logs=True, every=1):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"`every` must be a positive integer (measure every that many "
                             f"steps). Received: every={every!r}")
        self.update_ratios = update_ratios
        self.per_layer_logs = per_layer_logs
        self.every = every
        self.layer_names = []
        self.layer_classes = []
        self.layer_params = []
        self._attached = None  # the model the hooks are on
        self._jax = None  # the JAX backend's hooks (gradients_jax.JaxHooks)
        self._saved = {}
        self._before = {}

    # ---- Keras callback hooks ------------------------------------------------
    def set_model(self, model):
        super().set_model(model)
        self.attach(model)

    def on_epoch_begin(self, epoch, logs=None):
        self.reset()

    def on_train_batch_end(self, batch, logs=None):
        # On JAX the step only measures; the figures add up here.
        if self._jax is not None:
            self._jax.on_batch_end(logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._jax is not None and logs is not None:
            self._jax.write_logs(logs)

    def on_train_end(self, logs=None):
        self.detach()

    # ---- public API ----------------------------------------------------------
    def attach(self, model):
        """Hooks `model`'s optimizer and training step; `fit` calls this.

        Call it yourself only to monitor training that runs without passing
        the callback to `fit` (e.g. a benchmark); `detach()` undoes it.
        """
        if self._attached is model:
            return
        if self._attached is not None:
            self.detach()
        optimizer = _watchable_optimizer(model)
        self._group_layers(model)
        self._make_state(model)
        self._saved = {
            "train_step": model.__dict__.get("train_step"),
            "apply": optimizer.__dict__.get("apply"),
        }
        # Instance attributes in front of the class's methods; Keras calls
        # them through `self`, so the traced step runs the hooked versions.
        # `train_function = None` (undocumented) makes `fit` retrace with them.
        # private: guarded by
        # tests/upstream_test.py::test_keras_fit_retraces_with_instance_train_step_and_apply
        self._jax = None
        if keras.backend.backend() == "jax":
            self._jax = JaxHooks(self, model)
            self._saved["apply"] = optimizer.__dict__.get("stateless_apply")
            optimizer.stateless_apply = self._jax.hooked_apply(optimizer)
            model.train_step = self._jax.hooked_train_step(model)
        else:
            optimizer.apply = self._hooked_apply(model, optimizer)
            model.train_step = self._hooked_train_step(model)
        model.train_function = None
        self._attached = model
        self._optimizer = optimizer

    def _group_layers(self, model):
        """Which layer group each trainable variable's figures add up in."""
        groups = layer_groups(model)
        self.layer_names = [name for name, _, _ in groups]
        self.layer_classes = [cls for _, cls, _ in groups]
        self.layer_params = [sum(int(ops.size(v)) for v in vs) for _, _, vs in groups]
        self._group_of = {id(v): i for i, (_, _, vs) in enumerate(groups) for v in vs}

    def _make_state(self, model):
        """The variables the traced step accumulates the figures in."""
        count = max(len(self.layer_names), 1)
        self._steps = keras.Variable(0.0, trainable=False, name="grad_monitor_steps")
        self._total_steps = keras.Variable(0.0, trainable=False, name="grad_monitor_total")
        self._norm_sum = keras.Variable(0.0, trainable=False, name="grad_norm_sum")
        self._norm_max = keras.Variable(0.0, trainable=False, name="grad_norm_max")
        self._layer_norm_sum = keras.Variable(ops.zeros((count,)), trainable=False,
                                              name="layer_grad_norm_sum")
        self._ratio_sum = keras.Variable(ops.zeros((count,)), trainable=False,
                                         name="update_ratio_sum")
        self._initial_loss = keras.Variable(float("nan"), trainable=False,
                                            name="initial_loss")
        self._initial_norm = keras.Variable(float("nan"), trainable=False,
                                            name="initial_grad_norm")
        # Steps seen this epoch, measured or not (for `every`), and whether
        # the current step was recorded.
        self._seen = keras.Variable(0, dtype="int64", trainable=False,
                                    name="grad_monitor_seen")
        self._fresh = keras.Variable(0.0, trainable=False, name="grad_monitor_fresh")
        # With `every` > 1, the weights before a measured step are kept in
        # variables of their own (assigned on measured steps only).
        self._before = {}
        if self.every > 1 and self.update_ratios and keras.backend.backend() != "jax":
            self._before = {id(v): keras.Variable(ops.zeros(v.shape, v.dtype),
                                                  trainable=False, name="weights_before")
                            for v in model.trainable_variables}

    def _hooked_apply(self, model, optimizer):
        """`optimizer.apply` that also measures the gradients and the update."""
        original_apply = optimizer.apply
        # Under dynamic loss scaling, a step whose scaled gradients overflow
        # is skipped by design: it is not recorded either.
        skip = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)

        def apply(grads, trainable_variables=None):
            variables = (model.trainable_variables if trainable_variables is None
                         else trainable_variables)
            grads, variables = list(grads), list(variables)
            passed = None if trainable_variables is None else variables
            scale = self._loss_scale(optimizer)  # read before `apply` may change it

            def record(before):
                self._record(grads, variables, before, scale,
                             optimizer.check_finite(grads) if skip else None)

            if self.every == 1:
                before = [ops.copy(v) for v in variables] if self.update_ratios else None
                result = original_apply(grads, passed)
                record(before)
                return result
            return self._apply_when_due(original_apply, grads, passed, variables, record)

        return apply

    def _apply_when_due(self, original_apply, grads, passed, variables, record):
        """With `every` > 1: applies the update at each step and measures it
        on every k-th; the snapshot and the figures sit in conditionals, so
        the other steps skip them."""
        due = ops.equal(self._seen % self.every, 0)
        self._seen.assign_add(1)
        self._fresh.assign(0.0)
        before = None
        if self.update_ratios:
            before = [self._before.get(id(v)) for v in variables]

            def take_snapshot():
                for saved, variable in zip(before, variables):
                    if saved is not None:
                        saved.assign(variable)
                return 0

            ops.cond(due, take_snapshot, lambda: 0)
        result = original_apply(grads, passed)

        def record_due():
            record(before)
            return 0

        ops.cond(due, record_due, lambda: 0)
        return result

    def _hooked_train_step(self, model):
        """`model.train_step` that adds the figures to the step's logs."""
        original_train_step = model.train_step

        def train_step(data):
            logs = original_train_step(data)
            if not isinstance(logs, dict):
                return logs
            logs = dict(logs)
            results = self.results(per_layer=self.per_layer_logs)
            # After the first step, the epoch's figures are that step's own.
            first = ops.logical_and(ops.equal(self._total_steps, 1.0),
                                    ops.greater(self._fresh, 0.0))
            if "loss" in logs:
                self._initial_loss.assign(
                    ops.where(first, ops.cast(logs["loss"], "float32"), self._initial_loss))
            self._initial_norm.assign(ops.where(first, results[GRAD_NORM], self._initial_norm))
            logs.update(results)
            return logs

        return train_step

    def detach(self):
        """Removes the hooks; the model trains as plain Keras again."""
        model = self._attached
        if model is None:
            return
        apply = "stateless_apply" if keras.backend.backend() == "jax" else "apply"
        for obj, name in ((model, "train_step"), (self._optimizer, "apply")):
            attribute = apply if obj is self._optimizer else name
            previous = self._saved.get(name)
            if previous is not None:
                setattr(obj, attribute, previous)
            elif attribute in obj.__dict__:
                delattr(obj, attribute)
        model.train_function = None
        self._attached = None
        self._optimizer = None
        self._jax = None
        self._before = {}

    def reset(self):
        """Zeroes the epoch's running figures (done at each epoch start)."""
        if self._attached is None:
            return
        for var in (self._steps, self._norm_sum, self._norm_max):
            var.assign(0.0)
        self._seen.assign(0)
        if self._jax is not None:
            self._jax.reset()
        for var in (self._layer_norm_sum, self._ratio_sum):
            var.assign(ops.zeros(var.shape))

    @property
    def initial_loss(self):
        """The loss on the first training batch, before any update (or None)."""
        return self._first_value("_initial_loss")

    @property
    def initial_grad_norm(self):
        """The global gradient norm of the first training step (or None)."""
        return self._first_value("_initial_norm")

    def _first_value(self, name):
        value = float(getattr(self, name).numpy()) if hasattr(self, name) else None
        return None if value is None or value != value else value

    def results(self, per_layer=True):
        """The current figures: a dict of scalar tensors, as put in `logs`.

        Args:
            per_layer: include `grad_norm/<layer>` and `update_ratio/<layer>`.
                Defaults to `True`.
        """
        steps = ops.maximum(self._steps, 1.0)
        out = {GRAD_NORM: self._norm_sum / steps, f"{GRAD_NORM}_max": self._norm_max + 0.0}
        if not per_layer:
            return out
        norms = self._layer_norm_sum / steps
        ratios = self._ratio_sum / steps
        for i, name in enumerate(self.layer_names):
            out[f"{GRAD_NORM}/{name}"] = norms[i]
            if self.update_ratios:
                out[f"{UPDATE_RATIO}/{name}"] = ratios[i]
        return out

    def layer_info(self):
        """`{layer: {"class": ..., "params": ...}}` for the monitored layers."""
        return {name: {"class": cls, "params": n} for name, cls, n in
                zip(self.layer_names, self.layer_classes, self.layer_params)}

    # ---- inside the traced step ------------------------------------------
    @staticmethod
    def _loss_scale(optimizer):
        """The factor the loss (so the gradients) was scaled by, or None."""
        scale = None
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            if optimizer.built:
                scale = ops.copy(ops.cast(optimizer.dynamic_scale, "float32"))
            else:  # the first step scaled the loss by the initial scale
                scale = float(optimizer.initial_scale)
        static = getattr(optimizer, "loss_scale_factor", None)
        if static:
            scale = static if scale is None else scale * static
        return scale

    def _record(self, grads, variables, before, scale, keep=None):
        groups = [self._group_of.get(id(v)) for v in variables]
        after = [ops.convert_to_tensor(v) for v in variables]
        figures = step_figures(grads, groups, len(self.layer_names) or 1, before, after,
                               scale, keep)
        if figures is None:
            return
        global_norm, layer_norms, ratios = figures
        step = 1.0 if keep is None else ops.cast(keep, "float32")
        self._steps.assign_add(step)
        self._total_steps.assign_add(step)
        self._fresh.assign(step)
        self._norm_sum.assign_add(global_norm)
        # The largest norm this epoch; NaN, once seen, stays (it is evidence).
        largest = ops.maximum(self._norm_max, global_norm)
        nan_seen = ops.logical_or(ops.isnan(self._norm_max), ops.isnan(global_norm))
        self._norm_max.assign(ops.where(nan_seen, float("nan"), largest))
        self._layer_norm_sum.assign_add(layer_norms)
        if ratios is not None:
            self._ratio_sum.assign_add(ratios)


def _watchable_optimizer(model):
    """The optimizer of `model`, or a clear error if the monitor cannot watch it."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(
            "GradientMonitor needs a compiled model with an optimizer: call "
            f"`model.compile(optimizer=..., loss=...)` first. Received: model "
            f"{model.name!r} with optimizer=None"
        )
    replicas = _replicas(model)
    if replicas > 1:
        raise ValueError(
            f"GradientMonitor cannot watch training over {replicas} replicas: each "
            "replica sees only its share of the gradient, so the norms it would log "
            "are not the global ones. Train without it (nnrecipes: diagnostics=False, "
            f"--no-diagnostics) or on one replica. Received: {replicas} replicas")
    return optimizer


def _replicas(model):
    """How many replicas the model trains on (its distribution strategy's)."""
    if keras.backend.backend() != "tensorflow":
        # JAX and keras.distribution compute one global gradient (SPMD).
        return 1
    import tensorflow as tf

    strategy = getattr(model, "distribute_strategy", None) or tf.distribute.get_strategy()
    return int(getattr(strategy, "num_replicas_in_sync", 1))
