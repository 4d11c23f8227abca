import keras

from nnrecipes import activations
from nnrecipes.layers import _blocks
from nnrecipes.layers.drop_path import DropPath


@keras.saving.register_keras_serializable(package="nnrecipes")
class ResidualConvBlock(_blocks.ResidualBlock):
    """A residual block of convolutions: `act(shortcut(x) + F(x))`.

    `F` is `convs` times Conv -> (BatchNorm) -> activation, without the last
    activation, then (DropPath): the "basic block" of a ResNet. Convolutions
    keep the spatial size (`"same"` padding). When the input channel count
    differs from `filters`, the shortcut is a 1x1 convolution, as in He et al.

    Args:
        filters: channel count of the output.
        kernel_size: size of the convolution windows. Defaults to `3`.
        rank: 1 for sequences `(batch, steps, channels)`, 2 for images
            `(batch, height, width, channels)`. Defaults to `2`.
        convs: number of convolutions in the branch, >= 1. Defaults to `2`.
        activation: a name from `nnrecipes.activations.activation_names()`.
            Defaults to `"relu"`.
        batch_norm: batch normalization after each convolution. Defaults to
            `True`.
        drop_path: stochastic-depth rate of the residual branch. Defaults to
            `0.0`.
        kernel_initializer: initializer of the kernels. Defaults to
            `"he_normal"`.
        kernel_regularizer: regularizer of the kernels. Defaults to `None`.

    Call arguments:
        inputs: a tensor of rank `rank + 2`, channels last.
        training: whether batch normalization and DropPath act in training
            mode.

    Returns:
        A tensor of the same spatial shape with `filters` channels.

    Example:
    ```python
    x = keras.random.normal((2, 8, 8, 3))
    y = nnrecipes.layers.ResidualConvBlock(16)(x)  # shape (2, 8, 8, 16)
    ```

    Reference:
    - [He et al., 2016](https://arxiv.org/abs/1512.03385)
    """

    def __init__(self, filters, kernel_size=3, rank=2, convs=2, activation="relu",
                 batch_norm=True, drop_path=0.0, kernel_initializer="he_normal",
                 kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("filters", filters), ("kernel_size", kernel_size),
                           ("convs", convs)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}")
        if rank not in (1, 2):
            raise ValueError(f"`rank` must be 1 or 2. Received: rank={rank!r}")
        _blocks.check_common(0.0, drop_path, activation)
        self.filters = filters
        self.kernel_size = kernel_size
        self.rank = rank
        self.convs = convs
        self.activation = activation
        self.batch_norm = bool(batch_norm)
        self.drop_path = float(drop_path)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        conv = keras.layers.Conv2D if self.rank == 2 else keras.layers.Conv1D
        same = dict(dtype=self.dtype_policy)
        weights = dict(kernel_initializer=self.kernel_initializer,
                       kernel_regularizer=self.kernel_regularizer, **same)
        branch = []
        for i in range(1, self.convs + 1):
            branch.append(conv(self.filters, self.kernel_size, padding="same",
                               use_bias=not self.batch_norm, name=f"conv{i}", **weights))
            if self.batch_norm:
                branch.append(keras.layers.BatchNormalization(name=f"bn{i}", **same))
            if i < self.convs:
                branch.append(activations.activation_layer(self.activation, name=f"act{i}",
                                                           **same))
        if self.drop_path:
            branch.append(DropPath(self.drop_path, name="drop_path", **same))
        self.finish_build(branch, input_shape, lambda: conv(
            self.filters, 1, use_bias=False, name="shortcut", **weights))

    def output_width(self):
        return self.filters

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, rank=self.rank,
                      convs=self.convs, activation=self.activation,
                      batch_norm=self.batch_norm, drop_path=self.drop_path,
                      **_blocks.weight_config(self))
        return config
