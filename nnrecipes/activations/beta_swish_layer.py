import keras

from nnrecipes.activations import _base
from nnrecipes.activations.functions import beta_swish


@keras.saving.register_keras_serializable(package="nnrecipes")
class BetaSwish(_base.ElementwiseActivation):
    """Swish with a trainable slope: `x * sigmoid(beta * x)`.

    `beta` is a weight, one per channel (last axis) by default. Training can
    move it between the linear `x / 2` (`beta=0`) and ReLU (large `beta`).

    Args:
        beta: initial value of `beta`. Defaults to `1.0` (SiLU).
        per_channel: one `beta` per channel (True) or one for the whole layer
            (False). Defaults to `True`.

    Call arguments:
        inputs: a tensor of any shape `(..., channels)`.

    Returns:
        A tensor of the same shape as `inputs`.

    Example:
    ```python
    x = keras.random.normal((4, 8))
    y = nnrecipes.activations.BetaSwish()(x)
    ```

    Reference:
    - [Ramachandran et al., 2017](https://arxiv.org/abs/1710.05941)
    """

    def __init__(self, beta=1.0, per_channel=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(beta, bool) or not isinstance(beta, (int, float)):
            raise ValueError(f"`beta` must be a number. Received: beta={beta!r}")
        self.beta = float(beta)
        self.per_channel = bool(per_channel)

    def build(self, input_shape):
        self.beta_weight = self.add_weight(
            name="beta",
            shape=_base.parameter_shape(input_shape, self.per_channel),
            initializer=keras.initializers.Constant(self.beta),
        )

    def call(self, inputs):
        return beta_swish(inputs, self.beta_weight)

    def get_config(self):
        config = super().get_config()
        config.update(beta=self.beta, per_channel=self.per_channel)
        return config
