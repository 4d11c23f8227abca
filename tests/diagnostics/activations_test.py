"""Dead and saturated unit statistics, against NumPy on known activations."""

import keras
import numpy as np
import pytest

from nnrecipes.diagnostics import ActivationProbe
from nnrecipes.diagnostics import activation_kind
from nnrecipes.diagnostics import activation_statistics
from nnrecipes.diagnostics.activations import unit_statistics


def test_unit_statistics_by_hand():
    outputs = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    assert unit_statistics(outputs, "relu") == {"kind": "relu", "units": 3, "dead": 2 / 3}
    # Conv-shaped outputs: a channel is dead only if 0 at every position.
    conv = np.zeros((2, 4, 4, 2))
    conv[1, 3, 3, 1] = 0.5
    assert unit_statistics(conv, "relu")["dead"] == 0.5
    tanh = np.array([[0.995, 0.2], [-0.999, 0.995], [0.999, -0.3]] * 10)
    assert unit_statistics(tanh, "tanh")["saturated"] == 0.5
    sigmoid = np.array([[0.001, 0.5], [0.999, 0.995]] * 10)
    assert unit_statistics(sigmoid, "sigmoid")["saturated"] == 0.5


def test_activation_kind():
    assert activation_kind(keras.layers.Dense(3, activation="relu")) == "relu"
    assert activation_kind(keras.layers.Activation("tanh")) == "tanh"
    assert activation_kind(keras.layers.ReLU()) == "relu"
    assert activation_kind(keras.layers.ReLU(negative_slope=0.1)) is None
    assert activation_kind(keras.layers.Dense(3)) is None
    assert activation_kind(keras.layers.Activation("gelu")) is None


def test_dead_units_of_a_functional_model_match_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6)).astype("float32")
    inputs = keras.Input((6,))
    dense = keras.layers.Dense(8, name="pre")
    h = dense(inputs)
    h = keras.layers.Activation("relu", name="act")(h)
    out = keras.layers.Dense(2, activation="sigmoid", name="out")(h)
    model = keras.Model(inputs, out)
    kernel, bias = dense.get_weights()
    bias[:3] = -100.0  # three units can never fire
    dense.set_weights([kernel, bias])
    # The first sigmoid output is pinned near 1 (saturated), the second near 0.5.
    model.get_layer("out").set_weights([np.zeros((8, 2), "float32"),
                                        np.array([100.0, 0.0], "float32")])
    stats = activation_statistics(model, x)
    expected = np.mean(np.all(x @ kernel + bias <= 0, axis=0))
    assert stats["act"]["dead"] == pytest.approx(expected)
    assert stats["act"]["dead"] >= 3 / 8
    assert stats["out"] == {"kind": "sigmoid", "units": 2, "saturated": 0.5}
    assert "pre" not in stats


def test_subclassed_model_is_skipped_with_a_warning():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(4, activation="relu")

        def call(self, x):
            return self.dense(x)

    model = Net()
    model(np.zeros((1, 3), "float32"))
    with pytest.warns(UserWarning, match="Activation statistics are off"):
        probe = ActivationProbe(model, np.zeros((4, 3), "float32"))
    assert probe.measure() == {}


def test_training_diagnostics_probe_from_a_dataset():
    import tensorflow as tf

    from nnrecipes.diagnostics import TrainingDiagnostics

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 2, 64)
    dead_bias = keras.initializers.Constant(-50.0)
    model = keras.Sequential([keras.Input((6,)),
                              keras.layers.Dense(8, activation="relu", name="h",
                                                 bias_initializer=dead_bias),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    diagnostics = TrainingDiagnostics(probe=dataset)
    model.fit(dataset, epochs=1, verbose=0, callbacks=[diagnostics])
    assert diagnostics.history["dead_units/h"] == [1.0]
