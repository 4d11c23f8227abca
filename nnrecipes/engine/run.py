"""Builds a recipe for a dataset and trains it: the one training loop that
`nnrecipes.train`, every tuning trial and fold, `TuneResult.refit` and
`lr_find` go through.

`build_model` makes the model where it will train (strategy, mixed
precision), with the preprocessing adapted on the training part only and
LSUV when the recipe asks. `fit` trains it on epoch-ordered batches (a
resumed run sees the same batches), with the guards every run gets: a stop
at the first NaN, resumable checkpoints, early stopping that keeps the best
epoch, the recipe's training-time augmentation, diagnostics, and weight EMA
folded into the weights at the end.
"""

import dataclasses
import time

import keras

from nnrecipes import data
from nnrecipes.callbacks import KeepBestEpoch
from nnrecipes.callbacks import StopOnNonFinite
from nnrecipes.engine import distribute
from nnrecipes.engine import vectorized
from nnrecipes.families import knobs
from nnrecipes.families.common import fit_autoregressive_path
from nnrecipes.registry import build
from nnrecipes.registry import hypermodel_build
from nnrecipes.registry import resolve_hyperparameters

# Epochs without a better validation loss before training stops (the best
# epoch's weights are kept). Small runs on small data peak within a few
# epochs and then wander; 5 rides out the wandering without wasting much.
DEFAULT_PATIENCE = 5
DEFAULT_MONITOR = "val_loss"
# A run asked for no number of epochs (`epochs=None`, the default of
# `nnrecipes.train`) trains enough of them for about BUDGET_STEPS optimizer
# steps, within BUDGET_EPOCHS; early stopping ends most runs far sooner. The
# catalog tables stop on their own within about 2,000 steps (white wine:
# 33 epochs of 53 steps) but a cap of 20 epochs cut five of them short; the
# floor of 20 keeps large data (adult, MNIST) at the old budget, and the
# ceiling bounds the per-epoch overhead on tiny data. Measured on validation
# in benchmarks/tabular.py.
BUDGET_STEPS = 4000
BUDGET_EPOCHS = (20, 200)
# The diagnostics measure the gradients on about this many steps per epoch
# (every step of a shorter epoch): their cost per step falls as epochs grow.
GRADIENT_STEPS_PER_EPOCH = 32
# Examples per step when none is given; a smaller training split is one batch.
DEFAULT_BATCH_SIZE = 64


def batch_size_for(splits, batch_size=None):
    """The batch size a run on `splits` uses.

    Args:
        splits: the `nnrecipes.data.Splits` to train on.
        batch_size: the user's value, or `None` for `DEFAULT_BATCH_SIZE`
            (64), lowered to the training split's size when that is
            smaller (a short series, a small table).

    Returns:
        A positive integer.

    Example:
    >>> nnrecipes.engine.batch_size_for(nnrecipes.data.load("wine"))
    64
    """
    examples = len(splits.x_train)
    if batch_size is None:
        return min(DEFAULT_BATCH_SIZE, examples)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer or None. "
                         f"Received: batch_size={batch_size!r}")
    if batch_size > examples:
        raise ValueError(
            f"`batch_size` is larger than the training split ({examples} examples of "
            f"{splits.name!r}); leave it out to train on the whole split in one batch. "
            f"Received: batch_size={batch_size}")
    return batch_size


def task_of(splits):
    return "classification" if splits.num_classes is not None else "regression"


