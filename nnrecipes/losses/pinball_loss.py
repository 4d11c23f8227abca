import keras
from keras import ops

from nnrecipes.losses import _common


def _check_quantiles(quantiles):
    values = list(quantiles) if isinstance(quantiles, (list, tuple)) else [quantiles]
    for q in values:
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0.0 < q < 1.0:
            raise ValueError(
                "Each quantile must be a number in (0, 1). "
                f"Received: quantiles={quantiles!r}"
            )
    return [float(q) for q in values]


@keras.saving.register_keras_serializable(package="nnrecipes")
def pinball_loss(y_true, y_pred, quantiles=0.5):
    """Pinball (quantile) loss, for one quantile or several at once.

    With error `e = y - y_hat`, the loss for quantile `q` is
    `max(q * e, (q - 1) * e)`: minimizing it makes `y_hat` the `q`-quantile
    of `y`. With one quantile, every output is that quantile of its target
    (like MAE, which is twice the loss at `q=0.5`). With `Q` quantiles, the
    last axis of `y_pred` has `Q` entries, one per quantile in order, and
    `y_true` (shape `(batch,)` or `(batch, 1)`) is compared with each.

    Args:
        y_true: targets, `(batch, outputs)`, or `(batch,)`/`(batch, 1)` with
            several quantiles.
        y_pred: predictions, `(batch, outputs)`, or `(batch, Q)` with
            several quantiles.
        quantiles: a number in (0, 1) or a list of them. Defaults to `0.5`
            (the median).

    Returns:
        The loss of each sample, averaged over the last axis: `(batch,)`.

    Example:
    >>> y_pred = [[1.0, 2.0, 3.0]]  # 10%, 50% and 90% quantiles
    >>> nnrecipes.losses.pinball_loss([2.5], y_pred, quantiles=[0.1, 0.5, 0.9])

    Reference:
    - [Koenker & Bassett, 1978](https://doi.org/10.2307/1913643)
    """
    q = _check_quantiles(quantiles)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if len(q) > 1:
        if y_pred.shape[-1] is not None and y_pred.shape[-1] != len(q):
            raise ValueError(
                f"With {len(q)} quantiles, the last axis of `y_pred` must have {len(q)} "
                f"entries. Received: y_pred.shape={tuple(y_pred.shape)}, quantiles={q}"
            )
        if len(y_true.shape) < len(y_pred.shape):
            y_true = ops.expand_dims(y_true, -1)
    elif len(y_true.shape) == len(y_pred.shape) - 1:
        y_true = ops.expand_dims(y_true, -1)
    error = y_true - y_pred
    levels = ops.convert_to_tensor(q, dtype=y_pred.dtype)
    return ops.mean(ops.maximum(levels * error, (levels - 1.0) * error), axis=-1)


@keras.saving.register_keras_serializable(package="nnrecipes")
class PinballLoss(keras.losses.Loss):
    """Pinball (quantile) loss; see `nnrecipes.losses.pinball_loss`.

    Args:
        quantiles: a number in (0, 1), or a list of them for a model with
            one output per quantile. Defaults to `0.5`.
        reduction: as for every Keras loss. Defaults to
            `"sum_over_batch_size"`.
        name: name of the loss. Defaults to `"pinball_loss"`.

    Example:
    ```python
    model = nnrecipes.build("lstm", input_shape=(24, 1), num_outputs=3, compile=False)
    model.compile("adam", loss=nnrecipes.losses.PinballLoss([0.1, 0.5, 0.9]))
    ```

    Reference:
    - [Koenker & Bassett, 1978](https://doi.org/10.2307/1913643)
    """

    def __init__(self, quantiles=0.5, reduction="sum_over_batch_size", name="pinball_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        values = _check_quantiles(quantiles)
        self.quantiles = values if isinstance(quantiles, (list, tuple)) else values[0]

    def call(self, y_true, y_pred):
        return pinball_loss(y_true, y_pred, quantiles=self.quantiles)

    def get_config(self):
        config = super().get_config()
        config.update(quantiles=self.quantiles)
        return config
