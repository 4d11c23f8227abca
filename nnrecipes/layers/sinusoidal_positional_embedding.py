import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class SinusoidalPositionalEmbedding(keras.layers.Layer):
    """Adds the fixed sine/cosine encoding of each position to a sequence.

    For position `p` and feature pair `i` (features `2i` and `2i + 1`):
    `PE[p, 2i] = sin(p / w**(2i/d))` and `PE[p, 2i+1] = cos(p / w**(2i/d))`,
    with `d` the feature size and `w` = `max_wavelength`. Nothing is learned,
    and any sequence length works; an odd feature size is allowed (the last
    feature gets a sine).

    Args:
        max_wavelength: the base `w` of the wavelengths. Defaults to `10000`.

    Call arguments:
        inputs: a tensor of shape `(batch, timesteps, features)`.

    Returns:
        `inputs` plus the encoding of each position, same shape.

    Example:
    ```python
    x = keras.random.normal((2, 10, 16))
    y = nnrecipes.layers.SinusoidalPositionalEmbedding()(x)
    ```

    Reference:
    - [Vaswani et al., 2017, section 3.5](https://arxiv.org/abs/1706.03762)
    """

    def __init__(self, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        if isinstance(max_wavelength, bool) or not isinstance(max_wavelength, (int, float)) \
                or max_wavelength <= 1:
            raise ValueError(
                "`max_wavelength` must be a number > 1. "
                f"Received: max_wavelength={max_wavelength!r}"
            )
        self.max_wavelength = max_wavelength
        self.supports_masking = True

    def call(self, inputs):
        length = ops.shape(inputs)[-2]
        features = inputs.shape[-1]
        positions = ops.cast(ops.arange(length), "float32")[:, None]
        pair = ops.cast(ops.arange(features) // 2, "float32")
        inverse_wavelength = ops.power(float(self.max_wavelength), -2.0 * pair / features)
        angles = positions * inverse_wavelength[None, :]
        is_even = ops.arange(features) % 2 == 0
        encoding = ops.where(is_even[None, :], ops.sin(angles), ops.cos(angles))
        return inputs + ops.cast(encoding, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(max_wavelength=self.max_wavelength)
        return config
