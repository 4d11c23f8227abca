"""TrainingDiagnostics' own parts: the probe batch, the learning rate it
records, a fit without gradient monitoring, and a callback used twice.

Its findings on real runs are tested in health_test.py, its activation
statistics in activations_test.py and its per-layer records in plots_test.py.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnrecipes.diagnostics import TrainingDiagnostics
from nnrecipes.diagnostics.callback import _first
from nnrecipes.diagnostics.callback import current_learning_rate

RNG = np.random.default_rng(3)
X = RNG.normal(size=(48, 4)).astype("float32")
Y = (X[:, 0] > 0).astype("int32")


def _model(learning_rate=0.05):
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(6, activation="relu", name="h"),
                              keras.layers.Dense(2, activation="softmax", name="out")])
    model.compile(keras.optimizers.SGD(learning_rate), "sparse_categorical_crossentropy")
    return model


def test_first_takes_the_first_examples_of_any_input_structure():
    np.testing.assert_array_equal(_first(X, 5), X[:5])
    parts = _first({"a": X, "b": Y}, 3)
    assert set(parts) == {"a", "b"} and len(parts["a"]) == 3 and len(parts["b"]) == 3
    listed = _first([X, Y], 2)
    assert isinstance(listed, list) and [len(p) for p in listed] == [2, 2]
    batches = tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)
    np.testing.assert_array_equal(np.asarray(_first(batches, 99)), X[:16])
    inputs_only = tf.data.Dataset.from_tensor_slices(X).batch(8)
    np.testing.assert_array_equal(np.asarray(_first(inputs_only, 4)), X[:4])


def test_current_learning_rate_evaluates_a_schedule_at_the_optimizer_step():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1,
                                                           decay_rate=0.5)
    optimizer = keras.optimizers.SGD(schedule)
    assert current_learning_rate(optimizer) == pytest.approx(0.1)
    optimizer.iterations.assign(2)
    assert current_learning_rate(optimizer) == pytest.approx(0.025)
    assert current_learning_rate(keras.optimizers.Adam(3e-4)) == pytest.approx(3e-4)
    assert current_learning_rate(object()) is None


def test_each_epoch_records_the_learning_rate_of_a_schedule():
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([3], [0.1, 0.01])
    model = _model(schedule)
    diagnostics = TrainingDiagnostics()
    model.fit(X, Y, batch_size=16, epochs=2, verbose=0, callbacks=[diagnostics])
    # 3 steps per epoch; the rate is 0.1 up to step 3 included, then 0.01:
    # each epoch's entry is the rate at its end.
    np.testing.assert_allclose(diagnostics.history["learning_rate"], [0.1, 0.01], rtol=1e-6)
    assert len(diagnostics.history["loss"]) == 2


def test_without_gradients_only_the_logs_are_recorded_and_diagnosed():
    model = _model()
    diagnostics = TrainingDiagnostics(gradients=False)
    logs = model.fit(X, Y, batch_size=16, epochs=2, verbose=0,
                     callbacks=[diagnostics]).history
    assert diagnostics.gradient_monitor is None
    assert "grad_norm" not in logs and "grad_norm" not in diagnostics.history
    assert "train_step" not in vars(model)  # nothing was hooked
    np.testing.assert_allclose(diagnostics.history["loss"], logs["loss"], rtol=1e-6)
    assert diagnostics.report is not None
    assert diagnostics.report.to_dict()["summary"] is not None


def test_a_second_fit_starts_a_new_record():
    model = _model()
    diagnostics = TrainingDiagnostics(probe=X)
    model.fit(X, Y, batch_size=16, epochs=3, verbose=0, callbacks=[diagnostics])
    first = diagnostics.report
    assert len(diagnostics.history["grad_norm"]) == 3
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[diagnostics])
    assert len(diagnostics.history["grad_norm"]) == 1
    assert len(diagnostics.history["dead_units/h"]) == 1
    assert diagnostics.report is not first
    assert "train_step" not in vars(model)  # the monitor came off after each fit


def test_verbose_prints_the_report(capsys):
    model = _model()
    diagnostics = TrainingDiagnostics(verbose=True)
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[diagnostics])
    printed = capsys.readouterr().out
    assert printed.strip() and printed.strip() == diagnostics.report.text().strip()
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[TrainingDiagnostics()])
    assert capsys.readouterr().out == ""
