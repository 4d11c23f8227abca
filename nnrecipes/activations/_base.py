"""Shared pieces of the parametric activation layers."""

import keras


def check_positive(name, value):
    """Raises unless `value` is a positive number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"`{name}` must be a positive number. Received: {name}={value!r}")


def parameter_shape(input_shape, per_channel):
    """Shape of a per-channel (last axis) or a single scalar parameter."""
    if not per_channel:
        return ()
    channels = input_shape[-1]
    if channels is None:
        raise ValueError(
            "A per-channel activation parameter needs a known last dimension. "
            f"Received: input_shape={tuple(input_shape)!r}; pass per_channel=False "
            "for one shared parameter"
        )
    return (channels,)


class ElementwiseActivation(keras.layers.Layer):
    """Base of the activation layers: shape-preserving, masks pass through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape
