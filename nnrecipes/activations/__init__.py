"""Activations by name, for every recipe's `activation=` hyperparameter.

`activation_layer(name)` returns a layer for any name in `activation_names()`:
Keras's own activations, and nnrecipes' registered ones (with trainable
parameters where the method has them).
"""

import keras

# Keras 3 activations that recipes offer by name. Keras implements them; we
# only list the ones that make sense for hidden layers.
KERAS_ACTIVATIONS = (
    "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "tanh",
    "sigmoid", "softplus", "relu6", "hard_silu", "linear",
)

# nnrecipes' own activations: name -> layer class taking no required argument.
CUSTOM_ACTIVATIONS = {}


def activation_names():
    """Returns every name `activation_layer` accepts.

    Example:
    >>> "relu" in nnrecipes.activations.activation_names()
    True
    """
    return list(KERAS_ACTIVATIONS) + sorted(CUSTOM_ACTIVATIONS)


def activation_layer(activation, **kwargs):
    """Returns a new layer that applies the activation called `activation`.

    Args:
        activation: a name from `activation_names()`.
        **kwargs: passed to the layer (e.g. `name=`).

    Example:
    >>> layer = nnrecipes.activations.activation_layer("relu", name="act1")
    """
    if activation in CUSTOM_ACTIVATIONS:
        return CUSTOM_ACTIVATIONS[activation](**kwargs)
    if activation in KERAS_ACTIVATIONS:
        return keras.layers.Activation(activation, **kwargs)
    raise ValueError(
        f"Unknown activation {activation!r}. Valid: {activation_names()}. "
        f"Received: activation={activation!r}"
    )
