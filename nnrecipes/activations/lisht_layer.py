import keras

from nnrecipes.activations import _base
from nnrecipes.activations.functions import lisht


@keras.saving.register_keras_serializable(package="nnrecipes")
class LiSHT(_base.ElementwiseActivation):
    """Layer form of `nnrecipes.activations.lisht`: `x * tanh(x)`.

    Call arguments:
        inputs: a tensor of any shape.

    Returns:
        A tensor of the same shape as `inputs`.

    Example:
    ```python
    y = nnrecipes.activations.LiSHT()(keras.random.normal((4, 8)))
    ```

    Reference:
    - [Roy et al., 2019](https://arxiv.org/abs/1901.05894)
    """

    def call(self, inputs):
        return lisht(inputs)
