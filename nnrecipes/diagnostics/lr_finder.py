"""The learning-rate range test (Smith, 2017), as fastai's `lr_find`.

Train for a bounded number of steps while the learning rate grows
exponentially from tiny to huge, record the loss at each step, then put the
model back exactly as it was. The loss-vs-LR curve shows where learning
starts, where it is fastest, and where it blows up.
"""

import dataclasses
import math

import keras
import numpy as np

from nnrecipes.diagnostics import plots


@dataclasses.dataclass
class LRFinderResult:
    """The outcome of `find_learning_rate`.

    Attributes:
        learning_rates: the learning rate of each step taken.
        losses: the raw training loss of each step.
        smoothed_losses: the losses after bias-corrected exponential smoothing.
        suggestion: the suggested learning rate: the learning rate at the
            lowest smoothed loss, divided by 10 (the rule of Smith and of
            fastai's `lr_min`): one order of magnitude before the loss stops
            falling, where it still falls steadily.
        lr_at_min_loss: the learning rate at the lowest smoothed loss.
        lr_steepest: the learning rate where the smoothed loss falls fastest
            (per unit of log LR), before its minimum.
        stopped_early: True when the loss blew up before `num_steps`.
    """

    learning_rates: list
    losses: list
    smoothed_losses: list
    suggestion: float
    lr_at_min_loss: float
    lr_steepest: float
    stopped_early: bool

    def to_dict(self):
        return dataclasses.asdict(self)

    def plot(self, path):
        """Saves the loss-vs-LR curve (log LR axis) as a PNG; returns `path`."""
        figure = plots.new_figure()
        axes = figure.add_subplot(1, 1, 1)
        axes.plot(self.learning_rates, self.losses, alpha=0.3, label="loss")
        axes.plot(self.learning_rates, self.smoothed_losses, label="smoothed loss")
        axes.axvline(self.suggestion, color="red", linestyle="--",
                     label=f"suggestion {self.suggestion:.2g}")
        axes.set_xscale("log")
        finite = [v for v in self.smoothed_losses + self.losses if math.isfinite(v)]
        if finite:  # keep the blow-up at the end from squashing the curve
            low, high = min(finite), self.smoothed_losses[0]
            top = high + (high - low) * 0.5 if high > low else low * 1.5 + 1e-3
            axes.set_ylim(low - 0.05 * (top - low), top)
        axes.set_xlabel("learning rate (log scale)")
        axes.set_ylabel("training loss")
        axes.set_title("Learning-rate range test")
        axes.grid(alpha=0.3, which="both")
        axes.legend()
        return plots.save_figure(figure, path)


def _tf_step(model, optimizer):
    """One training step at a given learning rate, as a TensorFlow function."""
    import tensorflow as tf

    @tf.function
    def step(xb, yb, lr):
        optimizer.learning_rate.assign(lr)
        with tf.GradientTape() as tape:
            y_pred = model(xb, training=True)
            loss = model.compute_loss(x=xb, y=yb, y_pred=y_pred, training=True)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    return lambda xb, yb, lr: step(xb, yb, tf.constant(lr, dtype=optimizer.learning_rate.dtype))


def _jax_step(model, optimizer):
    """The same step on JAX: a pure, compiled function of the variables'
    values (the loss Keras's JAX trainer differentiates), whose results are
    written back into the variables."""
    import jax

    grad_fn = jax.value_and_grad(model.compute_loss_and_updates, has_aux=True)

    @jax.jit
    def pure(values, xb, yb, scale):
        trainable, non_trainable, metrics, model_optimizer, own = values
        (_, (loss, _, non_trainable, _)), grads = grad_fn(
            trainable, non_trainable, metrics, xb, yb, None, training=True,
            optimizer_variables=model_optimizer)
        # Under mixed precision the loss (so the gradients) was scaled.
        grads = [g / scale for g in grads]
        trainable, own = optimizer.stateless_apply(own, grads, trainable)
        return loss, (trainable, non_trainable, own)

    def step(xb, yb, lr):
        optimizer.learning_rate.assign(lr)
        groups = (model.trainable_variables, model.non_trainable_variables,
                  model.metrics_variables, model.optimizer.variables, optimizer.variables)
        scale = 1.0
        if isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer):
            scale = (float(keras.ops.convert_to_numpy(model.optimizer.dynamic_scale))
                     if model.optimizer.built else float(model.optimizer.initial_scale))
        xb, yb = keras.tree.map_structure(np.asarray, (xb, yb))
        loss, new = pure([[v.value for v in group] for group in groups], xb, yb, scale)
        for group, values in zip((groups[0], groups[1], groups[4]), new):
            for variable, value in zip(group, values):
                variable.assign(value)
        return loss

    return step


def _batches(x, y, batch_size, seed):
    """Yields (x, y) batches forever: arrays shuffled each pass, or a dataset."""
    import tensorflow as tf

    if isinstance(x, tf.data.Dataset):
        while True:
            for batch in x:
                if isinstance(batch, (tuple, list)):
                    yield batch[0], batch[1] if len(batch) > 1 else None
                else:
                    yield batch, None
    rng = np.random.default_rng(seed)
    count = len(x)
    if count == 0:
        raise ValueError("`x` is empty: the LR finder needs training examples.")
    while True:
        order = rng.permutation(count)
        for start in range(0, count - batch_size + 1 if count >= batch_size else 1,
                           batch_size):
            index = order[start:start + batch_size]
            yield x[index], (y[index] if y is not None else None)


