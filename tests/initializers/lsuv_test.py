"""LSUV: unit output variance layer by layer, on any kind of Keras model."""

import numpy as np
import pytest

import keras

import nnrecipes
from nnrecipes.initializers import lsuv_init

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(21)
X = (3.0 * RNG.normal(size=(256, 10)) + 1.0).astype("float32")


def pre_activation_variances(model, names, x):
    """Variance of each named Dense layer's x @ W + b, recomputed by hand."""
    out = {}
    h = x
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            z = h @ to_np(layer.kernel) + to_np(layer.bias)
            out[layer.name] = z.var()
            h = to_np(layer.activation(z))
        elif not isinstance(layer, keras.layers.InputLayer):
            h = to_np(layer(h))
    return {name: out[name] for name in names}


def test_lsuv_gives_unit_variance_before_each_activation():
    model = keras.Sequential([
        keras.Input((10,)),
        keras.layers.Dense(32, activation="tanh", name="d1"),
        keras.layers.Dense(32, activation="relu", name="d2"),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])
    reported = lsuv_init(model, X, tolerance=0.05, seed=0)
    assert list(reported) == ["d1", "d2", "out"]  # forward order
    measured = pre_activation_variances(model, ["d1", "d2", "out"], X)
    for name, variance in measured.items():
        assert abs(variance - 1.0) < 0.05, (name, variance)
        assert reported[name] == pytest.approx(variance, rel=1e-3)
    # The recording hook is gone and the activations are back.
    assert "call" not in vars(model.get_layer("d1"))
    assert model.get_layer("out").activation is keras.activations.softmax


def test_lsuv_starts_from_orthogonal_kernels():
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(6, name="d")])
    lsuv_init(model, X, seed=1)
    w = to_np(model.get_layer("d").kernel)
    gram = w.T @ w
    np.testing.assert_allclose(gram / gram[0, 0], np.eye(6), atol=1e-4)


class TwoLayer(keras.Model):
    def __init__(self):
        super().__init__()
        self.first = keras.layers.Dense(16, activation="relu")
        self.second = keras.layers.Dense(4)

    def call(self, x):
        return self.second(self.first(x))


def test_lsuv_works_on_subclassed_models_and_nested_layers():
    model = TwoLayer()
    model(X[:2])
    reported = lsuv_init(model, X)
    assert len(reported) == 2
    assert all(abs(v - 1.0) < 0.1 for v in reported.values())
    recipe = nnrecipes.build("transformer", input_shape=(6, 3), num_classes=2, num_blocks=1,
                             embed_dim=8, ff_dim=16)
    reported = lsuv_init(recipe, RNG.normal(size=(64, 6, 3)).astype("float32"))
    for name in ("query", "key", "value", "ff_hidden", "ff_output", "head"):
        assert abs(reported[name] - 1.0) < 0.1, name


def test_lsuv_scales_g_of_weight_normalized_layers():
    inputs = keras.Input((10,))
    wrapped = nnrecipes.layers.WeightNormalization(keras.layers.Dense(8), name="wn")
    model = keras.Model(inputs, wrapped(inputs))
    reported = lsuv_init(model, X)
    assert list(reported) == ["wn"]
    assert abs(to_np(model(X)).var() - 1.0) < 0.1


def test_lsuv_is_a_recipe_option_and_rejects_bad_input():
    info = nnrecipes.get_recipe("mlp").hyperparameters()["lsuv"]
    assert info["default"] is False
    with pytest.raises(ValueError, match="built keras.Model"):
        lsuv_init(keras.Sequential([keras.layers.Dense(2)]), X)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Received: tolerance=2"):
        lsuv_init(model, X, tolerance=2)


def test_lsuv_leaves_recurrent_layers_and_zero_variance_outputs_alone():
    inputs = keras.Input((5, 10))
    lstm = keras.layers.LSTM(4, name="lstm")
    outputs = keras.layers.Dense(3, name="head")(lstm(inputs))
    model = keras.Model(inputs, outputs)
    before = [to_np(w).copy() for w in lstm.weights]
    x = RNG.normal(size=(64, 5, 10)).astype("float32")
    reported = lsuv_init(model, x)
    assert list(reported) == ["head"]
    for old, new in zip(before, lstm.weights):
        np.testing.assert_array_equal(old, to_np(new))
    # All-zero inputs give a zero-variance output: the kernel is not divided by it.
    flat = keras.Sequential([keras.Input((10,)), keras.layers.Dense(4, use_bias=False,
                                                                    name="d")])
    kernel = to_np(flat.get_layer("d").kernel).copy()
    reported = lsuv_init(flat, np.zeros((32, 10), "float32"), orthogonal=False)
    assert reported == {"d": 0.0}
    np.testing.assert_array_equal(to_np(flat.get_layer("d").kernel), kernel)


def test_lsuv_stops_after_max_iterations_and_reports_what_it_reached(capsys):
    def model():
        # Biases spread over units: one division by the std does not reach 1.
        bias = keras.initializers.RandomUniform(-1.0, 1.0, seed=0)
        return keras.Sequential([keras.Input((10,)),
                                 keras.layers.Dense(8, bias_initializer=bias, name="d")])

    once = lsuv_init(model(), X, tolerance=0.01, max_iterations=1, orthogonal=False,
                     verbose=True)
    assert abs(once["d"] - 1.0) > 0.01
    assert capsys.readouterr().out.strip() == f"LSUV d: output variance {once['d']:.4f}"
    enough = lsuv_init(model(), X, tolerance=0.01, max_iterations=20, orthogonal=False)
    assert abs(enough["d"] - 1.0) < 0.01


@pytest.mark.parametrize("kwargs, message", [
    ({"max_iterations": 0}, "Received: max_iterations=0"),
    ({"max_iterations": True}, "Received: max_iterations=True"),
    ({"tolerance": 0}, "Received: tolerance=0"),
])
def test_lsuv_rejects_bad_settings(kwargs, message):
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=message):
        lsuv_init(model, X, **kwargs)


def test_lsuv_refuses_a_model_without_kernels():
    model = keras.Sequential([keras.Input((10,)), keras.layers.Activation("relu",
                                                                          name="act")])
    with pytest.raises(ValueError, match=r"no layer with a kernel.*\['act'\]"):
        lsuv_init(model, X)
