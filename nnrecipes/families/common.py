"""What every family shares: the common hyperparameters, the input, the
output head, the optimizer, the loss and `compile`.

Each family's `search_space` calls `declare_common(hp, task, ...)` once, so the
knobs of the subject (activation, dropout, batch normalization, L1/L2 and
group lasso, initializer, LSUV, optimizer, learning rate and its schedule,
loss, and the training techniques) are declared in one place.

Training techniques, all off by default:
- `label_smoothing` (classification): the crossentropy's targets are mixed
  with the uniform distribution.
- `weight_decay`: decoupled weight decay, `w -= learning_rate * weight_decay * w`
  each step, on every optimizer (Keras 3 decouples it for all of them, so
  `optimizer="adam"` with `weight_decay` is AdamW). Only kernels and
  embeddings decay: `compile_model` excludes every vector or scalar weight
  (biases, normalization scales and offsets). Keras does not save these
  exclusions; `nnrecipes.export.load_model` puts them back on a reloaded
  model's optimizer. `optimizer="adamw"` with `weight_decay=0` keeps
  Keras's AdamW default of 0.004.
- `ema`, `ema_momentum`: the optimizer keeps an exponential moving average of
  the weights (`use_ema`); `fit` writes the average into the model when it
  ends, so evaluation and export use it (the engine also swaps it in for
  each epoch's validation, with Keras's `SwapEMAWeights`). Only trainable
  weights are averaged: BatchNormalization's moving statistics stay those
  of the raw weights. `nnrecipes.engine.recompute_batch_norm_statistics`
  recomputes them under the averaged weights; `fit` does not, since on
  Fashion-MNIST it changed test accuracy by 0.2 points or less
  (benchmarks/RESULTS.md, "Training techniques on Fashion-MNIST").
- `gradient_accumulation_steps`: the optimizer updates once per that many
  batches, with their mean gradient (1: every batch). Schedules then count
  updates, not batches.
- `augment`, `random_erasing`, `mixup`, `cutmix`: applied to the training
  batches by `nnrecipes.data.training_augmentation`, never inside the model;
  see there. MixUp and CutMix (classification) need `loss="crossentropy"`.

Text inputs (raw strings; ignored for other inputs):
- `text_units` (`"auto"`, `"word"`, `"char"`), `word_ngrams`, `char_ngrams`,
  `max_tokens`: the `TextVectorization` that the data pipeline adapts on the
  training texts (`nnrecipes.data.text_vectorizer_for`; `nnrecipes.train`
  and `nnrecipes.tune` pass these values to `preprocessing_for`).
- `embedding_dropout`: drops whole tokens (their embedding vectors) in
  training, the word dropout of bag-of-words models (for the MLP's TF-IDF
  bag, the n-grams' weights).
- `text_bag` (the MLP's only, declared in `nnrecipes.families.mlp`): token
  ids that the model embeds, or one TF-IDF vector per text
  (`nnrecipes.data.TEXT_BAGS`); also passed to `preprocessing_for`.
"""

import keras
import numpy as np

from nnrecipes import activations
from nnrecipes import losses
from nnrecipes import metrics
from nnrecipes import regularizers
from nnrecipes import schedules
from nnrecipes.data.augment import AUGMENTATIONS
from nnrecipes.data.preprocessing import Denormalization
from nnrecipes.data.timeseries import fit_ridge
from nnrecipes.layers import ChannelHistory
from nnrecipes.layers import ReversibleInstanceNormalization
from nnrecipes.layers import nested_layers
from nnrecipes.names import did_you_mean
from nnrecipes.data.preprocessing import TEXT_UNITS
from nnrecipes.data.preprocessing import with_category_embeddings
from nnrecipes.data.preprocessing import with_numeric_scaling

OPTIMIZERS = ("adam", "adamw", "nadam", "sgd", "rmsprop", "adagrad")
CLASSIFICATION_LOSSES = ("crossentropy", "hinge", "poly1", "focal", "symmetric_crossentropy")
REGRESSION_LOSSES = ("mse", "mae", "huber", "pinball")
INITIALIZERS = (
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
    "lecun_uniform", "lecun_normal", "orthogonal",
)
# The forecasting means' defaults, chosen on validation RMSE over the
# catalog's four series (benchmarks/forecasting.py, the GRU, 2026-11-30): the
# autoregressive path alone ranks first (geometric mean of val RMSE / ridge
# AR: 0.927; with RevIN 0.966, with the residual 0.976, all three 0.982, the
# network alone 1.374: 3.7x ridge on the trending airline series): their
# defaults in `declare_common` are revin off, residual off, autoregressive on.


