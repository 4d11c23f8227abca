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
  (biases, normalization scales and offsets). `optimizer="adamw"` with
  `weight_decay=0` keeps Keras's AdamW default of 0.004.
- `ema`, `ema_momentum`: the optimizer keeps an exponential moving average of
  the weights (`use_ema`); `fit` writes the average into the model when it
  ends, so evaluation and export use it (the engine also swaps it in for
  each epoch's validation, with Keras's `SwapEMAWeights`).
- `gradient_accumulation_steps`: the optimizer updates once per that many
  batches, with their mean gradient (1: every batch). Schedules then count
  updates, not batches.
- `augment`, `random_erasing`, `mixup`, `cutmix`: applied to the training
  batches by `nnrecipes.data.training_augmentation`, never inside the model;
  see there. MixUp and CutMix (classification) need `loss="crossentropy"`.
"""

import keras

from nnrecipes import activations
from nnrecipes import losses
from nnrecipes import metrics
from nnrecipes import regularizers
from nnrecipes import schedules
from nnrecipes.data.augment import AUGMENTATIONS
from nnrecipes.data.preprocessing import with_numeric_scaling

OPTIMIZERS = ("adam", "adamw", "nadam", "sgd", "rmsprop", "adagrad")
CLASSIFICATION_LOSSES = ("crossentropy", "hinge", "poly1", "focal", "symmetric_crossentropy")
REGRESSION_LOSSES = ("mse", "mae", "huber", "pinball")
INITIALIZERS = (
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
    "lecun_uniform", "lecun_normal", "orthogonal",
)


def declare_common(hp, task, *, activation="relu", dropout=0.0, batch_norm=False,
                   learning_rate=1e-3, initializer="glorot_uniform"):
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


def token_embedding(x, vocab_size, embedding_dim, mask_zero=True):
    """Embeds token ids; id 0 is padding and is masked when `mask_zero`."""
    return keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=mask_zero,
                                  name="token_embedding")(x)


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
    activation parameters) is excluded. Call it before the optimizer is built
    (before the first training step). Does nothing without weight decay.
    """
    if optimizer.weight_decay is None:
        return
    vectors = [v for v in model.trainable_variables if len(v.shape) < 2]
    if vectors:
        optimizer.exclude_from_weight_decay(var_list=vectors)


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
        raise ValueError(f"Unknown loss {name!r}. Valid: {sorted(makers)}. Received: loss={name!r}")
    return makers[name]()


def head(features, task, num_targets, values):
    """The output layer: probabilities (cross-entropy), scores (hinge) or values.

    It computes in float32 so a mixed-precision body still gives exact outputs.
    """
    if task == "classification":
        activation = "linear" if values["loss"] == "hinge" else "softmax"
    else:
        activation = "linear"
    return keras.layers.Dense(num_targets, activation=activation, dtype="float32",
                              name="head")(features)


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


def _apply(layers, x):
    if layers is not None:
        for layer in layers if isinstance(layers, (list, tuple)) else [layers]:
            x = layer(x)
    return x


def assemble(recipe, values, *, kind, task, input_shape, num_targets, vocab_size,
             preprocessing, input_dtype, compile, raw_input_shape=None, postprocessing=None):
    """Input -> preprocessing -> the family's body -> head -> postprocessing,
    then compile. The input has `raw_input_shape` when given (raw strings that
    the preprocessing turns into `input_shape`), else `input_shape`."""
    check_techniques(values, task)
    dtype = input_dtype or ("int32" if kind == "tokens" else "float32")
    shape = input_shape if raw_input_shape is None else tuple(raw_input_shape)
    inputs = keras.Input(shape=shape, dtype=dtype, name="inputs")
    if "numeric_scaling" in values:  # the recipe's choice for a table's NumericScaler
        preprocessing = with_numeric_scaling(preprocessing, values["numeric_scaling"])
    x = _apply(preprocessing, inputs)
    features = recipe.build_body(x, kind, vocab_size=vocab_size, **values)
    outputs = _apply(postprocessing, head(features, task, num_targets, values))
    model = keras.Model(inputs, outputs, name=recipe.name)
    if compile:
        compile_model(model, task, values)
    return model
