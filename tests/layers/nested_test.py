"""nested_layers: every layer at any depth, once, parents first."""

import pytest

import keras

import nnrecipes
from nnrecipes.layers import nested_layers


def test_nested_layers_reaches_sublayers_of_custom_layers_and_models():
    inner = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8, name="inner_dense")],
                             name="inner")
    inputs = keras.Input((8,))
    block = nnrecipes.layers.ResidualDenseBlock(8, batch_norm=True, name="block")
    model = keras.Model(inputs, inner(block(inputs)))
    found = nested_layers(model)
    kinds = [type(layer).__name__ for layer in found]
    # The block's own Dense and BatchNormalization layers, which
    # `model.layers` does not list, and the nested model's layer.
    assert kinds.count("BatchNormalization") == 2
    assert "inner_dense" in [layer.name for layer in found]
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    assert found.index(block) < found.index(
        next(layer for layer in found if isinstance(layer, keras.layers.BatchNormalization)))
    assert model not in found and len({id(layer) for layer in found}) == len(found)


def test_nested_layers_of_a_leaf_layer_is_empty_and_bad_input_is_refused():
    assert nested_layers(keras.layers.Dense(2)) == []
    with pytest.raises(ValueError, match="Received: layer='dense'"):
        nested_layers("dense")
