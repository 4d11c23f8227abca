"""Activation statistics: dead ReLU units and saturated sigmoid/tanh units.

Measured on a fixed probe batch (the same examples each time, inference
mode), so the figures of two epochs are comparable.
"""

import warnings

import keras
import numpy as np

# Activations whose units can die: their output is exactly 0 below a
# threshold, where the gradient is 0 too.
RELU_FAMILY = ("relu", "relu6")
# Saturating activations and their output bounds.
SATURATING = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
# An output within this distance of a bound counts as saturated: there the
# derivative is below 4% (sigmoid) or 2% (tanh) of its largest value.
SATURATION_MARGIN = 0.01
# A unit is saturated when at least this share of its probe outputs are.
SATURATED_UNIT_SHARE = 0.95


def activation_kind(layer):
    """Names the activation a layer ends with, if it is one we measure.

    Returns:
        `"relu"`, `"relu6"`, `"sigmoid"`, `"hard_sigmoid"`, `"tanh"`, or None
        (another activation, or none).
    """
    if isinstance(layer, keras.layers.ReLU):
        slope = float(getattr(layer, "negative_slope", 0.0) or 0.0)
        return "relu" if slope == 0.0 else None
    function = getattr(layer, "activation", None)
    name = getattr(function, "__name__", None)
    if name in RELU_FAMILY or name in SATURATING:
        return name
    return None


def monitored_layers(model):
    """The top-level layers of `model` whose outputs `activation_statistics` measures."""
    found = []
    for layer in model.layers:
        kind = activation_kind(layer)
        if kind is not None:
            found.append((layer, kind))
    return found


def unit_statistics(outputs, kind):
    """Per-layer figures from one layer's outputs on the probe batch.

    Args:
        outputs: array of shape `(batch, ..., units)`.
        kind: from `activation_kind`.

    Returns:
        A dict with `units`, and `dead` (ReLU family: share of units whose
        output is 0 for every probe example and position) or `saturated`
        (sigmoid/tanh: share of units whose output lies within
        `SATURATION_MARGIN` of a bound for at least `SATURATED_UNIT_SHARE` of
        the probe values).
    """
    values = np.asarray(outputs, dtype="float32")
    values = values.reshape(-1, values.shape[-1]) if values.ndim > 1 else values[:, None]
    units = values.shape[-1]
    if kind in RELU_FAMILY:
        dead = np.all(values <= 0.0, axis=0)
        return {"kind": kind, "units": int(units), "dead": float(dead.mean())}
    low, high = SATURATING[kind]
    near = (values <= low + SATURATION_MARGIN) | (values >= high - SATURATION_MARGIN)
    saturated = near.mean(axis=0) >= SATURATED_UNIT_SHARE
    return {"kind": kind, "units": int(units), "saturated": float(saturated.mean())}


class ActivationProbe:
    """Measures dead and saturated units of a model on a fixed probe batch.

    Args:
        model: a Functional or Sequential `keras.Model` (one with
            `model.inputs`). Subclassed models are not supported.
        x: the probe inputs, e.g. 256 validation examples.

    Example:
    ```python
    probe = nnrecipes.diagnostics.ActivationProbe(model, x_val[:256])
    probe.measure()  # {"block1_act": {"kind": "relu", "units": 256, "dead": 0.02}, ...}
    ```
    """

    def __init__(self, model, x):
        self.model = model
        self.x = x
        layers = monitored_layers(model)
        self.layers = []
        self._probe_model = None
        outputs = []
        for layer, kind in layers:
            try:
                outputs.append(layer.output)
            except (AttributeError, ValueError):  # shared layer or not connected
                continue
            self.layers.append((layer.name, kind))
        error = None
        if layers and not outputs:
            error = "no layer has a symbolic output"
        elif outputs:
            try:
                inputs = model.inputs
                if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
                    inputs = inputs[0]
                self._probe_model = keras.Model(inputs, outputs)
            except (AttributeError, ValueError, TypeError) as problem:
                error = str(problem)
        if error is not None:
            warnings.warn(
                f"Activation statistics are off for model {model.name!r}: its layer "
                f"outputs cannot be read ({error}). They need a Functional or "
                "Sequential model.", stacklevel=2)
            self.layers = []

    def measure(self):
        """Returns `{layer_name: unit_statistics(...)}` on the probe batch."""
        if self._probe_model is None:
            return {}
        outputs = self._probe_model(self.x, training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        return {name: unit_statistics(keras.ops.convert_to_numpy(out), kind)
                for (name, kind), out in zip(self.layers, outputs)}


def activation_statistics(model, x):
    """Share of dead ReLU units and saturated sigmoid/tanh units per layer.

    Args:
        model: a Functional or Sequential `keras.Model`.
        x: probe inputs (a NumPy array or tensor, a few hundred examples).

    Returns:
        `{layer_name: {"kind", "units", "dead" or "saturated"}}`.

    Example:
    ```python
    stats = nnrecipes.diagnostics.activation_statistics(model, x_val[:256])
    ```
    """
    return ActivationProbe(model, x).measure()
