"""Shared pieces of the composite residual blocks."""

import keras

from nnrecipes import activations


def build_chain(layers, input_shape):
    """Builds `layers` one after another from `input_shape`; returns the
    output shape of the last."""
    shape = tuple(input_shape)
    for layer in layers:
        if not layer.built:
            layer.build(shape)
        shape = tuple(layer.compute_output_shape(shape))
    return shape


def check_common(dropout, drop_path, activation):
    """Checks the arguments every residual block takes."""
    for arg, value in (("dropout", dropout), ("drop_path", drop_path)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0.0 <= value < 1.0:
            raise ValueError(f"`{arg}` must be a number in [0, 1). Received: {arg}={value!r}")
    if activation not in activations.activation_names():
        raise ValueError(
            f"Unknown activation {activation!r}. Valid: {activations.activation_names()}. "
            f"Received: activation={activation!r}"
        )


def weight_config(layer):
    """The initializer/regularizer entries of a block's config."""
    return dict(
        kernel_initializer=keras.initializers.serialize(layer.kernel_initializer),
        kernel_regularizer=keras.regularizers.serialize(layer.kernel_regularizer),
    )
