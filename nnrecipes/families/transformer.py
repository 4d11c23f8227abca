"""Transformer: encoder blocks of multi-head self-attention."""

import keras

from nnrecipes.families import common
from nnrecipes.layers import MaskedGlobalPooling1D
from nnrecipes.layers import PositionalEmbedding
from nnrecipes.layers import SinusoidalPositionalEmbedding
from nnrecipes.layers import TransformerEncoder
from nnrecipes.families.base import Recipe
from nnrecipes.families.base import register_recipe


@register_recipe("transformer")
class TransformerRecipe(Recipe):
    """Transformer encoder classifier/regressor.

    Token ids are embedded, numeric sequences projected, to `embed_dim`; a
    positional embedding is added (`positional`: learned, or the fixed
    sinusoidal encoding, which also takes a variable length); `num_blocks`
    encoder blocks (pre-LN self-attention and a feed-forward net with
    `activation`; stochastic depth on both residual branches, its rate rising
    linearly with depth to `drop_path` at the last block)
    follow; the sequence is pooled (mean or max, padding masked) into the head.
    """

    description = "Transformer encoder: multi-head self-attention blocks with positions."
    input_kinds = ("sequence", "tokens")

    def search_space(self, hp, task):
        values = {
            "num_blocks": hp.Int("num_blocks", 1, 8, default=2),
            "embed_dim": hp.Int("embed_dim", 8, 1024, step=2, sampling="log", default=64),
            "num_heads": hp.Int("num_heads", 1, 16, default=4),
            "ff_dim": hp.Int("ff_dim", 8, 4096, step=2, sampling="log", default=128),
            "positional": hp.Choice("positional", ["learned", "sinusoidal"], default="learned"),
            "drop_path": hp.Float("drop_path", 0.0, 0.5, step=0.05, default=0.0),
            "pooling": hp.Choice("pooling", ["mean", "max"], default="mean"),
        }
        values.update(common.declare_common(hp, task, activation="gelu", dropout=0.1))
        return values

    def build_body(self, x, kind, *, vocab_size=None, num_blocks, embed_dim, num_heads,
                   ff_dim, positional, pooling, drop_path, **values):
        if embed_dim % num_heads:
            raise ValueError(
                "`embed_dim` must be divisible by `num_heads`. "
                f"Received: embed_dim={embed_dim}, num_heads={num_heads}"
            )
        length = x.shape[1]
        if length is None and positional == "learned":
            raise ValueError(
                "The transformer recipe needs a fixed sequence length for its "
                "positional embedding. Received: input_shape with timesteps=None"
            )
        weights = common.weight_args(values)
        if kind == "tokens":
            x = common.token_embedding(x, vocab_size, embed_dim,
                                       dropout=values["embedding_dropout"])
        else:
            x = keras.layers.Dense(embed_dim, name="input_projection", **weights)(x)
        if positional == "sinusoidal":
            x = SinusoidalPositionalEmbedding(name="positional_embedding")(x)
        else:
            x = PositionalEmbedding(length, name="positional_embedding")(x)
        if values["dropout"]:
            x = keras.layers.Dropout(values["dropout"], name="embedding_dropout")(x)
        for i in range(num_blocks):
            x = TransformerEncoder(num_heads, ff_dim, dropout=values["dropout"],
                                   activation=values["activation"],
                                   drop_path=drop_path * (i + 1) / num_blocks,
                                   name=f"encoder{i + 1}", **weights)(x)
        x = keras.layers.LayerNormalization(epsilon=1e-6, name="final_norm")(x)
        # Padding is masked; a text that is all padding pools to zeros, not NaN.
        x = MaskedGlobalPooling1D(pooling, name="pool")(x)
        if values["batch_norm"]:
            x = common.batch_norm("pooled_bn")(x)
        return x
