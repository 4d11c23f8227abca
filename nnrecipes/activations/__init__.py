"""Activations by name, for every recipe's `activation=` hyperparameter.

`activation_layer(name)` returns a layer for any name in `activation_names()`:
Keras's own activations, and nnrecipes' registered ones (with trainable
parameters where the method has them).

Function forms (no weights), usable wherever Keras takes an activation:
`lisht`, `scaled_tanh`, `snake` (fixed frequency), `beta_swish` (fixed beta).
Layer forms, also reachable by name through `activation_layer`: `Snake`,
`BetaSwish`, `LiSHT`, `RReLU`, `Maxout`, `ScaledTanh`.
"""

import keras

# Layer modules are named `*_layer` so that they never shadow the functions
# of the same name on this package.
from nnrecipes.activations.beta_swish_layer import BetaSwish
from nnrecipes.activations.functions import beta_swish
from nnrecipes.activations.functions import lisht
from nnrecipes.activations.functions import scaled_tanh
from nnrecipes.activations.functions import snake
from nnrecipes.activations.lisht_layer import LiSHT
from nnrecipes.activations.maxout import Maxout
from nnrecipes.activations.rrelu import RReLU
from nnrecipes.activations.scaled_tanh_layer import ScaledTanh
from nnrecipes.activations.snake_layer import Snake
from nnrecipes.names import did_you_mean

# Keras 3 activations that recipes offer by name. Keras implements them; we
# only list the ones that make sense for hidden layers.
KERAS_ACTIVATIONS = (
    "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "tanh",
    "sigmoid", "softplus", "relu6", "hard_silu", "linear",
)

# nnrecipes' own activations: name -> layer class taking no required argument.
# `maxout` divides the channel count by 2 (its default `pieces`).
CUSTOM_ACTIVATIONS = {
    "snake": Snake,
    "beta_swish": BetaSwish,
    "lisht": LiSHT,
    "rrelu": RReLU,
    "maxout": Maxout,
    "scaled_tanh": ScaledTanh,
}


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
        f"Unknown activation {activation!r}.{did_you_mean(activation, activation_names())} "
        f"Valid: {activation_names()}. "
        f"Received: activation={activation!r}"
    )


__all__ = [
    "BetaSwish",
    "CUSTOM_ACTIVATIONS",
    "KERAS_ACTIVATIONS",
    "LiSHT",
    "Maxout",
    "RReLU",
    "ScaledTanh",
    "Snake",
    "activation_layer",
    "activation_names",
    "beta_swish",
    "lisht",
    "scaled_tanh",
    "snake",
]
