"""One example per registered component: how to make it, a small model that
contains it, and what to compare after a save and reload.

The contract test runs over every registered name and fails for a name with
no entry here, so a new component cannot go untested: add it to `SPECS`.
Kinds: `"layer"` (the model's outputs are compared and the model is exported
as a SavedModel), `"activation"` (a weightless activation function inside a
Dense layer; compared and exported like a layer), `"loss"` (the compiled
loss's value), `"metric"` (the compiled metric's value), `"regularizer"`
(the penalty the model adds) and `"schedule"` (the optimizer's learning rate
at several steps).
"""

import numpy as np

import keras

import nnrecipes

RNG = np.random.default_rng(7)
X_FLAT = RNG.normal(size=(4, 6)).astype("float32")
X_SEQ = RNG.normal(size=(3, 5, 8)).astype("float32")
X_IMG = RNG.normal(size=(2, 6, 6, 3)).astype("float32")
PROBS = keras.ops.convert_to_numpy(keras.ops.softmax(RNG.normal(size=(5, 3)))).astype("float32")
LABELS = np.array([0, 2, 1, 1, 0])
WEIGHTS = np.array([1.0, 0.5, 2.0, 0.0, 1.5], dtype="float32")
SCHEDULE_STEPS = [0, 3, 10, 25, 60, 99, 150]


def _single_layer(layer, x):
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    return model, {"x": x}


def _dense_then(layer, x):
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, layer(keras.layers.Dense(8)(inputs)))
    return model, {"x": x}


def _activation_model(fn):
    inputs = keras.Input(X_FLAT.shape[1:])
    model = keras.Model(inputs, keras.layers.Dense(5, activation=fn)(inputs))
    return model, {"x": X_FLAT}


def _loss_model(loss, quantiles=False):
    inputs = keras.Input(X_FLAT.shape[1:])
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile(optimizer="adam", loss=loss)
    if quantiles:
        y_true = RNG.normal(size=(5, 1)).astype("float32")
        y_pred = RNG.normal(size=(5, 3)).astype("float32")
    else:
        y_true, y_pred = LABELS, PROBS
    return model, {"y_true": y_true, "y_pred": y_pred, "sample_weight": WEIGHTS}


def _metric_model(metric):
    inputs = keras.Input(X_FLAT.shape[1:])
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=[metric])
    return model, {"y_true": LABELS, "y_pred": PROBS}


def _regularizer_model(regularizer, activity=False):
    inputs = keras.Input(X_FLAT.shape[1:])
    key = "activity_regularizer" if activity else "kernel_regularizer"
    dense = keras.layers.Dense(4, activation="sigmoid", **{key: regularizer})
    return keras.Model(inputs, dense(inputs)), {"x": X_FLAT}


def _schedule_model(schedule):
    inputs = keras.Input(X_FLAT.shape[1:])
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule), loss="mse")
    return model, {"steps": np.array(SCHEDULE_STEPS)}


def _member_loss_model():
    inputs = keras.Input(X_FLAT.shape[1:])
    members = nnrecipes.layers.BatchEnsembleDense(3, k=4, r_init="random_signs")(inputs)
    outputs = nnrecipes.layers.EnsembleMean()(keras.layers.Softmax()(members))
    return nnrecipes.layers.MemberLossModel(inputs, outputs, name="members")


A = nnrecipes.activations
L = nnrecipes.layers
S = nnrecipes.schedules

