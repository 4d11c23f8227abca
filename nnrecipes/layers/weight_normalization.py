import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class WeightNormalization(keras.layers.Wrapper):
    """Reparameterizes a layer's kernel as `w = g * v / ||v||`.

    The wrapped layer's own kernel becomes the direction `v`; a new weight
    `g` (one per output unit) holds the length. The norm is taken over every
    axis but the last (the output units), so this fits `Dense` and
    `Conv1D`/`Conv2D`/`Conv3D`. Gradient descent on `(v, g)` decouples the
    length of each weight vector from its direction, which speeds up and
    steadies training much as batch normalization does, without depending on
    the batch.

    `g` starts at `||v||`, so at first the wrapped layer computes exactly what
    it computed before wrapping. `initialize_from_data(x)` applies the
    paper's data-dependent initialization instead. Regularizers of the
    wrapped layer's kernel apply to `v`.

    Args:
        layer: a `Dense` or `Conv1D`/`Conv2D`/`Conv3D` layer (or any layer
            with a `kernel` whose last axis is the output units).
        epsilon: added under the square root of the norm. Defaults to `1e-12`.

    Call arguments:
        inputs: the wrapped layer's inputs.

    Returns:
        The wrapped layer's outputs, computed with `w = g * v / ||v||`.

    Example:
    ```python
    layer = nnrecipes.layers.WeightNormalization(keras.layers.Dense(16))
    y = layer(keras.random.normal((4, 8)))
    ```

    Reference:
    - [Salimans & Kingma, 2016](https://arxiv.org/abs/1602.07868)
    """

    def __init__(self, layer, epsilon=1e-12, **kwargs):
        super().__init__(layer, **kwargs)
        unsupported = (keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
                       keras.layers.Conv3DTranspose, keras.layers.DepthwiseConv1D,
                       keras.layers.DepthwiseConv2D, keras.layers.SeparableConv1D,
                       keras.layers.SeparableConv2D)
        if isinstance(layer, unsupported):
            raise ValueError(
                "WeightNormalization wraps Dense and Conv1D/2D/3D layers, whose "
                "kernel's last axis is the output units. "
                f"Received: layer={layer.__class__.__name__}"
            )
        if not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"`epsilon` must be a positive number. Received: epsilon={epsilon!r}")
        self.epsilon = float(epsilon)

    def build(self, input_shape=None):
        super().build(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        if not isinstance(kernel, keras.Variable):
            raise ValueError(
                "WeightNormalization needs a layer with a `kernel` weight. "
                f"Received: layer={self.layer.__class__.__name__} (no kernel)"
            )
        self.v = kernel
        self.g = self.add_weight(name="g", shape=(kernel.shape[-1],), initializer="ones",
                                 dtype=kernel.dtype)
        self.match_length_to_direction()

    def match_length_to_direction(self):
        """Sets `g` to `||v||`, so that the normalized kernel equals `v`.

        `build` does this; call it again after assigning `v` directly (e.g.
        an orthogonal `v`) to make the layer compute with that kernel as is.
        """
        self.g.assign(ops.cast(self._norm(self.v), self.g.dtype))

    def _norm(self, v):
        axes = tuple(range(len(v.shape) - 1))
        return ops.sqrt(ops.sum(ops.square(v), axis=axes) + self.epsilon)

    def normalized_kernel(self):
        """Returns `g * v / ||v||`, the kernel the wrapped layer computes with."""
        v = ops.convert_to_tensor(self.v)
        return v * (ops.convert_to_tensor(self.g) / self._norm(v))

    def initialize_from_data(self, x):
        """Data-dependent initialization (Salimans & Kingma, section 3).

        Sets `g` and the bias so that, on the batch `x`, each output unit
        has mean 0 and variance 1 before the wrapped layer's activation.
        Call it once, before training, on a batch of this layer's inputs.

        Returns:
            The per-unit standard deviation found before rescaling.
        """
        if not self.built:
            self.build(tuple(x.shape))
        bias = getattr(self.layer, "bias", None)
        if not isinstance(bias, keras.Variable):
            raise ValueError(
                "Data-dependent initialization needs a wrapped layer with a bias. "
                f"Received: layer={self.layer.__class__.__name__} with use_bias=False"
            )
        activation = getattr(self.layer, "activation", None)
        self.g.assign(ops.ones_like(self.g))
        bias.assign(ops.zeros_like(bias))
        if activation is not None:
            self.layer.activation = keras.activations.linear
        try:
            t = self(x)
        finally:
            if activation is not None:
                self.layer.activation = activation
        axes = tuple(range(len(t.shape) - 1))
        mean = ops.mean(t, axis=axes)
        std = ops.sqrt(ops.var(t, axis=axes) + 1e-8)
        self.g.assign(ops.cast(1.0 / std, self.g.dtype))
        bias.assign(ops.cast(-mean / std, bias.dtype))
        return std

    def call(self, inputs):
        # Inside the scope, every read of the wrapped layer's kernel variable
        # gives the normalized kernel, so the gradient reaches both v and g.
        with keras.StatelessScope(state_mapping=[(self.v, self.normalized_kernel())]):
            return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(epsilon=self.epsilon)
        return config
