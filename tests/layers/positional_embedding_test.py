"""PositionalEmbedding (learned): adds row t of its table to step t, for any
length up to `sequence_length`, and refuses longer inputs in clear words."""

import numpy as np
import pytest

import keras

from nnrecipes.layers import PositionalEmbedding

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(2)


def test_each_step_gets_its_own_row_and_shorter_inputs_the_first_rows():
    layer = PositionalEmbedding(sequence_length=6)
    x = RNG.normal(size=(2, 6, 3)).astype("float32")
    y = to_np(layer(x))
    table = to_np(layer.position_embeddings)
    assert table.shape == (6, 3)
    np.testing.assert_allclose(y, x + table[None], rtol=1e-6)
    inputs = keras.Input((None, 3))
    model = keras.Model(inputs, layer(inputs))
    short = x[:, :4]
    np.testing.assert_allclose(to_np(model(short)), short + table[None, :4], rtol=1e-6)


def test_the_padding_mask_passes_through():
    inputs = keras.Input((5,), dtype="int32")
    embedding = keras.layers.Embedding(10, 4, mask_zero=True)
    position = PositionalEmbedding(sequence_length=5)
    pooled = keras.layers.GlobalAveragePooling1D()(position(embedding(inputs)))
    model = keras.Model(inputs, pooled)
    tokens = np.array([[1, 2, 0, 0, 0]])
    steps = to_np(embedding.embeddings)[tokens[0]] + to_np(position.position_embeddings)
    # The pooling still sees the mask: the mean is over the two real steps.
    np.testing.assert_allclose(to_np(model(tokens))[0], steps[:2].mean(axis=0), rtol=1e-5)


def test_inputs_longer_than_the_table_are_refused():
    layer = PositionalEmbedding(sequence_length=4)
    with pytest.raises(ValueError, match=r"sequence_length=4.*Received: inputs with 6 steps"):
        layer(np.zeros((1, 6, 3), "float32"))
    inputs = keras.Input((None, 3))
    model = keras.Model(inputs, PositionalEmbedding(sequence_length=4)(inputs))
    with pytest.raises(ValueError, match="Received: inputs with 5 steps"):
        model(np.zeros((1, 5, 3), "float32"))


@pytest.mark.parametrize("bad", [0, 2.0, None])
def test_sequence_length_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match=f"Received: sequence_length={bad!r}"):
        PositionalEmbedding(sequence_length=bad)
