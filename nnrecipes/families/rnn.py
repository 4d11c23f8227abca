"""Recurrent families: simple RNN, LSTM and GRU, stacked and bidirectional."""

import keras

from nnrecipes import activations
from nnrecipes.families import common
from nnrecipes.families.base import Recipe
from nnrecipes.families.base import register_recipe


class RecurrentRecipe(Recipe):
    """A stack of `num_layers` recurrent layers, optionally bidirectional.

    The last layer's final state feeds an optional dense layer (`dense_units`,
    with `activation`) and the head. Token ids are embedded first, with id 0
    masked as padding. `cell_activation` other than `"tanh"` (and
    `recurrent_dropout` above 0) makes LSTM/GRU leave the fused cuDNN kernel
    on a GPU.
    """

    layer_class = None
    input_kinds = ("sequence", "tokens")

    def search_space(self, hp, task):
        values = {
            "units": hp.Int("units", 8, 1024, step=2, sampling="log", default=64),
            "num_layers": hp.Int("num_layers", 1, 4, default=1),
            "bidirectional": hp.Boolean("bidirectional", default=False),
            "cell_activation": hp.Choice("cell_activation", activations.KERAS_ACTIVATIONS,
                                         default="tanh"),
            "recurrent_dropout": hp.Float("recurrent_dropout", 0.0, 0.5, step=0.05,
                                          default=0.0),
            "dense_units": hp.Int("dense_units", 0, 1024, default=0),
            "embedding_dim": hp.Int("embedding_dim", 8, 512, step=2, sampling="log",
                                    default=64),
        }
        values.update(common.declare_common(hp, task, dropout=0.1))
        return values

    def build_body(self, x, kind, *, vocab_size=None, units, num_layers, bidirectional,
                   cell_activation, recurrent_dropout, dense_units, embedding_dim, **values):
        if kind == "tokens":
            x = common.token_embedding(x, vocab_size, embedding_dim,
                                       dropout=values["embedding_dropout"])
        weights = common.weight_args(values)
        for i in range(num_layers):
            last = i == num_layers - 1
            layer = self.layer_class(
                units, activation=cell_activation, return_sequences=not last,
                recurrent_dropout=recurrent_dropout, name=f"{self.name}{i + 1}", **weights)
            if bidirectional:
                layer = keras.layers.Bidirectional(layer, name=f"bidirectional{i + 1}")
            x = layer(x)
            if values["batch_norm"]:
                x = common.batch_norm(f"bn{i + 1}")(x)
            if values["dropout"]:
                x = keras.layers.Dropout(values["dropout"], name=f"dropout{i + 1}")(x)
        if dense_units:
            x = common.dense_block(x, dense_units, values, name="dense")
        return x


@register_recipe("rnn", aliases=("simple_rnn", "simplernn"))
class SimpleRNNRecipe(RecurrentRecipe):
    description = "Simple (Elman) recurrent network, stacked and optionally bidirectional."
    layer_class = keras.layers.SimpleRNN


@register_recipe("lstm")
class LSTMRecipe(RecurrentRecipe):
    description = "Long short-term memory network, stacked and optionally bidirectional."
    layer_class = keras.layers.LSTM


@register_recipe("gru")
class GRURecipe(RecurrentRecipe):
    description = "Gated recurrent unit network, stacked and optionally bidirectional."
    layer_class = keras.layers.GRU
