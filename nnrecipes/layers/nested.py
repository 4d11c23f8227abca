"""Every layer inside a model or layer, at any depth."""

import keras


def nested_layers(layer):
    """Lists every layer that `layer` holds, at any depth, itself excluded.

    `keras.Model.layers` lists a model's direct children only, and a custom
    layer has no public list of its sublayers at all: the `Dense` layers
    inside a `TransformerEncoder`, or the `BatchNormalization` inside a
    `ResidualConvBlock`, appear in neither. This walk reaches them, nested
    models included. Each layer appears once, parents before their children.

    Args:
        layer: a `keras.Layer` (a `keras.Model` is one).

    Returns:
        A list of `keras.Layer`.

    Example:
    >>> block = nnrecipes.layers.ResidualDenseBlock(8, batch_norm=True)
    >>> model = keras.Sequential([keras.Input((8,)), block])
    >>> kinds = [type(l).__name__ for l in nnrecipes.layers.nested_layers(model)]
    >>> kinds.count("BatchNormalization"), kinds.count("Dense")
    (2, 2)
    """
    if not isinstance(layer, keras.Layer):
        raise ValueError(
            f"`nested_layers` walks a keras.Layer or keras.Model. Received: layer={layer!r}")
    # private: Keras 3 has no public walk over the sublayers of a layer
    # (`Model.layers` is one level deep, and a plain `Layer` exposes none);
    # `Layer._flatten_layers` is what Keras itself uses for `Layer.losses`
    # and the like (keras-team/keras#18828). Guarded by
    # tests/upstream_test.py::test_keras_layer_flatten_layers_walks_nested_layers.
    return list(layer._flatten_layers(include_self=False, recursive=True))
