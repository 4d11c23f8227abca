import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class Combined(keras.regularizers.Regularizer):
    """The sum of several weight regularizers, e.g. L2 and group lasso.

    Keras layers take one regularizer per weight; this one adds up the
    penalties of those it holds.

    Args:
        regularizers: a list of regularizers (objects, names or configs).

    Example:
    ```python
    both = nnrecipes.regularizers.Combined(
        [keras.regularizers.L2(1e-4), nnrecipes.regularizers.GroupLasso(1e-3)])
    layer = keras.layers.Dense(32, kernel_regularizer=both)
    ```

    Reference:
    - [Simon et al., 2013, "A sparse-group lasso"](
      https://doi.org/10.1080/10618600.2012.681250) (group lasso plus L1)
    """

    def __init__(self, regularizers):
        if not isinstance(regularizers, (list, tuple)) or not regularizers:
            raise ValueError(
                "`regularizers` must be a non-empty list of regularizers. "
                f"Received: regularizers={regularizers!r}"
            )
        self.regularizers = [keras.regularizers.get(r) for r in regularizers]
        if any(r is None for r in self.regularizers):
            raise ValueError(
                f"`regularizers` must not contain None. Received: regularizers={regularizers!r}"
            )

    def __call__(self, x):
        return ops.sum(ops.stack([ops.cast(r(x), "float32") for r in self.regularizers]))

    def get_config(self):
        return {"regularizers": [keras.regularizers.serialize(r) for r in self.regularizers]}
