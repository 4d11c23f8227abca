import keras
from keras import ops

from nnrecipes.losses import _common


def _static_rank(x):
    """The rank of `x` when known before run time, else None (a traced
    TensorFlow function can lose it; JAX shapes always have one)."""
    try:
        return len(x.shape)
    except (TypeError, ValueError):
        return None


def _dense_statically(y_true, y_pred):
    """True (class probabilities), False (integer labels), or None when the
    ranks are unknown until run time."""
    if _static_rank(y_true) is None or _static_rank(y_pred) is None:
        return None
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    if len(true_shape) == len(pred_shape) - 1 or (
            len(true_shape) == len(pred_shape) and true_shape[-1] == 1):
        return False
    if len(true_shape) == len(pred_shape) and true_shape[-1] in (pred_shape[-1], None):
        return True
    raise ValueError(
        "Targets must be integer labels of shape (batch,) or (batch, 1), or class "
        "probabilities of the predictions' shape (batch, num_classes). Received: "
        f"y_true.shape={true_shape}, y_pred.shape={pred_shape}")


def class_targets(y_true, y_pred):
    """Returns the targets as class probabilities of `y_pred`'s shape and dtype.

    Integer labels `(batch,)` or `(batch, 1)` become one-hot rows; targets
    of shape `(batch, num_classes)` (one-hot, smoothed, or the soft labels of
    MixUp and CutMix) are kept. The static shapes decide; when a traced
    function has lost the rank, one label per example means integer labels.

    Example:
    >>> nnrecipes.losses.class_targets([2, 0], [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]])
    """
    y_true = ops.convert_to_tensor(y_true)
    y_pred = ops.convert_to_tensor(y_pred)
    num_classes = ops.shape(y_pred)[-1]

    def from_labels():
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        return ops.one_hot(labels, num_classes, dtype=y_pred.dtype)

    def as_given():
        return ops.cast(ops.reshape(y_true, ops.shape(y_pred)), y_pred.dtype)

    dense = _dense_statically(y_true, y_pred)
    if dense is None:
        one_per_example = ops.equal(ops.size(y_true), ops.shape(y_pred)[0])
        return ops.cond(one_per_example, from_labels, as_given)
    return as_given() if dense else from_labels()


@keras.saving.register_keras_serializable(package="nnrecipes")
def crossentropy(y_true, y_pred, label_smoothing=0.0, from_logits=False):
    """Cross-entropy for integer labels or class-probability targets alike.

    Integer labels `(batch,)`/`(batch, 1)` are made one-hot; targets of shape
    `(batch, num_classes)` (one-hot, or the soft labels of MixUp and CutMix)
    are taken as they are. Label smoothing then mixes the targets with the
    uniform distribution, as Keras's `CategoricalCrossentropy` does:
    `t = (1 - label_smoothing) * t + label_smoothing / num_classes`, and the
    loss is `-sum(t * log p)`. So one compiled loss serves the mixed training
    batches and the integer-labelled validation and test batches.

    Args:
        y_true: integer labels `(batch,)` or `(batch, 1)`, or class
            probabilities `(batch, num_classes)`.
        y_pred: probabilities, or logits when `from_logits`,
            `(batch, num_classes)`.
        label_smoothing: in `[0, 1]`; 0 leaves the targets as they are.
            Defaults to `0.0`.
        from_logits: whether `y_pred` are logits. Defaults to `False`.

    Returns:
        The loss of each sample, shape `(batch,)`.

    Example:
    >>> nnrecipes.losses.crossentropy([1], [[0.2, 0.8]], label_smoothing=0.1)
    >>> nnrecipes.losses.crossentropy([[0.3, 0.7]], [[0.2, 0.8]])  # soft target

    Reference:
    - [Szegedy et al., 2016](https://arxiv.org/abs/1512.00567) (label smoothing)
    """
    y_pred = ops.convert_to_tensor(y_pred)
    # Keras's own categorical cross-entropy: after a softmax layer it works
    # from the logits the layer kept, so a diverging model shows an infinite
    # or NaN loss (and stops) instead of one clipped at -log(epsilon).
    return keras.losses.categorical_crossentropy(
        class_targets(y_true, y_pred), y_pred, from_logits=from_logits,
        label_smoothing=label_smoothing)


@keras.saving.register_keras_serializable(package="nnrecipes")
class Crossentropy(keras.losses.Loss):
    """Cross-entropy for integer labels or soft targets.

    The formula and its reference: see `nnrecipes.losses.crossentropy`.

    The recipes' `loss="crossentropy"`: it takes MixUp/CutMix training
    batches (probability targets) and plain integer labels with one loss.

    Args:
        label_smoothing: in `[0, 1]`. Defaults to `0.0`.
        from_logits: whether predictions are logits. Defaults to `False`.
        reduction: as for every Keras loss. Defaults to
            `"sum_over_batch_size"`.
        name: name of the loss. Defaults to `"crossentropy"`.

    Example:
    ```python
    model.compile(loss=nnrecipes.losses.Crossentropy(label_smoothing=0.1))
    ```
    """

    def __init__(self, label_smoothing=0.0, from_logits=False,
                 reduction="sum_over_batch_size", name="crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _common.check_number("label_smoothing", label_smoothing, low=0.0)
        if label_smoothing > 1.0:
            raise ValueError("`label_smoothing` must be in [0, 1]. "
                             f"Received: label_smoothing={label_smoothing!r}")
        self.label_smoothing = float(label_smoothing)
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        return crossentropy(y_true, y_pred, label_smoothing=self.label_smoothing,
                            from_logits=self.from_logits)

    def get_config(self):
        config = super().get_config()
        config.update(label_smoothing=self.label_smoothing, from_logits=self.from_logits)
        return config
