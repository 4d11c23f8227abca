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
from nnrecipes.families.common import has_ridge_start
from nnrecipes.families.knobs import task_of
from nnrecipes.registry import build
from nnrecipes.registry import hypermodel_build
from nnrecipes.registry import resolve_hyperparameters

# Epochs without a better validation loss before training stops (the best
# epoch's weights are kept). Small runs on small data peak within a few
# epochs and then wander; 5 rides out the wandering without wasting much.
# `"auto"`, the default, counts it in optimizer steps: at least
# PATIENCE_EPOCHS epochs and at least PATIENCE_STEPS steps (`patience_for`),
# so a 400-row table of 5 batches an epoch is not stopped after 25 updates
# (benchmarks/patience_steps.py, validation scores on the small tables).
DEFAULT_PATIENCE = "auto"
PATIENCE_EPOCHS = 5
PATIENCE_STEPS = 200
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
# Training steps that one call of the compiled training function runs
# (Keras's `steps_per_execution`), at most: the largest divisor of the
# epoch's steps up to this (a chunk must not run past an epoch's end). It
# saves Keras's per-step Python work and the NaN check's host sync on each
# step; the diagnostics measure inside the step and are unaffected.
EXECUTION_STEPS = 16
# The resumable checkpoint takes at most about this share of training time:
# on short epochs it is saved every few epochs (`EpochCheckpoint.max_share`).
CHECKPOINT_SHARE = 0.05
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


