import keras
from keras import ops

from nnrecipes.losses import _common


@keras.saving.register_keras_serializable(package="nnrecipes")
def sparse_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False):
    """Focal cross-entropy on integer labels: `-alpha_t (1 - p_t)**gamma log p_t`.

    The factor `(1 - p_t)**gamma` scales down the loss of examples the model
    already gets right, so training concentrates on hard ones. Keras's
    `CategoricalFocalCrossentropy` needs one-hot labels; this takes the integer
    labels the recipes use, and gives the same value.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: probabilities, or logits when `from_logits`,
            `(batch, num_classes)`.
        alpha: class weight: one number for every class, or a list of one per
            class (`alpha_t = alpha[y]`). Defaults to `0.25` (as Keras).
        gamma: focusing parameter, >= 0; `gamma=0` with `alpha=1` is plain
            cross-entropy. Defaults to `2.0`.
        from_logits: whether `y_pred` are logits. Defaults to `False`.

    Returns:
        The loss of each sample, shape `(batch,)`.

    Example:
    >>> nnrecipes.losses.sparse_focal_crossentropy([1], [[0.2, 0.8]])

    Reference:
    - [Lin et al., 2017](https://arxiv.org/abs/1708.02002)
    """
    targets, probs, log_probs = _common.targets_and_log_probs(y_true, y_pred, True,
                                                              from_logits)
    p_true = ops.sum(targets * probs, axis=-1)
    log_p_true = ops.sum(targets * log_probs, axis=-1)
    if isinstance(alpha, (list, tuple)):
        alpha_true = ops.sum(targets * ops.convert_to_tensor(alpha, dtype=probs.dtype), axis=-1)
    else:
        alpha_true = ops.cast(alpha, probs.dtype)
    return -alpha_true * ops.power(1.0 - p_true, gamma) * log_p_true


@keras.saving.register_keras_serializable(package="nnrecipes")
class SparseFocalCrossentropy(keras.losses.Loss):
    """Focal cross-entropy on integer labels; see
    `nnrecipes.losses.sparse_focal_crossentropy`.

    Args:
        alpha: one class weight, or a list of one per class. Defaults to
            `0.25`.
        gamma: focusing parameter, >= 0. Defaults to `2.0`.
        from_logits: whether predictions are logits. Defaults to `False`.
        reduction: as for every Keras loss. Defaults to
            `"sum_over_batch_size"`.
        name: name of the loss. Defaults to `"sparse_focal_crossentropy"`.

    Example:
    ```python
    model.compile(loss=nnrecipes.losses.SparseFocalCrossentropy(gamma=2.0))
    ```

    Reference:
    - [Lin et al., 2017](https://arxiv.org/abs/1708.02002)
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False,
                 reduction="sum_over_batch_size", name="sparse_focal_crossentropy",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if isinstance(alpha, (list, tuple)):
            for a in alpha:
                _common.check_number("alpha", a, low=0.0)
            alpha = [float(a) for a in alpha]
        else:
            _common.check_number("alpha", alpha, low=0.0)
            alpha = float(alpha)
        _common.check_number("gamma", gamma, low=0.0)
        self.alpha = alpha
        self.gamma = float(gamma)
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        return sparse_focal_crossentropy(y_true, y_pred, alpha=self.alpha, gamma=self.gamma,
                                         from_logits=self.from_logits)

    def get_config(self):
        config = super().get_config()
        config.update(alpha=self.alpha, gamma=self.gamma, from_logits=self.from_logits)
        return config
