import math

import keras
from keras import ops

from nnrecipes.losses import _common


@keras.saving.register_keras_serializable(package="nnrecipes")
def symmetric_crossentropy(y_true, y_pred, alpha=0.1, beta=1.0, log_zero=-4.0,
                           from_logits=False, sparse=True):
    """Symmetric cross-entropy: `alpha * CE + beta * RCE`, for noisy labels.

    `CE = -sum_k q_k log p_k` is the usual cross-entropy of the predictions
    `p` against the labels `q`; the reverse cross-entropy
    `RCE = -sum_k p_k log q_k` swaps them, with `log 0` taken as `log_zero`
    (the paper's `A`). For one-hot labels `RCE = -log_zero * (1 - p_t)`, a
    bounded term that is robust to wrong labels.

    Args:
        y_true: integer labels `(batch,)` or `(batch, 1)` when `sparse`,
            else one-hot or soft labels `(batch, num_classes)`.
        y_pred: probabilities, or logits when `from_logits`,
            `(batch, num_classes)`.
        alpha: weight of CE, >= 0. Defaults to `0.1` (the paper's CIFAR-10
            setting).
        beta: weight of RCE, >= 0. Defaults to `1.0`.
        log_zero: the value given to `log 0` in RCE, < 0. Defaults to `-4.0`.
        from_logits: whether `y_pred` are logits. Defaults to `False`.
        sparse: whether `y_true` are integer labels. Defaults to `True`.

    Returns:
        The loss of each sample, shape `(batch,)`.

    Example:
    >>> nnrecipes.losses.symmetric_crossentropy([1], [[0.2, 0.8]])

    Reference:
    - [Wang et al., 2019](https://arxiv.org/abs/1908.06112)
    """
    targets, probs, log_probs = _common.targets_and_log_probs(y_true, y_pred, sparse,
                                                              from_logits)
    crossentropy = -ops.sum(targets * log_probs, axis=-1)
    log_targets = ops.log(ops.maximum(targets, math.exp(log_zero)))
    reverse = -ops.sum(probs * log_targets, axis=-1)
    return ops.cast(alpha, probs.dtype) * crossentropy + ops.cast(beta, probs.dtype) * reverse


@keras.saving.register_keras_serializable(package="nnrecipes")
class SymmetricCrossentropy(keras.losses.Loss):
    """Symmetric cross-entropy for noisy labels; see
    `nnrecipes.losses.symmetric_crossentropy`.

    Args:
        alpha: weight of cross-entropy. Defaults to `0.1`.
        beta: weight of reverse cross-entropy. Defaults to `1.0`.
        log_zero: value of `log 0` in the reverse term. Defaults to `-4.0`.
        from_logits: whether predictions are logits. Defaults to `False`.
        sparse: whether labels are integers. Defaults to `True`.
        reduction: as for every Keras loss. Defaults to
            `"sum_over_batch_size"`.
        name: name of the loss. Defaults to `"symmetric_crossentropy"`.

    Example:
    ```python
    model.compile(loss=nnrecipes.losses.SymmetricCrossentropy(alpha=0.1, beta=1.0))
    ```

    Reference:
    - [Wang et al., 2019](https://arxiv.org/abs/1908.06112)
    """

    def __init__(self, alpha=0.1, beta=1.0, log_zero=-4.0, from_logits=False, sparse=True,
                 reduction="sum_over_batch_size", name="symmetric_crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _common.check_number("alpha", alpha, low=0.0)
        _common.check_number("beta", beta, low=0.0)
        _common.check_number("log_zero", log_zero)
        if log_zero >= 0:
            raise ValueError(f"`log_zero` must be negative. Received: log_zero={log_zero!r}")
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.log_zero = float(log_zero)
        self.from_logits = bool(from_logits)
        self.sparse = bool(sparse)

    def call(self, y_true, y_pred):
        return symmetric_crossentropy(y_true, y_pred, alpha=self.alpha, beta=self.beta,
                                      log_zero=self.log_zero, from_logits=self.from_logits,
                                      sparse=self.sparse)

    def get_config(self):
        config = super().get_config()
        config.update(alpha=self.alpha, beta=self.beta, log_zero=self.log_zero,
                      from_logits=self.from_logits, sparse=self.sparse)
        return config
