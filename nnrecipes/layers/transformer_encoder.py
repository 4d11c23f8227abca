import keras

from nnrecipes import activations
from nnrecipes.layers.drop_path import DropPath


@keras.saving.register_keras_serializable(package="nnrecipes")
class TransformerEncoder(keras.layers.Layer):
    """One Transformer encoder block: self-attention, then a feed-forward net.

    Each sub-layer is wrapped in a residual connection and layer
    normalization, applied before the sub-layer (`norm_first=True`, the
    "pre-LN" form that trains stably without warmup) or after it (the
    original "post-LN" form).

    Args:
        num_heads: number of attention heads; must divide the feature size.
        ff_dim: width of the hidden layer of the feed-forward net.
        dropout: dropout rate after attention and in the feed-forward net.
            Defaults to `0.0`.
        activation: activation of the feed-forward net: anything
            `keras.activations.get` takes, or an nnrecipes activation name
            (`nnrecipes.activations.CUSTOM_ACTIVATIONS`, e.g. `"snake"`), which
            is applied as a layer after a linear hidden layer. Defaults to
            `"gelu"`.
        norm_first: layer normalization before (True) or after (False) each
            sub-layer. Defaults to `True`.
        kernel_initializer: initializer of the dense kernels. Defaults to
            `"glorot_uniform"`.
        kernel_regularizer: regularizer of the dense kernels. Defaults to `None`.
        drop_path: stochastic-depth rate (`nnrecipes.layers.DropPath`) of both
            residual branches. Defaults to `0.0`.

    Call arguments:
        inputs: a tensor of shape `(batch, timesteps, features)`.
        training: whether dropout is active.
        mask: optional boolean mask of shape `(batch, timesteps)`, True for
            real tokens; padded positions are not attended to.

    Returns:
        A tensor of the same shape as `inputs`.

    Example:
    ```python
    x = keras.random.normal((2, 10, 32))
    y = nnrecipes.layers.TransformerEncoder(num_heads=4, ff_dim=64)(x)
    ```

    Reference:
    - [Vaswani et al., 2017](https://arxiv.org/abs/1706.03762)
    - [Xiong et al., 2020](https://arxiv.org/abs/2002.04745) (pre-LN)
    """

    def __init__(self, num_heads, ff_dim, dropout=0.0, activation="gelu", norm_first=True,
                 kernel_initializer="glorot_uniform", kernel_regularizer=None, drop_path=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("num_heads", num_heads), ("ff_dim", ff_dim)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout!r}")
        self.num_heads = num_heads
        self.ff_dim = ff_dim
        self.dropout = dropout
        if not isinstance(drop_path, (int, float)) or not 0.0 <= drop_path < 1.0:
            raise ValueError(f"`drop_path` must be in [0, 1). Received: drop_path={drop_path!r}")
        self.drop_path = float(drop_path)
        # An nnrecipes activation is a layer (it may have weights); a Keras one
        # stays a function inside the hidden dense layer.
        self.custom_activation = (isinstance(activation, str)
                                  and activation in activations.CUSTOM_ACTIVATIONS)
        self.activation = (activation if self.custom_activation
                           else keras.activations.get(activation))
        self.norm_first = norm_first
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.supports_masking = True

    def build(self, input_shape):
        features = input_shape[-1]
        if features % self.num_heads:
            raise ValueError(
                f"The feature size must be divisible by `num_heads`. "
                f"Received: features={features}, num_heads={self.num_heads}"
            )
        # Sub-layers compute in the block's own dtype policy.
        same = dict(dtype=self.dtype_policy)
        dense_args = dict(kernel_initializer=self.kernel_initializer,
                          kernel_regularizer=self.kernel_regularizer, **same)
        self.attention = keras.layers.MultiHeadAttention(
            num_heads=self.num_heads, key_dim=features // self.num_heads,
            dropout=self.dropout, name="attention", **dense_args)
        self.attention.build(input_shape, input_shape)
        self.attention_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="attention_norm",
                                                              **same)
        self.attention_norm.build(input_shape)
        hidden_shape = tuple(input_shape[:-1]) + (self.ff_dim,)
        self.ff_activation = None
        if self.custom_activation:
            self.ff_hidden = keras.layers.Dense(self.ff_dim, name="ff_hidden", **dense_args)
            self.ff_activation = activations.activation_layer(self.activation,
                                                              name="ff_activation", **same)
            self.ff_activation.build(hidden_shape)
            hidden_shape = tuple(self.ff_activation.compute_output_shape(hidden_shape))
        else:
            self.ff_hidden = keras.layers.Dense(self.ff_dim, activation=self.activation,
                                                name="ff_hidden", **dense_args)
        self.ff_hidden.build(input_shape)
        self.ff_output = keras.layers.Dense(features, name="ff_output", **dense_args)
        self.ff_output.build(hidden_shape)
        self.ff_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="ff_norm", **same)
        self.ff_norm.build(input_shape)
        self.drop = keras.layers.Dropout(self.dropout, **same)
        self.drop_branch = DropPath(self.drop_path, **same) if self.drop_path else None

    def call(self, inputs, training=None, mask=None):
        attention_mask = None
        if mask is not None:
            attention_mask = mask[:, None, :]
        x = inputs
        y = self.attention_norm(x) if self.norm_first else x
        y = self.attention(y, y, attention_mask=attention_mask, training=training)
        x = x + self._branch(y, training)
        if not self.norm_first:
            x = self.attention_norm(x)
        y = self.ff_norm(x) if self.norm_first else x
        y = self.ff_hidden(y)
        if self.ff_activation is not None:
            y = self.ff_activation(y, training=training)
        y = self.ff_output(self.drop(y, training=training))
        x = x + self._branch(y, training)
        if not self.norm_first:
            x = self.ff_norm(x)
        return x

    def _branch(self, y, training):
        y = self.drop(y, training=training)
        if self.drop_branch is not None:
            y = self.drop_branch(y, training=training)
        return y

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            ff_dim=self.ff_dim,
            dropout=self.dropout,
            activation=(self.activation if self.custom_activation
                        else keras.activations.serialize(self.activation)),
            norm_first=self.norm_first,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
            drop_path=self.drop_path,
        )
        return config
