"""Regularizers: NumPy references, and the penalty a layer really adds."""

import numpy as np
import pytest

import keras
import tensorflow as tf

from nnrecipes import regularizers

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(9)


def np_group_lasso(w, strength, axis):
    moved = np.moveaxis(w, axis, -1).reshape(-1, w.shape[axis])
    return strength * np.sqrt(moved.shape[0]) * np.linalg.norm(moved, axis=0).sum()


@pytest.mark.parametrize("shape, axis", [((5, 3), -1), ((5, 3), 0), ((3, 3, 2, 4), -1)])
def test_group_lasso_matches_numpy(shape, axis):
    w = RNG.normal(size=shape).astype("float32")
    value = to_np(regularizers.GroupLasso(0.03, axis=axis)(w))
    np.testing.assert_allclose(value, np_group_lasso(w, 0.03, axis), rtol=1e-5)


def test_group_lasso_gradient_is_finite_on_a_zero_group():
    w = tf.Variable(np.stack([np.zeros(4), np.ones(4)], axis=1).astype("float32"))
    with tf.GradientTape() as tape:
        penalty = regularizers.GroupLasso(1.0)(w)
    grad = tape.gradient(penalty, w).numpy()
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad[:, 1], 2.0 * np.ones(4) / 2.0, rtol=1e-5)


def test_group_lasso_prunes_whole_units_in_training():
    x = RNG.normal(size=(256, 6)).astype("float32")
    y = x[:, :1] * 2.0
    layer = keras.layers.Dense(8, kernel_regularizer=regularizers.GroupLasso(0.05))
    model = keras.Sequential([keras.Input((6,)), layer, keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    model.fit(x, y, epochs=40, batch_size=64, verbose=0)
    norms = np.linalg.norm(to_np(layer.kernel), axis=0)
    assert (norms < 0.05).sum() >= 3, norms  # several units switched off entirely


def np_kl(rho, activations, weight):
    rho_hat = activations.mean(axis=0)
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    return weight * kl.sum()


@pytest.mark.parametrize("batch", [4, 16])
def test_kl_sparsity_penalty_added_by_a_layer_is_the_formula(batch):
    x = RNG.normal(size=(batch, 5)).astype("float32")
    regularizer = regularizers.KLSparsity(target=0.1, weight=0.5)
    layer = keras.layers.Dense(3, activation="sigmoid", activity_regularizer=regularizer)
    outputs = to_np(layer(x))
    np.testing.assert_allclose(to_np(layer.losses[0]), np_kl(0.1, outputs, 0.5), rtol=1e-5)
    np.testing.assert_allclose(to_np(regularizer.penalty(outputs)), np_kl(0.1, outputs, 0.5),
                               rtol=1e-5)


def test_kl_sparsity_is_zero_at_the_target():
    assert abs(float(regularizers.KLSparsity(0.2).penalty(np.full((4, 3), 0.2)))) < 1e-6


def test_bad_arguments_say_what_was_received():
    with pytest.raises(ValueError, match="Received: target=1.5"):
        regularizers.KLSparsity(target=1.5)
    with pytest.raises(ValueError, match="Received: strength=-1"):
        regularizers.GroupLasso(-1)


def test_combined_adds_the_penalties():
    w = RNG.normal(size=(4, 3)).astype("float32")
    both = regularizers.Combined(["l2", regularizers.GroupLasso(0.03)])
    expected = 0.01 * (w ** 2).sum() + np_group_lasso(w, 0.03, -1)
    np.testing.assert_allclose(to_np(both(w)), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="Received: regularizers=\\[\\]"):
        regularizers.Combined([])


def test_recipes_take_group_lasso_by_name():
    import nnrecipes

    model = nnrecipes.build("mlp", input_shape=(4,), num_classes=2, num_layers=1, units=8,
                            group_lasso=0.01, l2=0.001)
    kernel_regularizer = model.get_layer("block1_dense").kernel_regularizer
    assert isinstance(kernel_regularizer, regularizers.Combined)
    only = nnrecipes.build("mlp", input_shape=(4,), num_classes=2, num_layers=1, units=8,
                           group_lasso=0.01)
    assert isinstance(only.get_layer("block1_dense").kernel_regularizer, regularizers.GroupLasso)
    x = RNG.normal(size=(16, 4)).astype("float32")
    history = model.fit(x, (x[:, 0] > 0).astype("int32"), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
