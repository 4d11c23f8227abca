import keras
from keras import ops

from nnrecipes.losses import class_targets


@keras.saving.register_keras_serializable(package="nnrecipes")
def accuracy(y_true, y_pred):
    """1.0 where the predicted class is the target class, else 0.0.

    The target class is the integer label, or the most probable class of a
    probability target `(batch, num_classes)` (for a MixUp or CutMix mixture,
    the class with the larger share). As a metric: see `nnrecipes.metrics.Accuracy`.

    Args:
        y_true: integer labels `(batch,)` or `(batch, 1)`, or class
            probabilities `(batch, num_classes)`.
        y_pred: scores or probabilities, `(batch, num_classes)`.

    Returns:
        Per-sample hits, shape `(batch,)`, float32.

    Example:
    >>> nnrecipes.metrics.accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]])  # [1., 0.]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.argmax(class_targets(y_true, y_pred), axis=-1)
    return ops.cast(ops.equal(labels, ops.argmax(y_pred, axis=-1)), "float32")


@keras.saving.register_keras_serializable(package="nnrecipes")
class Accuracy(keras.metrics.MeanMetricWrapper):
    """Mean classification accuracy over integer labels or soft targets.

    Per example: see `nnrecipes.metrics.accuracy`.

    It is what the recipes compile for classification under the name
    `"accuracy"`, so training on MixUp/CutMix batches and validating on
    integer labels report the same `accuracy` / `val_accuracy`.

    Args:
        name: name of the metric. Defaults to `"accuracy"`.
        dtype: dtype of the result. Defaults to `None`.

    Example:
    ```python
    model.compile(loss=nnrecipes.losses.Crossentropy(),
                  metrics=[nnrecipes.metrics.Accuracy()])
    ```
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