# A forecaster with the autoregressive path starts its network's head at
# zero: before training it forecasts as the ridge fit alone, so its start
# (a candidate for the kept epoch) is the ridge autoregression on the window.
# With a random head the network's untrained output is noise around that fit.
# Measured on validation (benchmarks/forecasting.py, baselines.py and
# unseen.py, 2026-12-04, 8 series, the start a candidate in both): with the
# head at zero no series ends above the ridge AR (worst val RMSE / ridge
# 1.000), with a random head monthly CO2 ends 1.071x above it (its start was
# 0.358 against the ridge's 0.334); the random head's geometric mean is 0.8%
# lower (0.965 against 0.971). The goal is "never above the ridge AR", so the
# head starts at zero. Benchmarks turn it off to run the old start beside it.
ZERO_HEAD_WITH_AUTOREGRESSIVE = True


def declare_common(hp, task, *, activation="relu", dropout=0.0, batch_norm=False,
                   learning_rate=1e-3, initializer="glorot_uniform", text_units="auto",
                   word_ngrams=1, char_ngrams=1, max_tokens=20000, embedding_dropout=0.0):
    """Declares the hyperparameters every family has, with family defaults.

    Returns:
        A dict name -> value.
    """
    losses_for_task = CLASSIFICATION_LOSSES if task == "classification" else REGRESSION_LOSSES
    values = {
        "activation": hp.Choice("activation", activations.activation_names(),
                                default=activation),
        "dropout": hp.Float("dropout", 0.0, 0.8, step=0.05, default=dropout),
        "batch_norm": hp.Boolean("batch_norm", default=batch_norm),
        "l1": hp.Float("l1", 0.0, 0.1, default=0.0),
        "l2": hp.Float("l2", 0.0, 0.1, default=0.0),
        # Group lasso (nnrecipes.regularizers.GroupLasso): prunes whole units.
        "group_lasso": hp.Float("group_lasso", 0.0, 0.1, default=0.0),
        "kernel_initializer": hp.Choice("kernel_initializer", INITIALIZERS,
                                        default=initializer),
        "optimizer": hp.Choice("optimizer", OPTIMIZERS, default="adam"),
        "learning_rate": hp.Float("learning_rate", 1e-5, 1.0, sampling="log",
                                  default=learning_rate),
        "momentum": hp.Float("momentum", 0.0, 0.99, default=0.9),
        "global_clipnorm": hp.Float("global_clipnorm", 0.0, 100.0, default=0.0),
        "loss": hp.Choice("loss", losses_for_task, default=losses_for_task[0]),
        # Learning-rate schedule by name (nnrecipes.schedules.make_schedule):
        # `learning_rate` is its peak, `decay_steps` the training length.
        "lr_schedule": hp.Choice("lr_schedule", schedules.SCHEDULE_NAMES, default="constant"),
        "decay_steps": hp.Int("decay_steps", 2, 10_000_000, sampling="log", default=10_000),
        "warmup_steps": hp.Int("warmup_steps", 0, 1_000_000, default=0),
        # LSUV initialization from a data batch before training (train() runs it).
        "lsuv": hp.Boolean("lsuv", default=False),
        # Training techniques (see the module docstring).
        "weight_decay": hp.Float("weight_decay", 0.0, 0.5, default=0.0),
        "ema": hp.Boolean("ema", default=False),
        "ema_momentum": hp.Float("ema_momentum", 0.9, 0.9999, default=0.999),
        "gradient_accumulation_steps": hp.Int("gradient_accumulation_steps", 1, 64,
                                              default=1),
        # Image inputs only (ignored, with a warning, for other inputs).
        "augment": hp.Choice("augment", AUGMENTATIONS, default="none"),
        "random_erasing": hp.Float("random_erasing", 0.0, 0.5, default=0.0),
        # Text inputs only (see the module docstring).
        "text_units": hp.Choice("text_units", TEXT_UNITS, default=text_units),
        "word_ngrams": hp.Int("word_ngrams", 1, 3, default=word_ngrams),
        "char_ngrams": hp.Int("char_ngrams", 1, 6, default=char_ngrams),
        "max_tokens": hp.Int("max_tokens", 10, 1_000_000, sampling="log",
                             default=max_tokens),
        "embedding_dropout": hp.Float("embedding_dropout", 0.0, 0.5, step=0.05,
                                      default=embedding_dropout),
    }
    if task == "classification":
        values["label_smoothing"] = hp.Float("label_smoothing", 0.0, 0.5, default=0.0)
        # Beta(alpha, alpha) of MixUp (any continuous input) and CutMix
        # (images); 0 turns each off.
        values["mixup"] = hp.Float("mixup", 0.0, 1.0, default=0.0)
        values["cutmix"] = hp.Float("cutmix", 0.0, 1.0, default=0.0)
    else:
        # The quantile that the "pinball" loss fits (0.5: the median).
        values["quantile"] = hp.Float("quantile", 0.01, 0.99, default=0.5)
        # Forecasting means (see `forecast_output`): they apply only where the
        # build knows which input channel is the target series.
        values["revin"] = hp.Boolean("revin", default=False)
        values["residual_forecast"] = hp.Boolean("residual_forecast", default=False)
        values["autoregressive"] = hp.Boolean("autoregressive", default=True)
        values["autoregressive_steps"] = hp.Int("autoregressive_steps", 0, 4096, default=0)
    return values


