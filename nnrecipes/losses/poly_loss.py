import keras
from keras import ops

from nnrecipes.losses import _common


@keras.saving.register_keras_serializable(package="nnrecipes")
def poly1_crossentropy(y_true, y_pred, epsilon=1.0, from_logits=False, sparse=True):
    """Poly-1 loss: cross-entropy plus `epsilon * (1 - p_t)`.

    `p_t` is the probability the model gives the true class (for soft labels,
    `sum(y_true * p)`). The extra term perturbs the first polynomial
    coefficient of cross-entropy's Taylor expansion in `(1 - p_t)`; a positive
    `epsilon` pushes harder on confident mistakes.

    Args:
        y_true: integer labels `(batch,)` or `(batch, 1)` when `sparse`,
            else one-hot or soft labels `(batch, num_classes)`.
        y_pred: probabilities, or logits when `from_logits`,
            `(batch, num_classes)`.
        epsilon: weight of the `(1 - p_t)` term, >= -1 (the paper's
            condition for the loss to keep decreasing as `p_t` grows); may be
            negative. Defaults to `1.0`.
        from_logits: whether `y_pred` are logits. Defaults to `False`.
        sparse: whether `y_true` are integer labels. Defaults to `True`.

    Returns:
        The loss of each sample, shape `(batch,)`.

    Example:
    >>> nnrecipes.losses.poly1_crossentropy([1], [[0.2, 0.8]])  # -log 0.8 + 0.2

    Reference:
    - [Leng et al., 2022](https://arxiv.org/abs/2204.12511)
    """
    targets, probs, log_probs = _common.targets_and_log_probs(y_true, y_pred, sparse,
                                                              from_logits)
    crossentropy = -ops.sum(targets * log_probs, axis=-1)
    p_true = ops.sum(targets * probs, axis=-1)
    return crossentropy + ops.cast(epsilon, probs.dtype) * (1.0 - p_true)


@keras.saving.register_keras_serializable(package="nnrecipes")
class PolyLoss(keras.losses.Loss):
    """Poly-1 loss for classification; see `nnrecipes.losses.poly1_crossentropy`.

    Args:
        epsilon: weight of the `(1 - p_t)` term, >= -1. Defaults to `1.0`.
        from_logits: whether predictions are logits. Defaults to `False`.
        sparse: whether labels are integers (True) or one-hot/soft (False).
            Defaults to `True`.
        reduction: as for every Keras loss. Defaults to
            `"sum_over_batch_size"`.
        name: name of the loss. Defaults to `"poly_loss"`.

    Example:
    ```python
    model.compile(loss=nnrecipes.losses.PolyLoss(epsilon=1.0))
    ```

    Reference:
    - [Leng et al., 2022](https://arxiv.org/abs/2204.12511)
    """

    def __init__(self, epsilon=1.0, from_logits=False, sparse=True,
                 reduction="sum_over_batch_size", name="poly_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        _common.check_number("epsilon", epsilon, low=-1.0)
        self.epsilon = float(epsilon)
        self.from_logits = bool(from_logits)
        self.sparse = bool(sparse)

    def call(self, y_true, y_pred):
        return poly1_crossentropy(y_true, y_pred, epsilon=self.epsilon,
                                  from_logits=self.from_logits, sparse=self.sparse)

    def get_config(self):
        config = super().get_config()
        config.update(epsilon=self.epsilon, from_logits=self.from_logits, sparse=self.sparse)
        return config
