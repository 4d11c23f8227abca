import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class Maxout(keras.layers.Layer):
    """Maxout: the maximum over groups of `pieces` consecutive channels.

    Put after a linear layer of `units * pieces` outputs, it gives the maxout
    unit of Goodfellow et al.: each of the `units` outputs is the maximum of
    `pieces` learned linear functions. The channel axis shrinks by the factor
    `pieces` (channels `[0, pieces)` make output 0, and so on).

    Args:
        pieces: number of linear pieces per output, an integer >= 2 that
            divides the channel count. Defaults to `2`.
        axis: the channel axis. Defaults to `-1`.

    Call arguments:
        inputs: a tensor whose `axis` dimension is a multiple of `pieces`.

    Returns:
        The tensor with its `axis` dimension divided by `pieces`.

    Example:
    ```python
    x = keras.random.normal((4, 8))
    y = nnrecipes.activations.Maxout(pieces=2)(x)  # shape (4, 4)
    ```

    Reference:
    - [Goodfellow et al., 2013](https://arxiv.org/abs/1302.4389)
    """

    def __init__(self, pieces=2, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 2:
            raise ValueError(f"`pieces` must be an integer >= 2. Received: pieces={pieces!r}")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"`axis` must be an integer. Received: axis={axis!r}")
        self.pieces = pieces
        self.axis = axis

    def _check(self, input_shape):
        rank = len(input_shape)
        axis = self.axis % rank
        channels = input_shape[axis]
        if channels is None or channels % self.pieces:
            raise ValueError(
                f"Maxout needs a known channel count (axis {self.axis}) that `pieces` "
                f"divides. Received: input_shape={tuple(input_shape)!r}, "
                f"pieces={self.pieces}"
            )
        return axis, channels

    def build(self, input_shape):
        self._check(input_shape)

    def call(self, inputs):
        axis, channels = self._check(inputs.shape)
        shape = list(ops.shape(inputs))
        if axis > 0:
            shape[0] = -1  # the batch, unknown while tracing
        grouped = shape[:axis] + [channels // self.pieces, self.pieces] + shape[axis + 1:]
        return ops.max(ops.reshape(inputs, grouped), axis=axis + 1)

    def compute_output_shape(self, input_shape):
        axis, channels = self._check(input_shape)
        output_shape = list(input_shape)
        output_shape[axis] = channels // self.pieces
        return tuple(output_shape)

    def get_config(self):
        config = super().get_config()
        config.update(pieces=self.pieces, axis=self.axis)
        return config
