"""PNG plots of a training run: curves, gradient norms per layer, LR schedule.

The figures are drawn on matplotlib's Agg canvas directly (no `pyplot`), so
they work on headless machines and leave a notebook's backend alone.
"""

import os

import numpy as np

from nnrecipes.diagnostics.gradients import GRAD_NORM

# Keys of a history that are not training curves.
_NOT_CURVES = (GRAD_NORM, "update_ratio", "dead_units", "saturated_units", "learning_rate",
               "lr")


def new_figure(width=6.4, height=4.0):
    """A matplotlib `Figure` on an Agg canvas (no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure, path):
    """Saves a figure from `new_figure` as a PNG at `path` (folders made)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path


def _history_dict(history):
    if hasattr(history, "history"):
        history = history.history
    if not isinstance(history, dict):
        raise ValueError(
            "`history` must be a dict of per-epoch lists (`History.history`) or a "
            f"keras.callbacks.History. Received: history of type {type(history).__name__}")
    return history


def curve_names(history):
    """The metrics to draw as training curves: `loss`, `accuracy`, ..."""
    history = _history_dict(history)
    names = []
    for key in history:
        if key.startswith("val_") or "/" in key:
            continue
        if any(key == p or key.startswith(p + "_") for p in _NOT_CURVES):
            continue
        names.append(key)
    return sorted(names, key=lambda k: (k != "loss", k))


def plot_training_curves(history, path):
    """Loss and metrics per epoch, train vs validation, one panel each.

    Args:
        history: `History.history` or a `keras.callbacks.History`.
        path: the PNG file to write.

    Returns:
        `path`.

    Example:
    ```python
    nnrecipes.diagnostics.plot_training_curves(model.fit(...), "curves.png")
    ```
    """
    history = _history_dict(history)
    names = curve_names(history)
    if not names:
        raise ValueError(f"The history holds no training curves. Received keys: "
                         f"{sorted(history)}")
    figure = new_figure(width=4.0 * len(names), height=3.5)
    for i, name in enumerate(names):
        axes = figure.add_subplot(1, len(names), i + 1)
        epochs = np.arange(1, len(history[name]) + 1)
        axes.plot(epochs, history[name], marker="o", label="train")
        if f"val_{name}" in history:
            axes.plot(epochs[:len(history[f"val_{name}"])], history[f"val_{name}"],
                      marker="o", label="validation")
        axes.set_xlabel("epoch")
        axes.set_title(name)
        axes.legend()
        axes.grid(alpha=0.3)
    return save_figure(figure, path)


def plot_gradient_norms(history, path):
    """Gradient norm per layer (and the global norm) per epoch, log scale.

    Args:
        history: a history with the `grad_norm/<layer>` entries of
            `GradientMonitor`.
        path: the PNG file to write.

    Returns:
        `path`.
    """
    history = _history_dict(history)
    layers = [k for k in history if k.startswith(GRAD_NORM + "/")]
    if not layers:
        raise ValueError(
            "The history holds no per-layer gradient norms: train with "
            "`callbacks=[nnrecipes.diagnostics.GradientMonitor()]`. "
            f"Received keys: {sorted(history)}")
    figure = new_figure(width=7.5, height=4.5)
    axes = figure.add_subplot(1, 1, 1)
    for key in layers:
        values = np.asarray(history[key], dtype="float64")
        axes.plot(np.arange(1, len(values) + 1), values, label=key[len(GRAD_NORM) + 1:])
    if GRAD_NORM in history:
        values = np.asarray(history[GRAD_NORM], dtype="float64")
        axes.plot(np.arange(1, len(values) + 1), values, color="black", linewidth=2.5,
                  label="global")
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("gradient L2 norm (epoch mean)")
    axes.set_title("Gradient norms per layer")
    axes.grid(alpha=0.3, which="both")
    axes.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return save_figure(figure, path)


def plot_learning_rate(history, path):
    """The learning rate per epoch (the schedule as it ran).

    Args:
        history: a history with a `learning_rate` entry (recorded by
            `TrainingDiagnostics`, or by Keras's LR callbacks).
        path: the PNG file to write.

    Returns:
        `path`.
    """
    history = _history_dict(history)
    key = "learning_rate" if "learning_rate" in history else "lr"
    if key not in history:
        raise ValueError(f"The history holds no learning rate. Received keys: "
                         f"{sorted(history)}")
    figure = new_figure()
    axes = figure.add_subplot(1, 1, 1)
    values = np.asarray(history[key], dtype="float64")
    axes.plot(np.arange(1, len(values) + 1), values, marker="o")
    if np.all(values > 0) and values.max() / values.min() > 10:
        axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("learning rate")
    axes.set_title("Learning rate schedule")
    axes.grid(alpha=0.3)
    return save_figure(figure, path)


def save_plots(history, directory):
    """Saves every plot the history allows into `directory`.

    Writes `training_curves.png`, `gradient_norms.png` (with gradient
    monitoring) and `learning_rate.png` (with a recorded learning rate).

    Args:
        history: `History.history`, a `keras.callbacks.History`, or
            `TrainingDiagnostics.history`.
        directory: the folder (made if missing).

    Returns:
        `{plot_name: path}` of the files written.

    Example:
    ```python
    nnrecipes.diagnostics.save_plots(diagnostics.history, "saved_models/cnn/1")
    ```
    """
    history = _history_dict(history)
    written = {}
    plots = (("training_curves", plot_training_curves, bool(curve_names(history))),
             ("gradient_norms", plot_gradient_norms,
              any(k.startswith(GRAD_NORM + "/") for k in history)),
             ("learning_rate", plot_learning_rate,
              "learning_rate" in history or "lr" in history))
    for name, plot, available in plots:
        if available:
            written[name] = plot(history, os.path.join(directory, f"{name}.png"))
    return written
