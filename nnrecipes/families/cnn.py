"""CNN: stacked convolution blocks with pooling, optionally residual."""

import keras

from nnrecipes import activations
from nnrecipes.families import common
from nnrecipes.layers import DropPath
from nnrecipes.families.base import Recipe
from nnrecipes.families.base import register_recipe


# Whether `CNNRecipe.data_defaults` applies `size_defaults`.
SIZE_RULE = True
# Pool while the smaller side stays at least this many pixels.
SMALLEST_MAP = 4


def size_defaults(input_shape, examples):
    """The CNN's depth from the image size (the recipe's default
    `conv_blocks` for image data).

    `conv_blocks` is one block, then one more for each pooling that leaves
    the smaller side at least `SMALLEST_MAP` (4) pixels, at most 3 (the
    declared default): an 8x8 digit gets 2 blocks (8 -> 4 -> 2), 16x16 and
    larger images 3. A third block on 8x8 pools to 1x1 and convolves single
    pixels. On digits (`benchmarks/cnn_depth_digits.py`, seeds 0-1) 2 blocks
    had a mean validation accuracy of 0.9931 against 3 blocks' 0.9885 (test
    0.9944 both seeds, the keras-io convnet given the same time 0.9944). The width (`filters`,
    `convs_per_block`) stays as declared: one convolution per block was
    measured no better on digits (validation 0.9815 against 0.9907 with two),
    so the number of examples changes nothing yet.

    Args:
        input_shape: one image's shape `(height, width, channels)`.
        examples: the number of training images (checked; no rule reads it
            yet).

    Returns:
        A dict of defaults (`conv_blocks`).

    Example:
    >>> nnrecipes.families.cnn.size_defaults((8, 8, 1), 1437)
    {'conv_blocks': 2}
    """
    if len(input_shape) != 3 or any(d is None or d < 1 for d in input_shape):
        raise ValueError("`input_shape` must be an image's (height, width, channels). "
                         f"Received: input_shape={input_shape!r}")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise ValueError(f"`examples` must be a positive integer. Received: examples={examples!r}")
    side, blocks = min(input_shape[:2]), 1
    while blocks < 3 and side // 2 ** blocks >= SMALLEST_MAP:
        blocks += 1
    return {"conv_blocks": blocks}


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

    def data_defaults(self, splits):
        """For images, depth and width from the image size and the number of
        training images (`size_defaults`); nothing for other inputs."""
        if splits.kind != "image" or not SIZE_RULE:
            return {}
        return size_defaults(tuple(splits.x_train.shape[1:]), len(splits.x_train))

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
