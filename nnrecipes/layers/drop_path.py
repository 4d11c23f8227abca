import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class DropPath(keras.layers.Layer):
    """Stochastic depth: drops a whole residual branch for some samples.

    Put it on the residual branch just before the addition,
    `x + DropPath(rate)(branch(x))`. In training (`training=True`) each
    sample's branch output is zeroed with probability `rate` and otherwise
    scaled by `1 / (1 - rate)`, so its expected value is unchanged; at
    inference the layer is the identity. For a sample whose branch is dropped
    the block reduces to its shortcut, so the network is trained as an
    ensemble of shallower networks. `StochasticDepth` is the same layer.

    Args:
        rate: probability of dropping the branch, in `[0, 1)`. Huang et al.
            call `1 - rate` the survival probability. Defaults to `0.1`.
        seed: seed of the random draws. Defaults to `None`.

    Call arguments:
        inputs: the residual branch's output, shape `(batch, ...)`.
        training: drops branches when True; identity otherwise.

    Returns:
        A tensor of the same shape as `inputs`.

    Example:
    ```python
    x = keras.Input((16,))
    branch = keras.layers.Dense(16, activation="relu")(x)
    y = keras.layers.Add()([x, nnrecipes.layers.DropPath(0.2)(branch)])
    ```

    Reference:
    - [Huang et al., 2016](https://arxiv.org/abs/1603.09382)
    """

    def __init__(self, rate=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) \
                or not 0.0 <= rate < 1.0:
            raise ValueError(f"`rate` must be a number in [0, 1). Received: rate={rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        keep = 1.0 - self.rate
        shape = (ops.shape(inputs)[0],) + (1,) * (len(inputs.shape) - 1)
        draw = keras.random.uniform(shape, dtype=inputs.dtype, seed=self.seed_generator)
        mask = ops.cast(draw < keep, inputs.dtype)
        return inputs * mask / keep

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config


StochasticDepth = DropPath