# name -> (kind, make the component, make (model, inputs) from the component)
SPECS = {
    # Activation layers
    "nnrecipes>BetaSwish": ("layer", lambda: A.BetaSwish(beta=1.5),
                            lambda c: _dense_then(c, X_FLAT)),
    "nnrecipes>LiSHT": ("layer", lambda: A.LiSHT(), lambda c: _dense_then(c, X_FLAT)),
    "nnrecipes>Maxout": ("layer", lambda: A.Maxout(pieces=4),
                         lambda c: _dense_then(c, X_FLAT)),
    "nnrecipes>RReLU": ("layer", lambda: A.RReLU(lower=0.1, upper=0.3, seed=3),
                        lambda c: _dense_then(c, X_FLAT)),
    "nnrecipes>ScaledTanh": ("layer", lambda: A.ScaledTanh(), lambda c: _dense_then(c, X_FLAT)),
    "nnrecipes>Snake": ("layer", lambda: A.Snake(frequency=0.7),
                        lambda c: _dense_then(c, X_FLAT)),
    # Activation functions
    "nnrecipes>beta_swish": ("activation", lambda: A.beta_swish, _activation_model),
    "nnrecipes>lisht": ("activation", lambda: A.lisht, _activation_model),
    "nnrecipes>scaled_tanh": ("activation", lambda: A.scaled_tanh, _activation_model),
    "nnrecipes>snake": ("activation", lambda: A.snake, _activation_model),
    # Layers
    "nnrecipes>BatchEnsembleDense": (
        "layer", lambda: L.BatchEnsembleDense(3, k=4, r_init="random_signs",
                                              kernel_regularizer="l2"),
        lambda c: _single_layer(c, X_FLAT)),
    "nnrecipes>EnsembleMean": ("layer", lambda: L.EnsembleMean(),
                               lambda c: _single_layer(c, X_SEQ)),
    "nnrecipes>MemberLossModel": ("layer", lambda: _member_loss_model(),
                                  lambda c: (c, {"x": X_FLAT})),
    "nnrecipes>ChannelHistory": ("layer", lambda: L.ChannelHistory(channel=2, steps=3),
                                 lambda c: _single_layer(c, X_SEQ)),
    "nnrecipes>ReversibleInstanceNormalization": (
        "layer", lambda: L.ReversibleInstanceNormalization(channel=1, epsilon=1e-4),
        lambda c: _single_layer(c, X_SEQ)),
    "nnrecipes>DropPath": ("layer", lambda: L.DropPath(0.3, seed=1),
                           lambda c: _dense_then(c, X_FLAT)),
    "nnrecipes>MaskedGlobalPooling1D": ("layer", lambda: L.MaskedGlobalPooling1D("max"),
                                        lambda c: _single_layer(c, X_SEQ)),
    "nnrecipes>PeriodicEmbedding": (
        "layer", lambda: L.PeriodicEmbedding(num_frequencies=3, embedding_dim=4, sigma=0.5),
        lambda c: _single_layer(c, X_FLAT)),
    "nnrecipes>PositionalEmbedding": ("layer", lambda: L.PositionalEmbedding(5),
                                      lambda c: _single_layer(c, X_SEQ)),
    "nnrecipes>SinusoidalPositionalEmbedding": (
        "layer", lambda: L.SinusoidalPositionalEmbedding(max_wavelength=100),
        lambda c: _single_layer(c, X_SEQ)),
    "nnrecipes>ResidualConvBlock": (
        "layer", lambda: L.ResidualConvBlock(4, activation="snake", drop_path=0.2,
                                             kernel_regularizer="l2"),
        lambda c: _single_layer(c, X_IMG)),
    "nnrecipes>ResidualDenseBlock": (
        "layer", lambda: L.ResidualDenseBlock(5, activation="beta_swish", batch_norm=True,
                                              dropout=0.1, drop_path=0.1),
        lambda c: _single_layer(c, X_FLAT)),
    "nnrecipes>TransformerEncoder": (
        "layer", lambda: L.TransformerEncoder(2, 12, activation="snake", dropout=0.1,
                                              drop_path=0.1),
        lambda c: _single_layer(c, X_SEQ)),
    "nnrecipes>WeightNormalization": (
        "layer", lambda: L.WeightNormalization(keras.layers.Conv2D(4, 3, padding="same")),
        lambda c: _single_layer(c, X_IMG)),
    # Loss classes (non-default arguments, so a lost argument shows)
    "nnrecipes>PinballLoss": ("loss", lambda: nnrecipes.losses.PinballLoss([0.1, 0.5, 0.9]),
                              lambda c: _loss_model(c, quantiles=True)),
    "nnrecipes>PolyLoss": ("loss", lambda: nnrecipes.losses.PolyLoss(epsilon=2.0),
                           _loss_model),
    "nnrecipes>SparseCategoricalHinge": ("loss", lambda: nnrecipes.losses.SparseCategoricalHinge(
        reduction="sum"), _loss_model),
    "nnrecipes>SparseFocalCrossentropy": (
        "loss", lambda: nnrecipes.losses.SparseFocalCrossentropy(alpha=[0.2, 0.3, 0.5],
                                                                 gamma=1.5),
        _loss_model),
    "nnrecipes>SymmetricCrossentropy": (
        "loss", lambda: nnrecipes.losses.SymmetricCrossentropy(alpha=0.3, beta=0.7,
                                                               reduction="mean"),
        _loss_model),
    "nnrecipes>Crossentropy": ("loss", lambda: nnrecipes.losses.Crossentropy(
        label_smoothing=0.2), _loss_model),
    # Loss functions
    "nnrecipes>crossentropy": ("loss", lambda: nnrecipes.losses.crossentropy, _loss_model),
    "nnrecipes>pinball_loss": ("loss", lambda: nnrecipes.losses.pinball_loss,
                               _loss_model),
    "nnrecipes>poly1_crossentropy": ("loss", lambda: nnrecipes.losses.poly1_crossentropy,
                                     _loss_model),
    "nnrecipes>sparse_categorical_hinge": (
        "loss", lambda: nnrecipes.losses.sparse_categorical_hinge, _loss_model),
    "nnrecipes>sparse_focal_crossentropy": (
        "loss", lambda: nnrecipes.losses.sparse_focal_crossentropy, _loss_model),
    "nnrecipes>symmetric_crossentropy": (
        "loss", lambda: nnrecipes.losses.symmetric_crossentropy, _loss_model),
    # Regularizers
    "nnrecipes>GroupLasso": ("regularizer", lambda: nnrecipes.regularizers.GroupLasso(0.05),
                             _regularizer_model),
    "nnrecipes>Combined": ("regularizer", lambda: nnrecipes.regularizers.Combined(
        [keras.regularizers.L2(0.01), nnrecipes.regularizers.GroupLasso(0.02, axis=0)]),
        _regularizer_model),
    "nnrecipes>KLSparsity": ("regularizer",
                             lambda: nnrecipes.regularizers.KLSparsity(0.1, 0.5),
                             lambda c: _regularizer_model(c, activity=True)),
    # Metrics
    "nnrecipes>Accuracy": ("metric", lambda: nnrecipes.metrics.Accuracy(name="acc"),
                           _metric_model),
    "nnrecipes>accuracy": ("metric", lambda: nnrecipes.metrics.accuracy, _metric_model),
    # Schedules
    "nnrecipes>CyclicalLearningRate": (
        "schedule", lambda: S.CyclicalLearningRate(1e-3, 1e-2, 20, mode="exp_range",
                                                   gamma=0.99),
        _schedule_model),
    "nnrecipes>InverseSquareRoot": ("schedule", lambda: S.InverseSquareRoot(1e-3, 10),
                                    _schedule_model),
    "nnrecipes>LinearWarmup": (
        "schedule", lambda: S.LinearWarmup(S.OneCycle(1e-2, 80, anneal="linear"), 10,
                                           initial_learning_rate=1e-4),
        _schedule_model),
    "nnrecipes>OneCycle": ("schedule", lambda: S.OneCycle(1e-2, 100, warmup_fraction=0.25),
                           _schedule_model),
}


