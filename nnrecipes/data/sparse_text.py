"""TF-IDF text trained at the speed of sparse arithmetic: vectorize once.

A text model built with `text_bag="tf_idf"` takes raw strings: its first
layers are an adapted `TextVectorization(output_mode="tf_idf")` and a
`TfIdfNormalization`, and the rest (the network) takes one TF-IDF vector
over the vocabulary per text. Run inside the model at every step, that
vector is recomputed from the strings and is dense (50,000 values for a few
hundred non-zero n-grams). Here each split is instead vectorized once, by
the model's own two layers (so the numbers are the ones the model computes
on raw strings), and kept as a `tf.SparseTensor`; `sparse_network` is the
same network (the same layer objects, so the same weights) on a
`keras.Input(sparse=True)`, whose first `Dense` then multiplies only the
non-zeros. Training that network trains the string model; the string
model is what is evaluated, saved and exported.

The network takes numbers only, so any backend with sparse inputs
(TensorFlow, JAX) can train it while `tf.data` carries the vectors.
"""

import keras
import numpy as np
import tensorflow as tf

from nnrecipes.data.preprocessing import TfIdfNormalization

# Texts vectorized per call (each call makes a dense block of this many rows
# over the vocabulary before it is made sparse).
VECTORIZE_BATCH = 512


def tf_idf_parts(model):
    """The vectorizer, the normalization and the network layers of a TF-IDF text model.

    Args:
        model: a `keras.Model`.

    Returns:
        `(vectorizer, normalization, chain)` where `chain` is the list of
        layers after the normalization, each fed by the one before (the
        MLP's shape), or None when `model` is not `strings ->
        TextVectorization(output_mode="tf_idf") -> TfIdfNormalization ->`
        a chain of single-input layers.

    Example:
    >>> nnrecipes.data.sparse_text.tf_idf_parts(keras.Sequential([keras.layers.Dense(1)]))
    """
    if not isinstance(model, keras.Model) or len(getattr(model, "inputs", None) or []) != 1:
        return None
    if model.inputs[0].dtype != "string":
        return None
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if len(layers) < 3 or not isinstance(layers[0], keras.layers.TextVectorization) \
            or layers[0].get_config()["output_mode"] != "tf_idf" \
            or not isinstance(layers[1], TfIdfNormalization):
        return None
    previous = layers[1]
    for layer in layers[2:]:
        # `input` and `output` are those of a layer's first call: the model's own.
        if layer.input is not previous.output:
            return None
        previous = layer
    if len(model.outputs) != 1 or model.outputs[0] is not previous.output:
        return None
    return layers[0], layers[1], layers[2:]


def tf_idf_vectors(vectorizer, normalization, texts, batch_size=VECTORIZE_BATCH):
    """Normalized TF-IDF vectors of `texts`, computed once, as a sparse matrix.

    Args:
        vectorizer: an adapted `TextVectorization(output_mode="tf_idf")`.
        normalization: the `TfIdfNormalization` that follows it.
        texts: 1-D array of str.
        batch_size: texts per call of the layers. Defaults to `VECTORIZE_BATCH`.

    Returns:
        A float32 `tf.SparseTensor` of shape `(len(texts), vocabulary size)`,
        rows in the order of `texts`; equal to `normalization(vectorizer(texts))`.

    Example:
    ```python
    vectorizer, normalization, _ = nnrecipes.data.sparse_text.tf_idf_parts(model)
    x = nnrecipes.data.sparse_text.tf_idf_vectors(vectorizer, normalization, x_train)
    ```
    """
    texts = np.asarray(texts, dtype=object)
    if texts.ndim != 1:
        raise ValueError(f"`texts` must be a 1-D array of strings. Received: shape={texts.shape}")
    width = vectorizer.vocabulary_size()
    parts = []
    for start in range(0, len(texts), batch_size):
        dense = normalization(vectorizer(tf.constant(texts[start:start + batch_size].astype(str))))
        parts.append(tf.sparse.from_dense(tf.cast(dense, "float32")))
    if not parts:
        return tf.SparseTensor(tf.zeros((0, 2), "int64"), tf.zeros((0,), "float32"), (0, width))
    return tf.sparse.concat(0, parts) if len(parts) > 1 else parts[0]


class SparseDropout(keras.layers.Layer):
    """`Dropout` of a sparse input's stored values (a dense input: plain dropout).

    Dropping a zero changes nothing, so on a sparse TF-IDF vector this is
    `keras.layers.Dropout` at the cost of the non-zeros. It shares the seed
    generator of the `Dropout` it stands in for (`seed_generator`), so a
    checkpoint of the string model holds its random state.

    Args:
        rate: the share of values dropped in training, in [0, 1).
        seed_generator: a `keras.random.SeedGenerator`. Defaults to a new one.

    Example:
    >>> layer = nnrecipes.data.sparse_text.SparseDropout(0.5)
    >>> x = tf.SparseTensor([[0, 1]], [2.0], (1, 3))
    >>> layer(x, training=True)  # the value is dropped or doubled
    """

    def __init__(self, rate, seed_generator=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"`rate` must be in [0, 1). Received: rate={rate!r}")
        self.rate = rate
        self.seed_generator = seed_generator or keras.random.SeedGenerator()
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or not self.rate:
            return inputs
        if isinstance(inputs, tf.SparseTensor):
            values = keras.random.dropout(inputs.values, self.rate, seed=self.seed_generator)
            return tf.SparseTensor(inputs.indices, values, inputs.dense_shape)
        if hasattr(inputs, "data") and hasattr(inputs, "indices"):  # jax.experimental.sparse
            values = keras.random.dropout(inputs.data, self.rate, seed=self.seed_generator)
            return type(inputs)((values, inputs.indices), shape=inputs.shape)
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape


def sparse_network(model):
    """The network of a TF-IDF text model on a sparse input, sharing its layers.

    Args:
        model: a model for which `tf_idf_parts` is not None.

    Returns:
        An uncompiled `keras.Model` from a `keras.Input((vocabulary,),
        sparse=True)` through the same layer objects as `model`'s network (a
        `Dropout` on the input becomes a `SparseDropout` of the same rate and
        seed generator), so training it trains `model`.

    Example:
    ```python
    network = nnrecipes.data.sparse_text.sparse_network(model)
    network.compile(optimizer=model.optimizer, loss=model.loss)
    ```
    """
    parts = tf_idf_parts(model)
    if parts is None:
        raise ValueError("`model` must take strings through TextVectorization(output_mode="
                         "'tf_idf') and TfIdfNormalization, then a chain of layers. "
                         f"Received: model={getattr(model, 'name', model)!r}")
    vectorizer, _, chain = parts
    inputs = keras.Input((vectorizer.vocabulary_size(),), sparse=True, name="tf_idf")
    x = inputs
    for position, layer in enumerate(chain):
        if position == 0 and isinstance(layer, keras.layers.Dropout):
            layer = SparseDropout(layer.rate, seed_generator=layer.seed_generator,
                                  name=layer.name)
        x = layer(x)
    return keras.Model(inputs, x, name=f"{model.name}_sparse")