def regularizer(l1, l2, group_lasso=0.0):
    """Returns the kernel regularizer of L1/L2 and group lasso (over each
    unit's incoming weights), or None when all are 0."""
    parts = []
    if l1 or l2:
        parts.append(keras.regularizers.L1L2(l1=l1, l2=l2))
    if group_lasso:
        parts.append(regularizers.GroupLasso(group_lasso))
    if len(parts) > 1:
        return regularizers.Combined(parts)
    return parts[0] if parts else None


def weight_args(values):
    """Keyword arguments for a Dense/Conv kernel from the common values."""
    return {
        "kernel_initializer": values["kernel_initializer"],
        "kernel_regularizer": regularizer(values["l1"], values["l2"],
                                          values.get("group_lasso", 0.0)),
    }


def batch_norm(name):
    """A BatchNormalization layer whose moving statistics settle within an epoch.

    Keras's default momentum (0.99) needs hundreds of steps before the
    inference-time statistics match the data, so a short run on a small
    dataset evaluates far worse than it trains; 0.9 (PyTorch's default)
    settles in tens of steps (`benchmarks/batchnorm_momentum.py`: the CNN on
    digits after 3 epochs, 0.51 -> 0.92 test accuracy).
    """
    return keras.layers.BatchNormalization(momentum=0.9, name=name)


def dense_block(x, units, values, name):
    """Dense -> (BatchNorm) -> activation -> (Dropout), the MLP's unit of depth."""
    x = keras.layers.Dense(units, use_bias=not values["batch_norm"], name=f"{name}_dense",
                           **weight_args(values))(x)
    if values["batch_norm"]:
        x = batch_norm(f"{name}_bn")(x)
    x = activations.activation_layer(values["activation"], name=f"{name}_act")(x)
    if values["dropout"]:
        x = keras.layers.Dropout(values["dropout"], name=f"{name}_dropout")(x)
    return x


def token_embedding(x, vocab_size, embedding_dim, mask_zero=True, dropout=0.0):
    """Embeds token ids; id 0 is padding and is masked when `mask_zero`.

    With `dropout` > 0, each token's whole vector is zeroed with that
    probability in training (the mask stays as it was).
    """
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=mask_zero,
                               name="token_embedding")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, noise_shape=(None, None, 1),
                                 name="token_dropout")(x)
    return x


