import keras


@keras.saving.register_keras_serializable(package="nnrecipes")
class ChannelHistory(keras.layers.Layer):
    """The last `steps` values of one channel of a window.

    A forecaster reads its target series' recent past with it: the last
    value (`steps=1`) for a forecast of the change, or the last `steps`
    values for a linear autoregressive path beside a network.

    Args:
        channel: which channel (last axis) to read.
        steps: how many of the latest time steps to keep. Defaults to `1`.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: a window `(batch, timesteps, channels)`, `timesteps >= steps`.

    Returns:
        `(batch, steps)`: `inputs[:, -steps:, channel]`, oldest first.

    Example:
    >>> window = np.arange(12.0).reshape(1, 4, 3)
    >>> nnrecipes.layers.ChannelHistory(channel=1, steps=2)(window)
    ... # [[7., 10.]]

    Reference:
    - [Lai et al., 2018](https://arxiv.org/abs/1703.07015), "Modeling Long- and
      Short-Term Temporal Patterns with Deep Neural Networks" (LSTNet's
      autoregressive highway reads the last values of the target series).
    """

    def __init__(self, channel, steps=1, **kwargs):
        super().__init__(**kwargs)
        for name, value, low in (("channel", channel, 0), ("steps", steps, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"`{name}` must be an integer >= {low}. "
                                 f"Received: {name}={value!r}")
        self.channel = channel
        self.steps = steps

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError("ChannelHistory takes a window (batch, timesteps, channels). "
                             f"Received: input_shape={tuple(input_shape)}")
        timesteps, channels = input_shape[1], input_shape[2]
        if channels is not None and self.channel >= channels:
            raise ValueError(f"`channel` must index one of the window's {channels} channels. "
                             f"Received: channel={self.channel}")
        if timesteps is not None and self.steps > timesteps:
            raise ValueError(f"`steps` must be at most the window's {timesteps} time steps. "
                             f"Received: steps={self.steps}")

    def call(self, inputs):
        return inputs[:, -self.steps:, self.channel]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.steps)

    def get_config(self):
        config = super().get_config()
        config.update(channel=self.channel, steps=self.steps)
        return config
