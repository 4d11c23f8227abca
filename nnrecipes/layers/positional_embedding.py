import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class PositionalEmbedding(keras.layers.Layer):
    """Adds a learned embedding of each position to a sequence.

    The layer keeps one trainable vector per position, up to
    `sequence_length`, and adds it to its input, so that attention, which is
    blind to order, can tell positions apart.

    Args:
        sequence_length: the longest sequence the layer accepts.
        initializer: initializer of the position vectors. Defaults to
            `"glorot_uniform"`.

    Call arguments:
        inputs: a tensor of shape `(batch, timesteps, features)` with
            `timesteps <= sequence_length`.

    Returns:
        `inputs` plus the embedding of each position, same shape.

    Example:
    ```python
    x = keras.random.normal((2, 10, 16))
    y = nnrecipes.layers.PositionalEmbedding(sequence_length=10)(x)
    ```

    Reference:
    - [Devlin et al., 2019](https://arxiv.org/abs/1810.04805) (learned positions)
    """

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(sequence_length, int) or sequence_length < 1:
            raise ValueError(
                "`sequence_length` must be a positive integer. "
                f"Received: sequence_length={sequence_length!r}"
            )
        self.sequence_length = sequence_length
        self.initializer = keras.initializers.get(initializer)
        self.supports_masking = True

    def build(self, input_shape):
        self._check_length(input_shape[-2])
        self.position_embeddings = self.add_weight(
            name="position_embeddings",
            shape=(self.sequence_length, input_shape[-1]),
            initializer=self.initializer,
        )

    def call(self, inputs):
        length = ops.shape(inputs)[-2]
        self._check_length(length)
        positions = ops.cast(self.position_embeddings[:length], inputs.dtype)
        return inputs + positions

    def _check_length(self, length):
        # A length known while tracing or running eagerly; an unknown one is
        # checked by the addition itself.
        if isinstance(length, int) and length > self.sequence_length:
            raise ValueError(
                "PositionalEmbedding has positions for up to "
                f"sequence_length={self.sequence_length} steps. "
                f"Received: inputs with {length} steps")

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            sequence_length=self.sequence_length,
            initializer=keras.initializers.serialize(self.initializer),
        )
        return config