def make_optimizer(values):
    """Returns the optimizer the values name, with learning rate, clipping,
    weight decay, weight EMA and gradient accumulation.

    Example:
    >>> nnrecipes.families.common.make_optimizer(
    ...     {"optimizer": "adam", "learning_rate": 1e-3, "global_clipnorm": 0.0,
    ...      "weight_decay": 0.05, "ema": True})
    """
    name = values["optimizer"]
    lr = schedules.make_schedule(values.get("lr_schedule", "constant"), values["learning_rate"],
                                 decay_steps=values.get("decay_steps", 10_000),
                                 warmup_steps=values.get("warmup_steps", 0))
    args = {}
    if values["global_clipnorm"]:
        args["global_clipnorm"] = values["global_clipnorm"]
    if values.get("weight_decay"):
        args["weight_decay"] = values["weight_decay"]
    if values.get("ema"):
        args.update(use_ema=True, ema_momentum=values.get("ema_momentum", 0.999))
    steps = values.get("gradient_accumulation_steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError("`gradient_accumulation_steps` must be an integer >= 1 (1: update "
                         f"every batch). Received: gradient_accumulation_steps={steps!r}")
    if steps > 1:
        args["gradient_accumulation_steps"] = steps
    if name == "sgd":
        return keras.optimizers.SGD(lr, momentum=values["momentum"], nesterov=True, **args)
    makers = {"rmsprop": keras.optimizers.RMSprop, "adagrad": keras.optimizers.Adagrad,
              "adamw": keras.optimizers.AdamW, "nadam": keras.optimizers.Nadam}
    return makers.get(name, keras.optimizers.Adam)(lr, **args)


def exclude_from_weight_decay(optimizer, model):
    """Keeps `optimizer`'s weight decay to the kernels and embeddings of `model`.

    Every trainable weight with fewer than two dimensions (biases,
    BatchNormalization and LayerNormalization scales and offsets, per-unit
    activation parameters) is excluded, and so is every weight that a layer
    lists in its `no_weight_decay_variables` (the members' rank-one factors
    and biases of a `BatchEnsembleDense`, matrices of `(k, units)`). Call it
    before the optimizer is built (before the first training step). Does
    nothing without weight decay.
    """
    if optimizer.weight_decay is None:
        return
    listed = {id(v) for layer in nested_layers(model)
              for v in getattr(layer, "no_weight_decay_variables", ())}
    vectors = [v for v in model.trainable_variables
               if len(v.shape) < 2 or id(v) in listed]
    if vectors:
        optimizer.exclude_from_weight_decay(var_list=vectors)


def restore_weight_decay_exclusions(model):
    """Puts the exclusions of `exclude_from_weight_decay` back on the
    optimizer of a model loaded from a `.keras` file.

    Keras saves an optimizer's config and variables but not which variables
    it leaves out of weight decay, so a reloaded AdamW would decay biases and
    normalization weights if training went on. This makes a fresh optimizer
    from the saved config, excludes the vectors again, and copies the saved
    optimizer state (step count, moments, EMA averages) into it. Does nothing
    without weight decay or without a plain Keras optimizer (e.g. a
    `LossScaleOptimizer` of mixed precision is left as loaded).

    Example:
    ```python
    model = keras.saving.load_model("model.keras")
    restore_weight_decay_exclusions(model)
    ```
    """
    loaded = getattr(model, "optimizer", None)
    if (not isinstance(loaded, keras.optimizers.Optimizer)
            or isinstance(loaded, keras.optimizers.LossScaleOptimizer)
            or not loaded.weight_decay):
        return
    optimizer = type(loaded).from_config(loaded.get_config())
    exclude_from_weight_decay(optimizer, model)
    optimizer.build(model.trainable_variables)
    if loaded.built:
        for fresh, saved in zip(optimizer.variables, loaded.variables, strict=True):
            fresh.assign(saved)
    model.optimizer = optimizer


def check_techniques(values, task):
    """Raises when `values` combine training techniques that cannot work
    together: MixUp or CutMix (soft targets) with a loss other than
    `"crossentropy"`."""
    mixing = {k: values[k] for k in ("mixup", "cutmix") if values.get(k)}
    if task == "classification" and mixing and values["loss"] != "crossentropy":
        given = ", ".join(f"{k}={v}" for k, v in mixing.items())
        raise ValueError(
            "mixup/cutmix make soft targets, which need loss='crossentropy'. "
            f"Received: loss={values['loss']!r}, {given}")


def make_loss(name, quantile=0.5, label_smoothing=0.0):
    """Returns the Keras loss that the `loss` hyperparameter names.

    `quantile` is the quantile that `"pinball"` fits; `label_smoothing`
    applies to `"crossentropy"`, which takes integer labels and soft
    (MixUp/CutMix) targets alike.
    """
    makers = {
        "crossentropy": lambda: losses.Crossentropy(label_smoothing=label_smoothing),
        "hinge": losses.SparseCategoricalHinge,
        "poly1": losses.PolyLoss,
        "focal": losses.SparseFocalCrossentropy,
        "symmetric_crossentropy": losses.SymmetricCrossentropy,
        "mse": keras.losses.MeanSquaredError,
        "mae": keras.losses.MeanAbsoluteError,
        "huber": keras.losses.Huber,
        "pinball": lambda: losses.PinballLoss(quantile),
    }
    if name not in makers:
        raise ValueError(f"Unknown loss {name!r}.{did_you_mean(name, makers)} "
                         f"Valid: {sorted(makers)}. Received: loss={name!r}")
    return makers[name]()


def head(features, task, num_targets, values, zero_init=False):
    """The output layer: probabilities (cross-entropy), scores (hinge) or values.

    It computes in float32 so a mixed-precision body still gives exact
    outputs. With `zero_init` its kernel starts at zero (its output is 0).
    """
    if task == "classification":
        activation = "linear" if values["loss"] == "hinge" else "softmax"
    else:
        activation = "linear"
    init = {"kernel_initializer": "zeros"} if zero_init else {}
    return keras.layers.Dense(num_targets, activation=activation, dtype="float32",
                              name="head", **init)(features)


def compile_model(model, task, values):
    """Compiles with the optimizer, loss and metrics the values name."""
    if task == "classification":
        scores = [metrics.Accuracy(name="accuracy")]
    else:
        scores = [keras.metrics.MeanAbsoluteError(name="mae"),
                  keras.metrics.RootMeanSquaredError(name="rmse")]
    check_techniques(values, task)
    loss = make_loss(values["loss"], values.get("quantile", 0.5),
                     values.get("label_smoothing", 0.0))
    optimizer = make_optimizer(values)
    exclude_from_weight_decay(optimizer, model)
    model.compile(optimizer=optimizer, loss=loss, metrics=scores)


def forecasting(task, kind, num_targets, target_feature):
    """Whether a build is a one-step forecast of a series that is a channel of
    its input: regression, a numeric sequence, one output, a known target
    channel. Only then do the forecasting means apply."""
    return (task == "regression" and kind == "sequence" and num_targets == 1
            and target_feature is not None)


def forecast_output(body, head, inputs, values, *, target_feature):
    """The forecast made from a window `inputs` (in the units the body sees):
    `head(body(window))`, with the forecasting means the values switch on.

    - `revin`: the body sees each window normalized by its own mean and
      standard deviation (`nnrecipes.layers.ReversibleInstanceNormalization`),
      and the head's output is mapped back to the window's level and scale,
      so a test period outside the training range looks like training data.
    - `residual_forecast`: the network forecasts the change from the last
      observed value, `last value + network`; its head starts at zero, so
      an untrained model forecasts persistence.
    - `autoregressive` (LSTNet's "highway"): a linear map of the target's
      last `autoregressive_steps` values (0: the whole window) is added to
      the output; it starts at zero, and the engine sets it to the best
      linear fit on the training windows (`fit_autoregressive_path`).

    The head's output must be in the units of the target channel of
    `inputs`; `nnrecipes.data.preprocessing_for` makes it so.

    Args:
        body: a function window -> features.
        head: a function features -> `(batch, 1)` output.
        inputs: the window `(batch, timesteps, channels)`.
        values: the resolved hyperparameters.
        target_feature: the channel of `inputs` that is the target series.

    Returns:
        The forecast tensor `(batch, 1)`.
    """
    window = inputs
    if values["revin"]:
        revin = ReversibleInstanceNormalization(target_feature, name="revin")
        window = revin(inputs)
    output = head(body(window))
    if values["residual_forecast"]:
        last = ChannelHistory(target_feature, 1, dtype="float32", name="last_value")(window)
        output = keras.layers.Add(dtype="float32", name="residual_forecast")([output, last])
    if values["revin"]:
        output = revin(output, reference=inputs)
    if values["autoregressive"]:
        timesteps = inputs.shape[1]
        steps = values["autoregressive_steps"] or timesteps
        if timesteps is not None:
            steps = min(steps, timesteps)
        history = ChannelHistory(target_feature, steps, dtype="float32",
                                 name="autoregressive_history")(inputs)
        linear = keras.layers.Dense(1, kernel_initializer="zeros", dtype="float32",
                                    name="autoregressive")(history)
        output = keras.layers.Add(dtype="float32", name="autoregressive_sum")([output, linear])
    return output


def fit_autoregressive_path(model, x_train, y_train, x_val, y_val):
    """Starts a forecaster's autoregressive path at the best linear fit.

    The path (the `"autoregressive"` Dense layer of `forecast_output`) is
    set to the ridge regression (`nnrecipes.data.timeseries.fit_ridge`,
    penalty chosen on `x_val`) of what the rest of the model, as it is now,
    leaves unexplained on the training windows. Before training the model
    then forecasts at least as well on the training windows as a linear
    autoregression, and the network learns what is left. Does nothing for a
    model without that layer.

    Args:
        model: a model built by a recipe.
        x_train, y_train: the training windows and targets (raw units).
        x_val, y_val: the validation windows and targets.
    """
    names = [layer.name for layer in model.layers]
    if "autoregressive" not in names:
        return
    # The path's sum is denormalized after it: fit in its units.
    scale = 1.0
    for layer in model.layers[names.index("autoregressive_sum") + 1:]:
        if isinstance(layer, Denormalization):
            scale = np.asarray(layer.std, "float64").reshape(-1)[0]
        elif not isinstance(layer, keras.layers.InputLayer):
            return  # an unknown map after the sum: leave the path at zero
    path = model.get_layer("autoregressive")
    history = keras.Model(model.inputs, model.get_layer("autoregressive_history").output)
    path.set_weights([np.zeros_like(w) for w in path.get_weights()])

    def parts(x, y):
        left = (np.asarray(y, "float64").reshape(-1)
                - model.predict(x, batch_size=1024, verbose=0).reshape(-1))
        return history.predict(x, batch_size=1024, verbose=0), left / scale

    coefficients, intercept, _ = fit_ridge(*parts(x_train, y_train), *parts(x_val, y_val))
    path.set_weights([coefficients.reshape(-1, 1).astype("float32"),
                      np.array([intercept], "float32")])


def has_ridge_start(model):
    """Whether `model` starts from a meaningful point: a forecaster whose
    autoregressive path was set to the ridge fit (`fit_autoregressive_path`),
    so that before training it forecasts as a linear autoregression. Its
    start is then a candidate for the kept epoch (`nnrecipes.engine.fit`).

    Example:
    >>> nnrecipes.families.common.has_ridge_start(keras.Sequential([keras.Input((2,))]))
    False
    """
    names = [layer.name for layer in model.layers]
    if "autoregressive" not in names:
        return False
    return any(np.any(w != 0) for w in model.get_layer("autoregressive").get_weights())


def _apply(layers, x):
    if layers is not None:
        for layer in layers if isinstance(layers, (list, tuple)) else [layers]:
            x = layer(x)
    return x


def assemble(recipe, values, *, kind, task, input_shape, num_targets, vocab_size,
             preprocessing, input_dtype, compile, raw_input_shape=None, postprocessing=None,
             target_feature=None):
    """Input -> preprocessing -> the family's body -> head -> postprocessing,
    then compile. The input has `raw_input_shape` when given (raw strings that
    the preprocessing turns into `input_shape`), else `input_shape`. A
    forecast (see `forecasting`) gets the forecasting means of
    `forecast_output` around body and head."""
    check_techniques(values, task)
    dtype = input_dtype or ("int32" if kind == "tokens" else "float32")
    shape = input_shape if raw_input_shape is None else tuple(raw_input_shape)
    inputs = keras.Input(shape=shape, dtype=dtype, name="inputs")
    if "numeric_scaling" in values:  # the recipe's choice for a table's NumericScaler
        preprocessing = with_numeric_scaling(preprocessing, values["numeric_scaling"])
    if "categorical_embedding" in values:  # its choice for a table's TabularEncoder
        preprocessing = with_category_embeddings(preprocessing,
                                                 values["categorical_embedding"])
    x = _apply(preprocessing, inputs)

    def body(window):
        return recipe.build_body(window, kind, vocab_size=vocab_size, **values)

    if forecasting(task, kind, num_targets, target_feature):
        # With a residual, the network's part starts at zero (persistence);
        # with the autoregressive path too (ZERO_HEAD_WITH_AUTOREGRESSIVE), so
        # that the start is the ridge autoregression itself.
        zero = values["residual_forecast"] or (values["autoregressive"]
                                               and ZERO_HEAD_WITH_AUTOREGRESSIVE)
        outputs = forecast_output(
            body, lambda f: head(f, task, num_targets, values, zero_init=zero), x, values,
            target_feature=target_feature)
        outputs = _apply(postprocessing, outputs)
    else:
        # Postprocessing (an affine denormalization) goes before an ensemble's mean.
        outputs = recipe.finish_outputs(
            _apply(postprocessing, head(body(x), task, num_targets, values)))
    model = recipe.make_model(inputs, outputs)
    if compile:
        compile_model(model, task, values)
    return model
