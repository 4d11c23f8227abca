"""CNN: stacked convolution blocks with pooling, optionally residual."""

import keras

from nnrecipes import activations
from nnrecipes.families import common
from nnrecipes.layers import DropPath
from nnrecipes.families.base import Recipe
from nnrecipes.families.base import register_recipe


@register_recipe("cnn", aliases=("convnet",))
class CNNRecipe(Recipe):
    """Convolutional network: `conv_blocks` blocks, each of `convs_per_block`
    convolutions then pooling, with the filter count doubling per block.

    Images use 2-D convolutions; numeric sequences and embedded tokens use 1-D
    ones (a Kim-style text CNN). Pooling is skipped once a spatial size is
    down to 1, so small inputs work with the defaults. With `residual=True`
    each block adds its input (projected by a 1x1 convolution) to its output,
    and `drop_path` > 0 drops a block's residual branch at random in training
    (stochastic depth, the rate rising linearly to `drop_path` at the last
    block). The residual is wired here from plain layers rather
    than `nnrecipes.layers.ResidualConvBlock`, so that each convolution stays
    a layer of its own for per-layer diagnostics.
    """

    description = "Convolutional network: conv blocks with pooling, optional residuals."
    input_kinds = ("image", "sequence", "tokens")

    def search_space(self, hp, task):
        values = {
            "conv_blocks": hp.Int("conv_blocks", 1, 6, default=3),
            "filters": hp.Int("filters", 8, 512, step=2, sampling="log", default=32),
            "convs_per_block": hp.Int("convs_per_block", 1, 4, default=2),
            "kernel_size": hp.Choice("kernel_size", [3, 5, 7], default=3),
            "pooling": hp.Choice("pooling", ["max", "avg"], default="max"),
            "residual": hp.Boolean("residual", default=False),
            "drop_path": hp.Float("drop_path", 0.0, 0.5, step=0.05, default=0.0),
            "dense_units": hp.Int("dense_units", 0, 2048, default=128),
            "embedding_dim": hp.Int("embedding_dim", 8, 512, step=2, sampling="log",
                                    default=128),
        }
        values.update(common.declare_common(hp, task, dropout=0.25, batch_norm=True,
                                            initializer="he_normal"))
        return values

    def build_body(self, x, kind, *, vocab_size=None, conv_blocks, filters, convs_per_block,
                   kernel_size, pooling, residual, drop_path, dense_units, embedding_dim,
                   **values):
        if kind == "tokens":
            x = common.token_embedding(x, vocab_size, embedding_dim, mask_zero=False,
                                       dropout=values["embedding_dropout"])
        conv = keras.layers.Conv2D if kind == "image" else keras.layers.Conv1D
        pool = {
            ("max", True): keras.layers.MaxPooling2D, ("avg", True): keras.layers.AveragePooling2D,
            ("max", False): keras.layers.MaxPooling1D, ("avg", False): keras.layers.AveragePooling1D,
        }[(pooling, kind == "image")]
        weights = common.weight_args(values)
        for b in range(conv_blocks):
            name = f"block{b + 1}"
            width = min(filters * 2 ** b, 1024)
            shortcut = x
            for c in range(convs_per_block):
                x = conv(width, kernel_size, padding="same", use_bias=not values["batch_norm"],
                         name=f"{name}_conv{c + 1}", **weights)(x)
                if values["batch_norm"]:
                    x = common.batch_norm(f"{name}_bn{c + 1}")(x)
                if residual and c == convs_per_block - 1:
                    if shortcut.shape[-1] != width:
                        shortcut = conv(width, 1, name=f"{name}_shortcut", **weights)(shortcut)
                    if drop_path:
                        # Huang et al.'s linear rule: deeper blocks drop more often.
                        rate = drop_path * (b + 1) / conv_blocks
                        x = DropPath(rate, name=f"{name}_drop_path")(x)
                    x = keras.layers.Add(name=f"{name}_add")([x, shortcut])
                x = activations.activation_layer(values["activation"],
                                                 name=f"{name}_act{c + 1}")(x)
            spatial = x.shape[1:-1]
            if all(size is None or size >= 2 for size in spatial):
                x = pool(2, name=f"{name}_pool")(x)
            if values["dropout"]:
                x = keras.layers.Dropout(values["dropout"], name=f"{name}_dropout")(x)
        global_pool = (keras.layers.GlobalAveragePooling2D if kind == "image"
                       else keras.layers.GlobalMaxPooling1D)
        x = global_pool(name="global_pool")(x)
        if dense_units:
            x = common.dense_block(x, dense_units, values, name="dense")
        return x
