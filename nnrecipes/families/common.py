"""What every family shares: the common hyperparameters, the input, the
output head, the optimizer, the loss and `compile`.

Each family's `search_space` calls `declare_common(hp, task, ...)` once, so the
knobs of the subject (activation, dropout, batch normalization, L1/L2 and
group lasso, initializer, LSUV, optimizer, learning rate and its schedule,
loss) are declared in one place.
"""

import keras

from nnrecipes import activations
from nnrecipes import losses
from nnrecipes import regularizers
from nnrecipes import schedules

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
    }
    if task != "classification":
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
    """Returns the optimizer the values name, with learning rate and clipping."""
    name = values["optimizer"]
    lr = schedules.make_schedule(values.get("lr_schedule", "constant"), values["learning_rate"],
                                 decay_steps=values.get("decay_steps", 10_000),
                                 warmup_steps=values.get("warmup_steps", 0))
    clip = {"global_clipnorm": values["global_clipnorm"]} if values["global_clipnorm"] else {}
    if name == "sgd":
        return keras.optimizers.SGD(lr, momentum=values["momentum"], nesterov=True, **clip)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(lr, **clip)
    if name == "adagrad":
        return keras.optimizers.Adagrad(lr, **clip)
    if name == "adamw":
        return keras.optimizers.AdamW(lr, **clip)
    if name == "nadam":
        return keras.optimizers.Nadam(lr, **clip)
    return keras.optimizers.Adam(lr, **clip)


def make_loss(name, quantile=0.5):
    """Returns the Keras loss that the `loss` hyperparameter names.

    `quantile` is the quantile that `"pinball"` fits.
    """
    makers = {
        "crossentropy": keras.losses.SparseCategoricalCrossentropy,
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
        metrics = [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    else:
        metrics = [keras.metrics.MeanAbsoluteError(name="mae"),
                   keras.metrics.RootMeanSquaredError(name="rmse")]
    loss = make_loss(values["loss"], values.get("quantile", 0.5))
    model.compile(optimizer=make_optimizer(values), loss=loss, metrics=metrics)


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
    dtype = input_dtype or ("int32" if kind == "tokens" else "float32")
    shape = input_shape if raw_input_shape is None else tuple(raw_input_shape)
    inputs = keras.Input(shape=shape, dtype=dtype, name="inputs")
    x = _apply(preprocessing, inputs)
    features = recipe.build_body(x, kind, vocab_size=vocab_size, **values)
    outputs = _apply(postprocessing, head(features, task, num_targets, values))
    model = keras.Model(inputs, outputs, name=recipe.name)
    if compile:
        compile_model(model, task, values)
    return model
