import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
def sparse_categorical_hinge(y_true, y_pred):
    """Multi-class hinge loss on integer labels (Crammer and Singer).

    `loss = max(0, 1 + max_{j != y} s_j - s_y)` per sample, where `s` are the
    model's raw scores (no softmax) and `y` the integer label. Unlike Keras's
    `categorical_hinge`, it takes integer labels, and it is exact when every
    score is negative.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: scores, shape `(batch, num_classes)`.

    Returns:
        The loss of each sample, shape `(batch,)`.

    Example:
    >>> nnrecipes.losses.sparse_categorical_hinge([0], [[2.0, 0.5, -1.0]])

    Reference:
    - [Crammer & Singer, 2001](https://jmlr.org/papers/v2/crammer01a.html)
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    one_hot = ops.one_hot(y_true, ops.shape(y_pred)[-1], dtype=y_pred.dtype)
    true_score = ops.sum(one_hot * y_pred, axis=-1)
    others = ops.where(one_hot > 0, ops.full_like(y_pred, -1e9), y_pred)
    return ops.relu(1.0 + ops.max(others, axis=-1) - true_score)


@keras.saving.register_keras_serializable(package="nnrecipes")
class SparseCategoricalHinge(keras.losses.Loss):
    """Multi-class hinge loss on integer labels; see `sparse_categorical_hinge`.

    Args:
        reduction: as for every Keras loss. Defaults to
            `"sum_over_batch_size"`.
        name: name of the loss. Defaults to `"sparse_categorical_hinge"`.

    Example:
    ```python
    model.compile(loss=nnrecipes.losses.SparseCategoricalHinge())
    ```

    Reference:
    - [Crammer & Singer, 2001](https://jmlr.org/papers/v2/crammer01a.html)
    """

    def __init__(self, reduction="sum_over_batch_size", name="sparse_categorical_hinge",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return sparse_categorical_hinge(y_true, y_pred)
