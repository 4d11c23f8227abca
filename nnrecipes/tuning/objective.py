"""The objective of a search: which logged metric, and which way is better."""

import keras_tuner

from nnrecipes.callbacks import larger_is_better

# Words in a metric's name that say smaller is better (larger is better:
# `nnrecipes.callbacks.larger_is_better`).
_MINIMIZE = ("loss", "error", "mae", "mse", "rmse", "mape", "crossentropy", "hinge",
             "norm", "grad", "dead", "saturated", "nan")


def make_objective(objective):
    """A `keras_tuner.Objective` from a metric name, with the right direction.

    Args:
        objective: a logged metric's name (`"val_loss"`, `"val_accuracy"`,
            `"val_rmse"`, a diagnostics value such as
            `"val_grad_norm"`...), `"name:min"` / `"name:max"` to say the
            direction, or a `keras_tuner.Objective`.

    Returns:
        A `keras_tuner.Objective`.

    Example:
    >>> nnrecipes.tuning.make_objective("val_accuracy").direction
    'max'
    """
    if isinstance(objective, keras_tuner.Objective):
        return objective
    if not isinstance(objective, str) or not objective.strip():
        raise ValueError("`objective` must be a metric name such as 'val_loss', 'name:min', "
                         f"'name:max', or a keras_tuner.Objective. Received: "
                         f"objective={objective!r}")
    name, _, direction = objective.strip().partition(":")
    if direction:
        if direction not in ("min", "max"):
            raise ValueError(f"The direction after ':' must be 'min' or 'max'. "
                             f"Received: objective={objective!r}")
        return keras_tuner.Objective(name, direction)
    if larger_is_better(name):
        return keras_tuner.Objective(name, "max")
    words = name.lower().removeprefix("val_").replace("/", "_").split("_")
    if any(w in _MINIMIZE for w in words):
        return keras_tuner.Objective(name, "min")
    raise ValueError(
        f"Cannot tell whether {name!r} should be minimized or maximized. Say it: "
        f"objective='{name}:min' or '{name}:max'. Received: objective={objective!r}")