def _suggest(lrs, smoothed):
    logs = np.log10(lrs)
    best = int(np.nanargmin(smoothed))
    at_min = float(lrs[best])
    steepest = at_min
    skip = len(lrs) // 10  # the first steps: the average is still settling
    if best - skip >= 2:
        slopes = np.gradient(smoothed[skip:best + 1], logs[skip:best + 1])
        steepest = float(lrs[skip + int(np.nanargmin(slopes))])
    return at_min / 10.0, at_min, steepest


def find_learning_rate(model, x, y=None, *, batch_size=64, start_lr=1e-7, end_lr=10.0,
                       num_steps=100, smoothing=0.98, divergence_factor=4.0, seed=0,
                       plot_path=None):
    """Runs the learning-rate range test on a compiled model, then restores it.

    The learning rate grows geometrically from `start_lr` to `end_lr` over
    `num_steps` training steps (stopping early once the smoothed loss exceeds
    `divergence_factor` times its lowest value or is not finite). The steps
    use a fresh copy of the model's optimizer (same class and settings), so
    the model's own optimizer state is never touched; every model variable
    (weights, BatchNormalization statistics, RNG seeds) is restored exactly
    afterwards.

    Args:
        model: a compiled `keras.Model`.
        x: training inputs (array), or a `tf.data.Dataset` of `(x, y)` batches.
        y: training targets, for array `x`. Defaults to `None`.
        batch_size: examples per step for array inputs. Defaults to `64`.
        start_lr: first learning rate. Defaults to `1e-7`.
        end_lr: last learning rate. Defaults to `10.0`.
        num_steps: most steps to run. Defaults to `100`.
        smoothing: factor of the exponential moving average of the loss.
            Defaults to `0.98` (as fastai).
        divergence_factor: stop when the smoothed loss exceeds this many times
            its lowest value. Defaults to `4.0`.
        seed: shuffling seed. Defaults to `0`.
        plot_path: where to save the loss-vs-LR plot (PNG). Defaults to
            `None` (no plot; call `result.plot(path)` later).

    Returns:
        An `LRFinderResult`; `result.suggestion` is the suggested learning
        rate (the LR at the lowest smoothed loss, divided by 10).

    Example:
    ```python
    model = nnrecipes.build("mlp", input_shape=(64,), num_classes=10)
    result = nnrecipes.diagnostics.find_learning_rate(model, x, y, plot_path="lr.png")
    model.optimizer.learning_rate = result.suggestion
    ```

    Reference:
    - [Smith, 2017. Cyclical Learning Rates for Training Neural Networks](
      https://arxiv.org/abs/1506.01186)
    """
    import tensorflow as tf

    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", False):
        raise ValueError(
            "The LR finder needs a compiled model: call `model.compile(optimizer=..., "
            f"loss=...)` first. Received: model {model.name!r}, not compiled")
    if not (0 < start_lr < end_lr):
        raise ValueError(
            "Learning rates must satisfy 0 < start_lr < end_lr. "
            f"Received: start_lr={start_lr!r}, end_lr={end_lr!r}")
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 5:
        raise ValueError(f"`num_steps` must be an integer >= 5. Received: num_steps={num_steps!r}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"`smoothing` must lie in [0, 1). Received: smoothing={smoothing!r}")
    if not isinstance(x, tf.data.Dataset) and y is None:
        raise ValueError("Give the targets `y` with array inputs `x`. Received: y=None")

    # A fresh optimizer of the same kind; under mixed precision, the one the
    # loss-scale wrapper holds.
    source = getattr(model.optimizer, "inner_optimizer", model.optimizer)
    config = source.get_config()
    config["learning_rate"] = float(start_lr)
    optimizer = type(source).from_config(config)
    optimizer.build(model.trainable_variables)
    saved = [np.array(keras.ops.convert_to_numpy(v)) for v in model.variables]

    step = (_jax_step if keras.backend.backend() == "jax" else _tf_step)(model, optimizer)

    factor = (end_lr / start_lr) ** (1.0 / (num_steps - 1))
    lrs, losses, smoothed = [], [], []
    average, best = 0.0, math.inf
    stopped = False
    try:
        batches = _batches(x, y, batch_size, seed)
        for i in range(num_steps):
            lr = start_lr * factor ** i
            xb, yb = next(batches)
            loss = float(step(xb, yb, lr))
            average = smoothing * average + (1 - smoothing) * loss
            value = average / (1 - smoothing ** (i + 1))
            lrs.append(lr)
            losses.append(loss)
            smoothed.append(value)
            if not math.isfinite(value) or not math.isfinite(loss):
                stopped = True
                break
            best = min(best, value)
            if i > 0 and value > divergence_factor * best:
                stopped = True
                break
    finally:
        for variable, value in zip(model.variables, saved):
            variable.assign(value)

    arr = np.asarray(smoothed, dtype="float64")
    arr = np.where(np.isfinite(arr), arr, np.nan)
    if np.all(np.isnan(arr)):
        raise ValueError(
            "The loss was not finite from the first step of the LR range test: check the "
            f"data and the loss. Received: start_lr={start_lr}, losses={losses[:3]}")
    suggestion, at_min, steepest = _suggest(np.asarray(lrs), arr)
    result = LRFinderResult(lrs, losses, smoothed, suggestion, at_min, steepest, stopped)
    if plot_path is not None:
        result.plot(plot_path)
    return result

