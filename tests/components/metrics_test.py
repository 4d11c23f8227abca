"""Metrics: the accuracy that takes integer labels and soft targets alike."""

import numpy as np

import keras

import nnrecipes
from nnrecipes import metrics

to_np = keras.ops.convert_to_numpy
PROBS = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]],
                 dtype="float32")
LABELS = np.array([0, 1, 1, 2])
# The soft rows' largest shares are the same classes as LABELS.
SOFT = np.array([[0.6, 0.4, 0.0], [0.0, 0.7, 0.3], [0.2, 0.8, 0.0], [0.1, 0.0, 0.9]],
                dtype="float32")


def test_accuracy_takes_labels_columns_one_hot_and_soft_targets():
    expected = np.array([1.0, 0.0, 1.0, 0.0])
    for y_true in (LABELS, LABELS[:, None], np.eye(3)[LABELS], SOFT):
        np.testing.assert_array_equal(to_np(metrics.accuracy(y_true, PROBS)), expected)
    metric = metrics.Accuracy()
    metric.update_state(SOFT, PROBS)
    metric.update_state(LABELS[:2], PROBS[:2])
    assert float(metric.result()) == 3 / 6
    assert metric.name == "accuracy"


def test_recipes_report_accuracy_on_mixed_and_integer_batches():
    model = nnrecipes.build("mlp", input_shape=(3,), num_classes=3, mixup=0.2)
    [config] = model.get_compile_config()["metrics"]
    assert config["registered_name"] == "nnrecipes>Accuracy"
    assert config["config"]["name"] == "accuracy"
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    soft = np.eye(3, dtype="float32")[np.arange(8) % 3] * 0.8 + 0.2 / 3
    history = model.fit(x, soft, validation_data=(x, np.arange(8) % 3), epochs=1, verbose=0)
    assert {"accuracy", "val_accuracy", "loss", "val_loss"} <= set(history.history)
