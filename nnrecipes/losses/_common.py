"""Shared pieces of the classification losses."""

import keras
from keras import ops


def check_number(name, value, low=None, low_inclusive=True):
    """Raises unless `value` is a number (>= or > `low`, when given)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"`{name}` must be a number. Received: {name}={value!r}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        bound = ">=" if low_inclusive else ">"
        raise ValueError(f"`{name}` must be {bound} {low}. Received: {name}={value!r}")


def targets_and_log_probs(y_true, y_pred, sparse, from_logits):
    """Returns `(targets, probabilities, log_probabilities)` over the classes.

    `targets` is one-hot for integer labels (`sparse=True`) and `y_true` as
    given otherwise; probabilities are clipped away from 0 and 1 unless they
    come from logits.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    num_classes = ops.shape(y_pred)[-1]
    if sparse:
        labels = ops.convert_to_tensor(y_true)
        if len(labels.shape) == len(y_pred.shape):
            labels = ops.squeeze(labels, axis=-1)
        targets = ops.one_hot(ops.cast(labels, "int32"), num_classes, dtype=y_pred.dtype)
    else:
        targets = ops.cast(y_true, y_pred.dtype)
    if from_logits:
        log_probs = ops.log_softmax(y_pred, axis=-1)
        probs = ops.exp(log_probs)
    else:
        eps = keras.config.epsilon()
        probs = ops.clip(y_pred, eps, 1.0 - eps)
        log_probs = ops.log(probs)
    return targets, probs, log_probs
