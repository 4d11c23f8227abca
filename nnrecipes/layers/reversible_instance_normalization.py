import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class ReversibleInstanceNormalization(keras.layers.Layer):
    """Normalizes each window by its own statistics, and undoes it on a forecast.

    Called on a window `(batch, timesteps, channels)`, the layer subtracts
    each channel's mean over the window's steps and divides by its standard
    deviation, then (with `affine`) scales and shifts each channel by a
    learned weight and bias. Called again on a forecast with `reference=`
    the same window, it reverses those steps for channel `channel`: the
    forecast comes back in the units and at the level of that window. A
    network between the two calls then sees every window at one scale, so a
    test period whose level lies outside the training range looks familiar.

    The statistics are held constant for the gradient, as in the paper.

    Args:
        channel: the channel of the window that a reversed forecast belongs
            to (the target series). Defaults to `0`.
        affine: learn a per-channel scale and shift after normalizing.
            Defaults to `True`.
        epsilon: added to the variance. Defaults to `1e-5`.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: a window `(batch, timesteps, channels)`, or, with
            `reference`, a forecast `(batch, outputs)` in normalized units.
        reference: the window the forecast was made from. Defaults to
            `None` (normalize `inputs`).

    Returns:
        The normalized window, same shape; with `reference`, the forecast in
        the window's units, same shape as `inputs`.

    Example:
    >>> layer = nnrecipes.layers.ReversibleInstanceNormalization(channel=0)
    >>> window = np.array([[[10.0], [12.0], [14.0]]])
    >>> normalized = layer(window)
    >>> float(layer(normalized[:, -1, :], reference=window)[0, 0])  # doctest: +ELLIPSIS
    13.99...

    Reference:
    - [Kim et al., 2022](https://openreview.net/forum?id=cGDAkQo1C0p)
      (reversible instance normalization, RevIN)
    """

    def __init__(self, channel=0, affine=True, epsilon=1e-5, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if isinstance(channel, bool) or not isinstance(channel, int) or channel < 0:
            raise ValueError(
                f"`channel` must be a non-negative integer. Received: channel={channel!r}")
        if not epsilon > 0:
            raise ValueError(f"`epsilon` must be positive. Received: epsilon={epsilon!r}")
        self.channel = channel
        self.affine = bool(affine)
        self.epsilon = float(epsilon)

    def build(self, inputs_shape, reference_shape=None):
        # Built on the window: `inputs` normalized, or the `reference` of a reversal.
        input_shape = inputs_shape if reference_shape is None else reference_shape
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                "ReversibleInstanceNormalization is built on a window (batch, timesteps, "
                f"channels) with a known number of channels. Received: "
                f"input_shape={tuple(input_shape)}")
        channels = input_shape[-1]
        if self.channel >= channels:
            raise ValueError(
                f"`channel` must index one of the window's {channels} channels. "
                f"Received: channel={self.channel}")
        if self.affine:
            self.scale = self.add_weight(name="scale", shape=(channels,), initializer="ones")
            self.offset = self.add_weight(name="offset", shape=(channels,),
                                          initializer="zeros")

    def _statistics(self, window):
        mean = ops.stop_gradient(ops.mean(window, axis=1, keepdims=True))
        variance = ops.stop_gradient(ops.var(window, axis=1, keepdims=True))
        return mean, ops.sqrt(variance + self.epsilon)

    def call(self, inputs, reference=None):
        if reference is None:
            mean, std = self._statistics(inputs)
            x = (inputs - mean) / std
            if self.affine:
                x = x * self.scale + self.offset
            return x
        if len(reference.shape) != 3:
            raise ValueError(
                "`reference` must be the window (batch, timesteps, channels) that the "
                f"forecast was made from. Received: reference.shape={reference.shape}")
        mean, std = self._statistics(reference[:, :, self.channel:self.channel + 1])
        y = inputs
        if self.affine:
            y = (y - self.offset[self.channel]) / (self.scale[self.channel] + self.epsilon ** 2)
        return y * std[:, 0] + mean[:, 0]

    def compute_output_shape(self, inputs_shape, reference_shape=None):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update(channel=self.channel, affine=self.affine, epsilon=self.epsilon)
        return config
