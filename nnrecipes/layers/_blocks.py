"""Shared pieces of the composite residual blocks."""

import keras

from nnrecipes import activations
from nnrecipes.names import did_you_mean


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
            f"Unknown activation {activation!r}."
            f"{did_you_mean(activation, activations.activation_names())} "
            f"Valid: {activations.activation_names()}. "
            f"Received: activation={activation!r}"
        )


def weight_config(layer):
    """The initializer/regularizer entries of a block's config."""
    return dict(
        kernel_initializer=keras.initializers.serialize(layer.kernel_initializer),
        kernel_regularizer=keras.regularizers.serialize(layer.kernel_regularizer),
    )


class ResidualBlock(keras.layers.Layer):
    """Base of the residual blocks: `act(shortcut(x) + branch(x))`.

    A subclass builds its branch (a list of layers) and hands it to
    `finish_build`, with its output width and a way to make the projection
    shortcut used when the input width differs. It keeps the activation name
    in `self.activation`.
    """

    def output_width(self):
        """The channel count of the block's output."""
        raise NotImplementedError

    def finish_build(self, branch, input_shape, make_shortcut):
        self.branch = branch
        self.shortcut = None
        if input_shape[-1] != self.output_width():
            self.shortcut = make_shortcut()
            self.shortcut.build(input_shape)
        shape = build_chain(branch, input_shape)
        self.output_activation = activations.activation_layer(
            self.activation, name="act_out", dtype=self.dtype_policy)
        build_chain([self.output_activation], shape)

    def call(self, inputs, training=None):
        y = inputs
        for layer in self.branch:
            y = layer(y, training=training)
        shortcut = inputs if self.shortcut is None else self.shortcut(inputs)
        return self.output_activation(shortcut + y, training=training)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[:-1]) + (self.output_width(),)
        return activations.activation_layer(self.activation).compute_output_shape(shape)
