"""PNG plots from a history: curves, gradient norms, learning rate."""

import os

import keras
import numpy as np
import pytest

from nnrecipes.diagnostics import TrainingDiagnostics
from nnrecipes.diagnostics import plot_gradient_norms
from nnrecipes.diagnostics import plot_training_curves
from nnrecipes.diagnostics import save_plots
from nnrecipes.diagnostics.plots import curve_names

PNG = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == PNG and os.path.getsize(path) > 1000


def test_training_diagnostics_saves_all_plots(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=2,
                                                           decay_rate=0.5)
    model.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    diagnostics = TrainingDiagnostics(probe=x[:32])
    model.fit(x, y, validation_split=0.25, epochs=3, batch_size=16, verbose=0,
              callbacks=[diagnostics])
    lrs = diagnostics.history["learning_rate"]
    assert lrs[0] > lrs[1] > lrs[2]  # the schedule as it ran: 3 steps per epoch
    np.testing.assert_allclose(lrs[0], 0.01 * 0.5 ** (3 / 2), rtol=1e-5)
    written = diagnostics.save_plots(str(tmp_path / "plots"))
    assert set(written) == {"training_curves", "gradient_norms", "learning_rate"}
    assert all(_is_png(p) for p in written.values())


def test_curve_names_leave_out_diagnostics():
    history = {"loss": [1], "val_loss": [1], "accuracy": [1], "grad_norm": [1],
               "grad_norm_max": [1], "grad_norm/a": [1], "learning_rate": [1],
               "dead_units/a": [0]}
    assert curve_names(history) == ["loss", "accuracy"]


def test_plain_history_and_errors(tmp_path):
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    assert save_plots(history, str(tmp_path)) == {
        "training_curves": str(tmp_path / "training_curves.png")}
    assert _is_png(plot_training_curves(history, str(tmp_path / "c.png")))
    with pytest.raises(ValueError, match="GradientMonitor"):
        plot_gradient_norms(history, str(tmp_path / "g.png"))
    with pytest.raises(ValueError, match="History"):
        plot_training_curves([1, 2], str(tmp_path / "x.png"))


def test_per_layer_figures_kept_out_of_logs_but_recorded():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((5,)),
                              keras.layers.Dense(8, activation="relu", name="h"),
                              keras.layers.Dense(2, activation="softmax", name="out")])
    model.compile("adam", "sparse_categorical_crossentropy")
    diagnostics = TrainingDiagnostics(probe=x, per_layer_logs=False)
    logs = model.fit(x, y, epochs=2, batch_size=16, verbose=0,
                     callbacks=[diagnostics]).history
    assert "grad_norm" in logs and not any("/" in key for key in logs)
    recorded = diagnostics.history
    assert {"grad_norm/h", "grad_norm/out", "update_ratio/h", "dead_units/h"} <= set(recorded)
    assert len(recorded["grad_norm/h"]) == 2 and recorded["grad_norm/h"][0] > 0
    np.testing.assert_allclose(recorded["grad_norm"], logs["grad_norm"], rtol=1e-6)
