"""`EnsembleMean`: the mean of an ensemble's members' outputs."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class EnsembleMean(keras.layers.Layer):
    """Averages the members of an ensemble: `(batch, k, ...)` -> `(batch, ...)`.

    Put after a per-member head (softmax probabilities or regression values),
    it gives the ensemble's prediction in the shape of a single model's, so
    losses, metrics, export and `predict` see an ordinary output.

    Args:
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: tensor `(batch, k, ...)`.

    Returns:
        tensor `(batch, ...)`: the mean over axis 1.

    Example:
    ```python
    x = keras.random.uniform((4, 32, 3))
    y = nnrecipes.layers.EnsembleMean()(x)  # (4, 3)
    ```

    Reference:
    - [Gorishniy et al., 2025, "TabM: Advancing Tabular Deep Learning with
      Parameter-Efficient Ensembling"](https://arxiv.org/abs/2410.24210): the
      members' predictions are averaged (probabilities for classification).
    """

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError("EnsembleMean takes inputs of shape (batch, k, ...). "
                             f"Received: input_shape={tuple(input_shape)}")

    def call(self, inputs):
        return ops.mean(inputs, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *input_shape[2:])