def make(name):
    """Returns `(kind, component, model, inputs)` for a registered name, with
    the model's weights moved away from their initial values."""
    from tests.components import helpers

    kind, make_component, make_model = SPECS[name]
    component = make_component()
    model, inputs = make_model(component)
    helpers.perturb_weights(model)
    return kind, component, model, inputs


def probe(kind, model, inputs):
    """What must be equal before and after a reload, as NumPy arrays."""
    to_np = keras.ops.convert_to_numpy
    if kind in ("layer", "activation"):
        return {"y": to_np(model(inputs["x"], training=False))}
    if kind == "loss":
        loss = model.loss
        y_true, y_pred = inputs["y_true"], inputs["y_pred"]
        if isinstance(loss, keras.losses.Loss):
            return {"loss": to_np(loss(y_true, y_pred)),
                    "weighted": to_np(loss(y_true, y_pred,
                                           sample_weight=inputs["sample_weight"])),
                    "class": np.array(type(loss).__name__)}
        return {"loss": to_np(loss(y_true, y_pred)), "name": np.array(loss.__name__)}
    if kind == "metric":
        config = model.get_compile_config()["metrics"][0]
        metric = keras.saving.deserialize_keras_object(config)
        if isinstance(metric, keras.metrics.Metric):
            metric.update_state(inputs["y_true"], inputs["y_pred"])
            return {"value": to_np(metric.result()), "name": np.array(metric.name)}
        return {"value": to_np(metric(inputs["y_true"], inputs["y_pred"])),
                "name": np.array(metric.__name__)}
    if kind == "regularizer":
        model(inputs["x"])
        return {"penalty": to_np(keras.ops.sum(keras.ops.stack(model.losses)))}
    if kind == "schedule":
        config = model.optimizer.get_config()["learning_rate"]
        schedule = keras.optimizers.schedules.deserialize(config)
        return {"lr": np.array([float(schedule(int(s))) for s in inputs["steps"]]),
                "class": np.array(type(schedule).__name__)}
    raise ValueError(f"Unknown spec kind {kind!r}")
