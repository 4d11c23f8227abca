import keras

from nnrecipes import activations
from nnrecipes.layers import _blocks
from nnrecipes.layers.drop_path import DropPath


@keras.saving.register_keras_serializable(package="nnrecipes")
class ResidualDenseBlock(_blocks.ResidualBlock):
    """A residual block of two dense layers: `act(x + F(x))`.

    `F` is Dense -> (BatchNorm) -> activation -> (Dropout) -> Dense ->
    (BatchNorm) -> (DropPath). When the input width differs from `units`, the
    shortcut is a linear projection (a Dense without bias), as in He et al.

    Args:
        units: width of the block's output.
        activation: a name from `nnrecipes.activations.activation_names()`.
            Defaults to `"relu"`.
        dropout: dropout rate between the two dense layers. Defaults to `0.0`.
        batch_norm: batch normalization after each dense layer. Defaults to
            `False`.
        drop_path: stochastic-depth rate of the residual branch. Defaults to
            `0.0`.
        kernel_initializer: initializer of the dense kernels. Defaults to
            `"he_normal"`.
        kernel_regularizer: regularizer of the dense kernels. Defaults to
            `None`.

    Call arguments:
        inputs: a tensor of shape `(..., features)`.
        training: whether dropout, batch normalization and DropPath act in
            training mode.

    Returns:
        A tensor of shape `(..., units)`.

    Example:
    ```python
    x = keras.random.normal((4, 16))
    y = nnrecipes.layers.ResidualDenseBlock(32, drop_path=0.1)(x)
    ```

    Reference:
    - [He et al., 2016](https://arxiv.org/abs/1603.05027)
    """

    def __init__(self, units, activation="relu", dropout=0.0, batch_norm=False, drop_path=0.0,
                 kernel_initializer="he_normal", kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"`units` must be a positive integer. Received: units={units!r}")
        _blocks.check_common(dropout, drop_path, activation)
        self.units = units
        self.activation = activation
        self.dropout = float(dropout)
        self.batch_norm = bool(batch_norm)
        self.drop_path = float(drop_path)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        same = dict(dtype=self.dtype_policy)
        dense = dict(kernel_initializer=self.kernel_initializer,
                     kernel_regularizer=self.kernel_regularizer, **same)
        use_bias = not self.batch_norm
        branch = [keras.layers.Dense(self.units, use_bias=use_bias, name="dense1", **dense)]
        if self.batch_norm:
            branch.append(keras.layers.BatchNormalization(name="bn1", **same))
        branch.append(activations.activation_layer(self.activation, name="act1", **same))
        if self.dropout:
            branch.append(keras.layers.Dropout(self.dropout, name="dropout", **same))
        branch.append(keras.layers.Dense(self.units, use_bias=use_bias, name="dense2", **dense))
        if self.batch_norm:
            branch.append(keras.layers.BatchNormalization(name="bn2", **same))
        if self.drop_path:
            branch.append(DropPath(self.drop_path, name="drop_path", **same))
        self.finish_build(branch, input_shape, lambda: keras.layers.Dense(
            self.units, use_bias=False, name="shortcut", **dense))

    def output_width(self):
        return self.units

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=self.activation, dropout=self.dropout,
                      batch_norm=self.batch_norm, drop_path=self.drop_path,
                      **_blocks.weight_config(self))
        return config
