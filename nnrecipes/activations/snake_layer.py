import keras

from nnrecipes.activations import _base
from nnrecipes.activations.functions import snake


@keras.saving.register_keras_serializable(package="nnrecipes")
class Snake(_base.ElementwiseActivation):
    """Snake activation with a trainable frequency: `x + sin(a x)**2 / a`.

    The frequency `a` is a weight, one per channel (last axis) by default,
    learned with the rest of the network.

    Args:
        frequency: initial value of `a`, a positive number. Defaults to `1.0`.
        per_channel: one frequency per channel (True) or one for the whole
            layer (False). Defaults to `True`.

    Call arguments:
        inputs: a tensor of any shape `(..., channels)`.

    Returns:
        A tensor of the same shape as `inputs`.

    Example:
    ```python
    x = keras.random.normal((4, 8))
    y = nnrecipes.activations.Snake(frequency=0.5)(x)
    ```

    Reference:
    - [Ziyin et al., 2020](https://arxiv.org/abs/2006.08195)
    """

    def __init__(self, frequency=1.0, per_channel=True, **kwargs):
        super().__init__(**kwargs)
        _base.check_positive("frequency", frequency)
        self.frequency = float(frequency)
        self.per_channel = bool(per_channel)

    def build(self, input_shape):
        self.alpha = self.add_weight(
            name="frequency",
            shape=_base.parameter_shape(input_shape, self.per_channel),
            initializer=keras.initializers.Constant(self.frequency),
        )

    def call(self, inputs):
        return snake(inputs, self.alpha)

    def get_config(self):
        config = super().get_config()
        config.update(frequency=self.frequency, per_channel=self.per_channel)
        return config