def default_epochs(examples, batch_size):
    """The epochs of a run that names none: enough for about `BUDGET_STEPS`
    steps of `batch_size` over `examples` training examples, clipped to
    `BUDGET_EPOCHS`.

    Example:
    >>> nnrecipes.engine.default_epochs(3330, 64)  # white wine: 53 steps an epoch
    76
    """
    for name, value in (("examples", examples), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    steps = -(-examples // batch_size)
    low, high = BUDGET_EPOCHS
    return min(max(-(-BUDGET_STEPS // steps), low), high)


def epoch_budget_text():
    """The rule `default_epochs` follows, in words (for the manifest and `--help`)."""
    low, high = BUDGET_EPOCHS
    return f"about {BUDGET_STEPS} steps, between {low} and {high} epochs"


def run_hyperparameters(recipe, splits, hyperparameters, *, epochs, batch_size):
    """The hyperparameters a run builds with: the user's, plus a schedule's
    `decay_steps` spanning the whole run unless the user set it.

    Returns:
        `(hyperparameters, values)`: what to pass to `build`, and every
        resolved value (for the manifest).
    """
    task = task_of(splits)
    values = resolve_hyperparameters(recipe, hyperparameters, task)
    if values["lr_schedule"] != "constant" and "decay_steps" not in hyperparameters:
        steps = -(-len(splits.x_train) // batch_size)
        hyperparameters = dict(hyperparameters, decay_steps=max(2, epochs * steps))
        values = resolve_hyperparameters(recipe, hyperparameters, task)
    return dict(hyperparameters), values


def build_model(recipe, splits, hyperparameters=None, *, hp=None, strategy=None,
                mixed_precision=False, seed=0):
    """Builds `recipe` for `splits`, ready to train.

    The preprocessing (normalization, text vectorization, table encoding) is
    adapted on `splits.x_train` only and becomes the model's first layers;
    the text vectorizer is the one the recipe's text knobs ask for
    (the knobs of group `"text"` in `nnrecipes.families.knobs`).
    The model is made under `strategy`'s scope and, with `mixed_precision`,
    computes in 16 bits. When the values ask for `lsuv`, the weights are
    LSUV-initialized on a batch of training examples. A forecaster's
    autoregressive path starts at the ridge fit on the training windows
    (`nnrecipes.families.common.fit_autoregressive_path`).

    Args:
        recipe: a `nnrecipes.Recipe`.
        splits: the `nnrecipes.data.Splits` to train on.
        hyperparameters: the recipe's hyperparameters by name. Defaults to
            `None` (the defaults).
        hp: a KerasTuner `HyperParameters` to build from instead (a
            tuner's trial). Defaults to `None`.
        strategy: a `tf.distribute.Strategy` or a name (see
            `nnrecipes.engine.get_strategy`). Defaults to `None` (the current
            device).
        mixed_precision: build in mixed precision (GPU or TPU). Defaults to
            `False`.
        seed: seeds the weights and LSUV's batch. Defaults to `0`.

    Returns:
        A compiled `keras.Model`.
    """
    strategy = distribute.get_strategy(strategy or "default")
    keras.utils.set_random_seed(seed)
    hyperparameters = dict(hyperparameters or {})
    if hp is not None:
        values = recipe.search_space(hp, task_of(splits))
    else:
        values = resolve_hyperparameters(recipe, hyperparameters, task_of(splits))
    # The recipe's text knobs decide the vectorizer adapted on the texts.
    text = knobs.text_values(values)
    kwargs = dict(data.preprocessing_for(splits, **text), num_classes=splits.num_classes,
                  num_outputs=splits.num_outputs)
    with distribute.mixed_precision_scope(mixed_precision), strategy.scope():
        if hp is not None:
            model = hypermodel_build(recipe.name, hp, **kwargs)
        else:
            model = build(recipe.name, **kwargs, **hyperparameters)
    if values.get("lsuv"):
        from nnrecipes.initializers import lsuv_init

        batch = data.make_dataset(splits.x_train[:512], batch_size=512, cache=False)
        lsuv_init(model, batch.get_single_element(), seed=seed)
    # A forecaster's linear autoregressive path starts at its least-squares fit.
    fit_autoregressive_path(model, splits.x_train, splits.y_train, splits.x_val, splits.y_val)
    return model


@dataclasses.dataclass
class FitResult:
    """What `fit` returns.

    Attributes:
        history: the `keras.callbacks.History` of this call (empty when a
            resumed run had already finished).
        seconds: wall time of training.
        stopped: where training broke on a NaN or infinite loss (with a
            `message`), or None.
        early_stopping: `KeepBestEpoch.summary()`: the kept epoch and why,
            or None when early stopping was off.
        diagnostics: the `TrainingDiagnostics` callback, or None.
    """

    history: keras.callbacks.History
    seconds: float
    stopped: dict = None
    early_stopping: dict = None
    diagnostics: object = None


def fit(model, splits, *, epochs, batch_size=64, seed=0, strategy=None, initial_epoch=0,
        validate=True, patience=DEFAULT_PATIENCE, monitor=DEFAULT_MONITOR, checkpoint=None,
        diagnostics=False, augmentation=None, callbacks=None, verbose=0):
    """Trains `model` on `splits` with the guards every nnrecipes run has.

    Args:
        model: a compiled model (see `build_model`).
        splits: the `nnrecipes.data.Splits`; trains on `x_train`, validates
            on `x_val`.
        epochs: the most epochs (early stopping may end sooner).
        batch_size: examples per step. Defaults to `64`.
        seed: seeds the order of each epoch. Defaults to `0`.
        strategy: where it trains (as `build_model`). Defaults to `None`.
        initial_epoch: epochs already done (a resumed run). Defaults to `0`.
        validate: evaluate on `x_val` after each epoch. Defaults to `True`;
            without it there is no early stopping.
        patience: stop after this many epochs without a better `monitor`
            and keep the best epoch's weights; `None` trains every epoch but
            still keeps the best one; `0` turns early stopping off (the last
            epoch's weights stay). Defaults to `DEFAULT_PATIENCE` (5).
        monitor: the validation metric that early stopping watches. Defaults
            to `"val_loss"`.
        checkpoint: a `nnrecipes.callbacks.EpochCheckpoint` saved after each
            epoch (its history seeds early stopping in a resumed run).
            Defaults to `None`.
        diagnostics: watch the run with `TrainingDiagnostics`. Defaults to
            `False`.
        augmentation: the resolved hyperparameters whose augmentation knobs
            apply to the training batches only (`nnrecipes.data.augment`).
            Defaults to `None` (none).
        callbacks: more Keras callbacks. Defaults to `None`.
        verbose: Keras `fit` verbosity. Defaults to `0`.

    Returns:
        A `FitResult`.
    """
    strategy = distribute.get_strategy(strategy or "default")
    steps = -(-len(splits.x_train) // batch_size)
    # A TF-IDF text model trains its network on vectors made once (`engine.vectorized`).
    view = vectorized.training_view(model, splits, validate=validate) \
        if initial_epoch < epochs else None
    stop = StopOnNonFinite()
    guards = [stop]
    keeper = None
    if validate and patience != 0:
        keeper = KeepBestEpoch(monitor, patience=patience,
                               directory=checkpoint.directory if checkpoint else None,
                               history=checkpoint.history if checkpoint else None)
        guards.append(keeper)  # before the checkpoint: best weights are on disk first
    if checkpoint is not None:
        guards.append(view.bound(checkpoint) if view else checkpoint)
    watcher = None
    if diagnostics and initial_epoch < epochs:
        from nnrecipes.diagnostics import TrainingDiagnostics

        # Per-layer figures stay out of the progress bar; the report and the
        # plots read them from the callback's own history.
        watcher = TrainingDiagnostics(probe=splits.x_val if validate else splits.x_train[:256],
                                      probe_model=view.string_model if view else None,
                                      per_layer_logs=False,
                                      gradient_every=gradient_every(steps),
                                      history=checkpoint.diagnostics_history
                                      if checkpoint else None)
        guards.insert(0, watcher)  # before the checkpoint, which saves its history
        if checkpoint is not None:
            checkpoint.diagnostics = watcher
    if getattr(model.optimizer, "use_ema", False):
        # Validation, early stopping, checkpoints and the end of training see
        # the averaged weights: they are swapped in at each epoch's end.
        guards.insert(0, keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    start = time.perf_counter()
    history = keras.callbacks.History()
    if initial_epoch < epochs:
        x_train, x_val = (view.x_train, view.x_val) if view else (splits.x_train, splits.x_val)
        train = data.epoch_batches(x_train, splits.y_train, batch_size=batch_size,
                                   seed=seed, first_epoch=initial_epoch, epochs=epochs)
        if augmentation:
            train = data.training_augmentation(train, augmentation, kind=splits.kind,
                                               num_classes=splits.num_classes, seed=seed)
        val = (data.make_dataset(x_val, splits.y_val, batch_size=batch_size)
               if validate else None)
        history = distribute.fit(
            view.model if view else model, train, epochs=epochs, initial_epoch=initial_epoch,
            steps_per_epoch=steps, validation_data=val, shuffle=False,
            callbacks=[*guards, *(callbacks or [])], verbose=verbose, strategy=strategy)
    stopped = dict(stop.stopped, message=stop.message()) if stop.stopped else None
    return FitResult(history, time.perf_counter() - start, stopped,
                     keeper.summary() if keeper else None, watcher)


def gradient_every(steps_per_epoch):
    """How often the diagnostics measure gradients in an epoch of `steps_per_epoch` steps.

    Example:
    >>> nnrecipes.engine.gradient_every(20), nnrecipes.engine.gradient_every(422)
    (1, 13)
    """
    return max(1, steps_per_epoch // GRADIENT_STEPS_PER_EPOCH)


def evaluate(model, splits, *, part="test", batch_size=64, strategy=None):
    """Keras metrics of `model` on `splits.x_<part>` (also multi-worker)."""
    dataset = data.make_dataset(getattr(splits, f"x_{part}"), getattr(splits, f"y_{part}"),
                                batch_size=batch_size)
    metrics = distribute.evaluate(model, dataset, strategy=distribute.get_strategy(
        strategy or "default"))
    return {k: float(v) for k, v in metrics.items()}


def batch_norm_layers(model):
    """The `BatchNormalization` layers of `model`, nested models included."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        elif hasattr(layer, "layers"):
            found.extend(batch_norm_layers(layer))
    return found


def recompute_batch_norm_statistics(model, x, *, batch_size=128, batches=50, seed=0):
    """Sets every BatchNormalization layer's moving mean and variance to the
    average over `batches` training batches under the model's current weights.

    Weight EMA averages the trainable weights only; the moving statistics
    still follow the raw weights. This recomputes them for the averaged
    weights (as `torch.optim.swa_utils.update_bn` does for SWA): each batch
    runs in training mode with the layers' momentum set so that the moving
    statistics become the plain mean over the batches seen.

    Args:
        model: a built `keras.Model`.
        x: training inputs (NumPy), raw as the model takes them.
        batch_size: examples per batch. Defaults to `128`.
        batches: how many batches to average over. Defaults to `50`.
        seed: seed of the shuffled batch order. Defaults to `0`.

    Returns:
        The number of batches averaged over (0 when the model has no
        BatchNormalization layer, which then is left unchanged).

    Example:
    ```python
    nnrecipes.engine.recompute_batch_norm_statistics(model, splits.x_train)
    ```
    """
    layers = batch_norm_layers(model)
    if not layers:
        return 0
    if batches < 1:
        raise ValueError(f"batches must be at least 1. Received: batches={batches}")
    momenta = [layer.momentum for layer in layers]
    dataset = data.make_dataset(x, batch_size=batch_size, shuffle=True, seed=seed,
                                cache=False).take(batches)
    seen = 0
    try:
        for batch in dataset:
            for layer in layers:
                layer.momentum = seen / (seen + 1)  # a running mean of the batch statistics
            model(batch, training=True)
            seen += 1
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
    return seen