def patience_for(patience, steps_per_epoch):
    """The patience in epochs that early stopping uses.

    Args:
        patience: `"auto"` (the default: `PATIENCE_EPOCHS` epochs, or
            `PATIENCE_STEPS` optimizer steps when those take more epochs),
            an integer number of epochs, `None` (never stop) or `0` (off).
        steps_per_epoch: optimizer steps in an epoch.

    Returns:
        `None` or an integer.

    Example:
    >>> nnrecipes.engine.patience_for("auto", 5), nnrecipes.engine.patience_for("auto", 53)
    (40, 5)
    """
    if patience != "auto":
        if patience is not None and (isinstance(patience, bool)
                                     or not isinstance(patience, int) or patience < 0):
            raise ValueError("`patience` must be 'auto', a number of epochs (0: no early "
                             f"stopping) or None. Received: patience={patience!r}")
        return patience
    return max(PATIENCE_EPOCHS, -(-PATIENCE_STEPS // max(int(steps_per_epoch), 1)))


def steps_per_execution(steps_per_epoch, most=None):
    """The training steps one call of the training function runs: the
    largest divisor of `steps_per_epoch` up to `most` (`None`:
    `EXECUTION_STEPS`, 16).

    Example:
    >>> nnrecipes.engine.steps_per_execution(20), nnrecipes.engine.steps_per_execution(53)
    (10, 1)
    """
    steps = max(int(steps_per_epoch), 1)
    most = EXECUTION_STEPS if most is None else most
    return max(n for n in range(1, min(most, steps) + 1) if steps % n == 0)


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
    task = task_of(splits, forecasting=False)
    # The recipe's defaults that follow from the data; the user's values win.
    hyperparameters = {**recipe.data_defaults(splits), **hyperparameters}
    values = resolve_hyperparameters(recipe, hyperparameters, task)
    if values["lr_schedule"] != "constant" and "decay_steps" not in hyperparameters:
        steps = -(-len(splits.x_train) // batch_size)
        hyperparameters = dict(hyperparameters, decay_steps=max(2, epochs * steps))
        values = resolve_hyperparameters(recipe, hyperparameters, task)
    return dict(hyperparameters), values


def build_arguments(splits, values=None):
    """The `build` keyword arguments of a model for `splits` other than its
    hyperparameters: the targets, and the preprocessing adapted on
    `splits.x_train` only, with the vectorizer the text knobs among `values`
    ask for (`nnrecipes.families.knobs.text_values`).

    Example:
    >>> sorted(nnrecipes.engine.build_arguments(nnrecipes.data.load("wine")))[:2]
    ['input_shape', 'num_classes']
    """
    text = knobs.text_values(values or {})
    return dict(data.preprocessing_for(splits, **text), num_classes=splits.num_classes,
                num_outputs=splits.num_outputs)


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
    hyperparameters = {**recipe.data_defaults(splits), **dict(hyperparameters or {})}
    if hp is not None:
        values = recipe.search_space(hp, task_of(splits, forecasting=False))
    else:
        values = resolve_hyperparameters(recipe, hyperparameters,
                                         task_of(splits, forecasting=False))
    kwargs = build_arguments(splits, values)
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
        diagnostics=False, augmentation=None, callbacks=None, verbose=0, keep_start=None):
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
            epoch's weights stay). Defaults to `DEFAULT_PATIENCE` (`"auto"`:
            5 epochs or 200 optimizer steps, whichever is more; see
            `patience_for`).
        monitor: the validation metric that early stopping watches. Defaults
            to `"val_loss"`.
        checkpoint: a `nnrecipes.callbacks.EpochCheckpoint` saved after each
            epoch (its history seeds early stopping in a resumed run).
            Defaults to `None`.
        diagnostics: watch the run with `TrainingDiagnostics`. Defaults to
            `False`.
        augmentation: the values of the augmentation knobs that apply to
            the data, for the training batches only (see
            `nnrecipes.families.knobs.augmentation_values` and
            `nnrecipes.data.training_augmentation`). Defaults to `None` (none).
        callbacks: more Keras callbacks. Defaults to `None`.
        verbose: Keras `fit` verbosity. Defaults to `0`.
        keep_start: make the weights before the first epoch a candidate for
            the kept epoch (validation is evaluated once before training;
            "kept epoch 0 (the start)"). Defaults to `None`: where the start
            is meaningful, a forecaster whose autoregressive path starts at
            the ridge fit (`nnrecipes.families.common.has_ridge_start`), on
            one worker.

    Returns:
        A `FitResult`.
    """
    strategy = distribute.get_strategy(strategy or "default")
    steps = -(-len(splits.x_train) // batch_size)
    patience = patience_for(patience, steps)
    # A TF-IDF text model trains its network on vectors made once (`engine.vectorized`).
    view = vectorized.training_view(model, splits, validate=validate) \
        if initial_epoch < epochs else None
    x_train, x_val = (view.x_train, view.x_val) if view else (splits.x_train, splits.x_val)
    stop = StopOnNonFinite()
    guards = [stop]
    keeper = None
    val = (data.make_dataset(x_val, splits.y_val, batch_size=batch_size)
           if validate else None)
    if keep_start is None:
        keep_start = has_ridge_start(model) and not distribute.is_multi_worker(strategy)
    if validate and patience != 0:
        keeper = KeepBestEpoch(monitor, patience=patience,
                               directory=checkpoint.directory if checkpoint else None,
                               history=checkpoint.history if checkpoint else None,
                               start=val if keep_start else None)
        guards.append(keeper)  # before the checkpoint: best weights are on disk first
    if checkpoint is not None:
        guards.append(view.bound(checkpoint) if view else checkpoint)
        if checkpoint.max_share is None:
            checkpoint.max_share = CHECKPOINT_SHARE  # saves sized to the epoch
        if keeper is not None:  # the best weights go to disk with each checkpoint
            checkpoint.keeper, keeper.deferred = keeper, True
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
        train = data.epoch_batches(x_train, splits.y_train, batch_size=batch_size,
                                   seed=seed, first_epoch=initial_epoch, epochs=epochs)
        if augmentation:
            train = data.training_augmentation(train, augmentation, kind=splits.kind,
                                               num_classes=splits.num_classes, seed=seed)
        history = _fit_in_chunks(
            view.model if view else model, steps, train, epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps, validation_data=val, shuffle=False,
            callbacks=[*guards, *(callbacks or [])], verbose=verbose, strategy=strategy)
    stopped = dict(stop.stopped, message=stop.message()) if stop.stopped else None
    return FitResult(history, time.perf_counter() - start, stopped,
                     keeper.summary() if keeper else None, watcher)


def _fit_in_chunks(model, steps, train, **kwargs):
    """`distribute.fit` with `steps_per_execution(steps)` steps a call,
    then the model's own setting back."""
    previous = model.steps_per_execution
    chunk = steps_per_execution(steps) if model.optimizer is not None else previous
    if chunk != previous:
        _set_steps_per_execution(model, chunk)
    try:
        return distribute.fit(model, train, **kwargs)
    finally:
        if chunk != previous:
            _set_steps_per_execution(model, previous)


def _set_steps_per_execution(model, steps):
    # Keras keeps its compiled train, test and predict functions, each made
    # for one `steps_per_execution`: all three are made again for the new one.
    model.steps_per_execution = steps
    model.make_train_function(force=True)
    model.make_test_function(force=True)
    model.make_predict_function(force=True)


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
