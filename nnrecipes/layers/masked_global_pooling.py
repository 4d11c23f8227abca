import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class MaskedGlobalPooling1D(keras.layers.Layer):
    """Mean or max over the real (unmasked) timesteps of a sequence.

    Keras's `GlobalAveragePooling1D` divides by the number of unmasked steps,
    which gives NaN for a sequence that is all padding (an empty text), and
    `GlobalMaxPooling1D` ignores the mask, so padding takes part in the max.
    This layer pools over the unmasked steps only and returns zeros for a
    sequence with none.

    Args:
        mode: `"mean"` or `"max"`. Defaults to `"mean"`.

    Call arguments:
        inputs: a tensor of shape `(batch, timesteps, features)`.
        mask: optional boolean tensor `(batch, timesteps)`, True for real steps.

    Returns:
        A tensor of shape `(batch, features)`.

    Example:
    ```python
    x = keras.random.normal((2, 4, 3))
    mask = keras.ops.convert_to_tensor([[True, True, False, False], [False] * 4])
    y = nnrecipes.layers.MaskedGlobalPooling1D("mean")(x, mask=mask)  # y[1] == 0
    ```

    Reference:
    - see `nnrecipes.layers.TransformerEncoder`, whose outputs it pools.
    """

    def __init__(self, mode="mean", **kwargs):
        super().__init__(**kwargs)
        if mode not in ("mean", "max"):
            raise ValueError(f"`mode` must be 'mean' or 'max'. Received: mode={mode!r}")
        self.mode = mode
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            pool = ops.mean if self.mode == "mean" else ops.max
            return pool(inputs, axis=1)
        weights = ops.cast(mask, inputs.dtype)[:, :, None]
        if self.mode == "mean":
            count = ops.sum(weights, axis=1)
            return ops.sum(inputs * weights, axis=1) / ops.maximum(count, 1.0)
        lowest = ops.full_like(inputs, float("-inf"))
        pooled = ops.max(ops.where(weights > 0, inputs, lowest), axis=1)
        has_any = ops.max(weights, axis=1) > 0
        return ops.where(has_any, pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(mode=self.mode)
        return config
