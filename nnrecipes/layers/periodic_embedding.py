import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class PeriodicEmbedding(keras.layers.Layer):
    """Embeds each numeric feature with learned periodic functions ("PLR").

    Feature `j` with value `x` becomes
    `relu(W_j [sin(2 pi c_j x), cos(2 pi c_j x)] + b_j)`: `c_j` holds
    `num_frequencies` trainable frequencies drawn from `N(0, sigma)`, and
    `W_j`, `b_j` are the feature's own dense layer to `embedding_dim` units.
    A network on top sees smooth, learned, high-frequency views of each
    number, which helps it model the sharp steps that trees find easily.
    `sigma` sets how fast the initial functions vary; it suits inputs
    scaled to about unit spread (`nnrecipes.data.NumericScaler`).

    Args:
        num_frequencies: frequencies per feature. Defaults to `16`.
        embedding_dim: output units per feature. Defaults to `16`.
        sigma: standard deviation of the initial frequencies. Defaults to `0.1`.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: tensor `(batch, features)`.

    Returns:
        tensor `(batch, features, embedding_dim)`.

    Example:
    ```python
    x = keras.random.normal((4, 10))
    y = nnrecipes.layers.PeriodicEmbedding(embedding_dim=8)(x)  # (4, 10, 8)
    ```

    Reference:
    - [Gorishniy et al., 2022, "On Embeddings for Numerical Features in
      Tabular Deep Learning"](https://arxiv.org/abs/2203.05556)
    """

    def __init__(self, num_frequencies=16, embedding_dim=16, sigma=0.1, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("num_frequencies", num_frequencies),
                            ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer. "
                                 f"Received: {name}={value!r}")
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or sigma <= 0:
            raise ValueError(f"`sigma` must be a positive number. Received: sigma={sigma!r}")
        self.num_frequencies = num_frequencies
        self.embedding_dim = embedding_dim
        self.sigma = float(sigma)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError("PeriodicEmbedding takes inputs of shape (batch, features) with "
                             f"a known number of features. Received: input_shape="
                             f"{tuple(input_shape)}")
        features = input_shape[-1]
        self.frequencies = self.add_weight(
            name="frequencies", shape=(features, self.num_frequencies),
            initializer=keras.initializers.RandomNormal(stddev=self.sigma))
        self.kernel = self.add_weight(
            name="kernel", shape=(features, 2 * self.num_frequencies, self.embedding_dim),
            initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(features, self.embedding_dim),
                                    initializer="zeros")

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        angles = 2.0 * math.pi * x[:, :, None] * ops.cast(self.frequencies, x.dtype)[None]
        periodic = ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)
        out = ops.einsum("bfk,fkd->bfd", periodic, ops.cast(self.kernel, x.dtype))
        return ops.relu(out + ops.cast(self.bias, x.dtype)[None])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.embedding_dim)

    def get_config(self):
        config = super().get_config()
        config.update(num_frequencies=self.num_frequencies, embedding_dim=self.embedding_dim,
                      sigma=self.sigma)
        return config
