import keras

from nnrecipes.activations import _base
from nnrecipes.activations.functions import scaled_tanh


@keras.saving.register_keras_serializable(package="nnrecipes")
class ScaledTanh(_base.ElementwiseActivation):
    """Layer form of `nnrecipes.activations.scaled_tanh`: `1.7159 tanh(2x/3)`.

    Call arguments:
        inputs: a tensor of any shape.

    Returns:
        A tensor of the same shape as `inputs`.

    Example:
    ```python
    y = nnrecipes.activations.ScaledTanh()(keras.random.normal((4, 8)))
    ```

    Reference:
    - [LeCun et al., 1998, "Efficient BackProp", section 4.4](
      http://yann.lecun.com/exdb/publis/pdf/lecun-98b.pdf)
    """

    def call(self, inputs):
        return scaled_tanh(inputs)
