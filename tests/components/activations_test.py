"""Activations: NumPy references, gradients, training behaviour of RReLU,
and reachability by name from the recipes."""

import numpy as np
import pytest

import keras

import nnrecipes
from nnrecipes import activations
from tests.components import helpers

X = np.array([[-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.0, 4.0]], dtype="float32")
to_np = keras.ops.convert_to_numpy


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("fn, reference", [
    (activations.lisht, lambda x: x * np.tanh(x)),
    (activations.scaled_tanh, lambda x: 1.7159 * np.tanh(2.0 * x / 3.0)),
    (activations.snake, lambda x: x + np.sin(x) ** 2),
    (activations.beta_swish, lambda x: x * sigmoid(x)),
])
def test_functions_match_numpy(fn, reference):
    np.testing.assert_allclose(to_np(fn(X)), reference(X), rtol=1e-6, atol=1e-6)


def test_function_parameters_match_numpy():
    np.testing.assert_allclose(to_np(activations.snake(X, frequency=2.5)),
                               X + np.sin(2.5 * X) ** 2 / 2.5, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(to_np(activations.beta_swish(X, beta=3.0)),
                               X * sigmoid(3.0 * X), rtol=1e-6, atol=1e-6)


def test_scaled_tanh_fixes_plus_minus_one():
    np.testing.assert_allclose(to_np(activations.scaled_tanh(np.array([1.0, -1.0]))),
                               [1.0, -1.0], atol=2e-4)


def test_snake_layer_uses_its_trained_frequency():
    layer = activations.Snake(frequency=0.5)
    layer.build(X.shape)
    a = np.linspace(0.3, 2.0, X.shape[-1]).astype("float32")
    layer.alpha.assign(a)
    np.testing.assert_allclose(to_np(layer(X)), X + np.sin(a * X) ** 2 / a, rtol=1e-5,
                               atol=1e-6)
    assert layer.alpha.shape == (X.shape[-1],)
    assert activations.Snake(per_channel=False)(X) is not None


def test_beta_swish_layer_uses_its_trained_beta():
    layer = activations.BetaSwish(per_channel=False)
    layer.build(X.shape)
    assert layer.beta_weight.shape == ()
    layer.beta_weight.assign(4.0)
    np.testing.assert_allclose(to_np(layer(X)), X * sigmoid(4.0 * X), rtol=1e-6, atol=1e-6)


def test_layer_forms_equal_function_forms():
    np.testing.assert_allclose(to_np(activations.LiSHT()(X)), to_np(activations.lisht(X)))
    np.testing.assert_allclose(to_np(activations.ScaledTanh()(X)),
                               to_np(activations.scaled_tanh(X)))


def test_maxout_matches_numpy():
    x = np.random.default_rng(0).normal(size=(3, 4, 6)).astype("float32")
    y = to_np(activations.Maxout(pieces=3)(x))
    np.testing.assert_allclose(y, x.reshape(3, 4, 2, 3).max(axis=-1))
    y = to_np(activations.Maxout(pieces=2, axis=1)(x))
    np.testing.assert_allclose(y, x.reshape(3, 2, 2, 6).max(axis=2))
    inputs = keras.Input((None, 6))
    assert activations.Maxout(3)(inputs).shape == (None, None, 2)


def test_maxout_rejects_a_width_that_pieces_does_not_divide():
    with pytest.raises(ValueError, match="pieces"):
        activations.Maxout(pieces=4)(np.zeros((2, 6), "float32"))
    with pytest.raises(ValueError, match="Received: pieces=1"):
        activations.Maxout(pieces=1)


def test_rrelu_inference_uses_the_mean_slope():
    layer = activations.RReLU(lower=0.1, upper=0.3)
    expected = np.where(X >= 0, X, 0.2 * X)
    np.testing.assert_allclose(to_np(layer(X, training=False)), expected, rtol=1e-6)
    np.testing.assert_allclose(to_np(layer(X)), expected, rtol=1e-6)


def test_rrelu_training_draws_a_slope_per_element_within_bounds():
    layer = activations.RReLU(lower=0.1, upper=0.3, seed=5)
    x = -np.ones((200, 50), dtype="float32")
    first = to_np(layer(x, training=True))
    second = to_np(layer(x, training=True))
    slopes = -first
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert slopes.std() > 0.03  # per element, not one slope for all
    assert abs(slopes.mean() - 0.2) < 0.01
    assert not np.allclose(first, second)  # fresh draws at every call
    positive = np.abs(x)
    np.testing.assert_array_equal(to_np(layer(positive, training=True)), positive)


def test_rrelu_rejects_bad_bounds():
    with pytest.raises(ValueError, match="lower=0.5, upper=0.2"):
        activations.RReLU(lower=0.5, upper=0.2)


@pytest.mark.parametrize("make", [
    lambda: activations.Snake(frequency=0.8, dtype="float64"),
    lambda: activations.BetaSwish(beta=1.3, dtype="float64"),
    lambda: activations.LiSHT(dtype="float64"),
    lambda: activations.ScaledTanh(dtype="float64"),
    lambda: activations.Maxout(pieces=2, dtype="float64"),
    lambda: activations.RReLU(dtype="float64"),
    lambda: keras.layers.Activation(activations.snake, dtype="float64"),
    lambda: keras.layers.Activation(activations.beta_swish, dtype="float64"),
], ids=["Snake", "BetaSwish", "LiSHT", "ScaledTanh", "Maxout", "RReLU", "snake", "beta_swish"])
def test_gradients_match_finite_differences(make):
    x = np.random.default_rng(3).normal(size=(2, 6))
    helpers.assert_gradients_match(make(), x)


def test_custom_names_are_offered_with_keras_ones():
    names = activations.activation_names()
    for name in ("snake", "beta_swish", "lisht", "rrelu", "maxout", "scaled_tanh", "relu"):
        assert name in names
    with pytest.raises(ValueError, match="Received: activation='snek'"):
        activations.activation_layer("snek")


@pytest.mark.parametrize("recipe", ["mlp", "cnn", "lstm", "transformer"])
def test_every_custom_activation_builds_in_recipes(recipe):
    # The recurrent recipes apply `activation` in their dense layer only.
    extra = {"dense_units": 8} if recipe == "lstm" else {}
    for name in activations.CUSTOM_ACTIVATIONS:
        model = nnrecipes.build(recipe, input_shape=(8, 4), num_classes=3, activation=name,
                                compile=False, **extra)
        layers = [type(layer) for layer in nnrecipes.layers.nested_layers(model)]
        assert activations.CUSTOM_ACTIVATIONS[name] in layers, (recipe, name)
        assert model(np.zeros((2, 8, 4), "float32")).shape == (2, 3)
