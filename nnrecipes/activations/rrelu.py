import keras
from keras import ops

from nnrecipes.activations import _base


@keras.saving.register_keras_serializable(package="nnrecipes")
class RReLU(_base.ElementwiseActivation):
    """Randomized leaky ReLU: a random negative slope in training.

    `f(x) = x` for `x >= 0` and `f(x) = s * x` for `x < 0`. In training
    (`training=True`) each element draws its own slope `s ~ U(lower, upper)`
    at every call; at inference `s` is the mean slope `(lower + upper) / 2`,
    so the layer is deterministic.

    Xu et al. write the negative part as `x / a` with `a ~ U(3, 8)`; this
    layer samples the slope itself, as PyTorch does, and its defaults
    `lower=1/8`, `upper=1/3` are the reciprocals of theirs.

    Args:
        lower: smallest slope, in `[0, upper]`. Defaults to `1/8`.
        upper: largest slope, in `[lower, 1]`. Defaults to `1/3`.
        seed: seed of the slope sampler. Defaults to `None`.

    Call arguments:
        inputs: a tensor of any shape.
        training: draws random slopes when True, uses the mean slope
            otherwise.

    Returns:
        A tensor of the same shape as `inputs`.

    Example:
    ```python
    layer = nnrecipes.activations.RReLU()
    x = keras.ops.array([[-1.0, 2.0]])
    layer(x, training=False)  # [[-0.2291..., 2.0]]
    ```

    Reference:
    - [Xu et al., 2015](https://arxiv.org/abs/1505.00853)
    """

    def __init__(self, lower=1.0 / 8.0, upper=1.0 / 3.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                      for v in (lower, upper))
        if not numbers or not 0.0 <= lower <= upper <= 1.0:
            raise ValueError(
                "`lower` and `upper` must satisfy 0 <= lower <= upper <= 1. "
                f"Received: lower={lower!r}, upper={upper!r}"
            )
        self.lower = float(lower)
        self.upper = float(upper)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if training:
            slope = keras.random.uniform(ops.shape(inputs), minval=self.lower,
                                         maxval=self.upper, dtype=inputs.dtype,
                                         seed=self.seed_generator)
        else:
            slope = ops.cast((self.lower + self.upper) / 2.0, inputs.dtype)
        return ops.where(inputs >= 0, inputs, slope * inputs)

    def get_config(self):
        config = super().get_config()
        config.update(lower=self.lower, upper=self.upper, seed=self.seed)
        return config
