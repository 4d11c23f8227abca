"""Shared checks for the component tests: config and saving round trips,
SavedModel export, finite-difference gradients."""

import copy

import numpy as np

import keras
import tensorflow as tf

# The subpackages whose registered objects make up the component library;
# the contract test covers everything registered from these modules.
COMPONENT_PACKAGES = (
    "nnrecipes.activations", "nnrecipes.layers", "nnrecipes.losses",
    "nnrecipes.regularizers", "nnrecipes.schedules", "nnrecipes.initializers",
    "nnrecipes.metrics",
)


def registered_components():
    """Registered names (`"nnrecipes>X"`) of every component-library object."""
    import nnrecipes  # noqa: F401  (registers everything)

    names = []
    for name, obj in keras.saving.get_custom_objects().items():
        module = getattr(obj, "__module__", "") or ""
        if name.startswith("nnrecipes>") and module.startswith(COMPONENT_PACKAGES):
            names.append(name)
    return sorted(names)


def assert_config_round_trip(obj):
    """`from_config(get_config())` rebuilds an equal object; the registered
    name deserializes to the same class or function."""
    serialized = keras.saving.serialize_keras_object(obj)
    restored = keras.saving.deserialize_keras_object(serialized)
    if isinstance(obj, type(lambda: None)):
        assert restored is obj
        return
    assert type(restored) is type(obj)
    config = obj.get_config()
    clone = type(obj).from_config(copy.deepcopy(config))  # Wrapper pops "layer"
    assert clone.get_config() == config
    assert restored.get_config() == config


def perturb_weights(model, seed=0):
    """Moves every weight away from its initial value (keeping its sign), so
    that a reload which lost a weight gives different outputs."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        value = keras.ops.convert_to_numpy(variable)
        factor = 1.0 + 0.2 * rng.random(value.shape)
        variable.assign((value * factor).astype(value.dtype))


def assert_saved_model_matches(model, x, path):
    """Exports `model` as a SavedModel and checks that it serves the same
    outputs as the Keras model at inference."""
    model.export(str(path), format="tf_saved_model", verbose=False)
    loaded = tf.saved_model.load(str(path))  # kept alive: serve() uses its variables
    served = loaded.serve(tf.constant(x))
    expected = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(np.asarray(served), expected, rtol=1e-5, atol=1e-5)


def numeric_gradient(f, value, eps=1e-6, indices=None):
    """Central finite differences of the scalar function `f` at `value`, at
    the flat `indices` (all entries by default; the others stay 0)."""
    value = np.array(value, dtype="float64")
    grad = np.zeros_like(value)
    flat = value.reshape(-1)
    out = grad.reshape(-1)
    for i in (range(flat.size) if indices is None else indices):
        saved = flat[i]
        flat[i] = saved + eps
        up = f(value)
        flat[i] = saved - eps
        down = f(value)
        flat[i] = saved
        out[i] = (up - down) / (2 * eps)
    return grad


def assert_gradients_match(layer, x, rtol=1e-4, atol=1e-6, max_entries=None, **call_kwargs):
    """Checks the gradients of `sum(r * layer(x))` (fixed random `r`) with
    respect to the input and every trainable weight against finite
    differences. Build `layer` with `dtype="float64"`. With `max_entries`,
    each weight is checked at that many random entries (for big layers)."""
    x = np.asarray(x, dtype="float64")
    y = keras.ops.convert_to_numpy(layer(x, **call_kwargs))
    r = np.random.default_rng(1).normal(size=y.shape)

    def objective(inputs):
        return float(np.sum(r * keras.ops.convert_to_numpy(layer(inputs, **call_kwargs))))

    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = tf.reduce_sum(tf.constant(r) * layer(xt, **call_kwargs))
    grads = tape.gradient(out, [xt] + list(layer.trainable_variables))
    np.testing.assert_allclose(grads[0].numpy(), numeric_gradient(objective, x),
                               rtol=rtol, atol=atol, err_msg="input gradient")
    for variable, grad in zip(layer.trainable_variables, grads[1:]):
        saved = keras.ops.convert_to_numpy(variable)

        def weight_objective(value, variable=variable):
            variable.assign(value)
            return objective(x)

        indices = None
        if max_entries is not None and saved.size > max_entries:
            indices = np.random.default_rng(2).choice(saved.size, max_entries, replace=False)
        numeric = numeric_gradient(weight_objective, saved, indices=indices)
        variable.assign(saved)
        assert grad is not None, f"no gradient reaches {variable.path}"
        analytic = np.asarray(tf.convert_to_tensor(grad))
        if indices is not None:
            analytic, numeric = analytic.reshape(-1)[indices], numeric.reshape(-1)[indices]
        np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol,
                                   err_msg=variable.path)
