"""TF-IDF vectors made once and kept sparse; the network on a sparse input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnrecipes import engine
from nnrecipes import get_recipe
from nnrecipes.data import sparse_text
from tests.data.preprocessing_test import _numpy_tf_idf
from tests.data.preprocessing_test import _splits
from tests.data.preprocessing_test import _word_ngrams

TRAIN = ["good good good film", "bad film", "great fun fun", "awful mess", "good fun",
         "bad bad mess", "fun film", "awful film"]
LABELS = np.array([1, 0, 1, 0, 1, 0, 1, 0] * 2, dtype="int32")
HELD_OUT = ["good zzz", "bad yyy", "fun film", "awful", "great", "mess", "film", "good bad"]
VALUES = {"text_bag": "tf_idf", "text_units": "word", "word_ngrams": 2, "units": 8,
          "num_layers": 1, "max_tokens": 100}


def _toy():
    return _splits("text", np.array(TRAIN + HELD_OUT, dtype=object), LABELS, num_classes=2)


@pytest.fixture(scope="module")
def model():
    return engine.build_model(get_recipe("mlp"), _toy(), VALUES)


def test_vectors_made_once_match_a_numpy_formula_and_the_model(model):
    vectorizer, normalization, chain = sparse_text.tf_idf_parts(model)
    assert isinstance(chain[0], keras.layers.Dropout)  # the n-gram dropout
    texts = ["good good good film", "fun fun fun fun unseen", "nothing known", "bad film"]
    got = sparse_text.tf_idf_vectors(vectorizer, normalization, np.array(texts, dtype=object),
                                     batch_size=3)  # two calls, concatenated
    assert isinstance(got, tf.SparseTensor) and tuple(got.shape) == (4, vectorizer
                                                                      .vocabulary_size())
    dense = np.asarray(tf.sparse.to_dense(got))
    expected = _numpy_tf_idf([_word_ngrams(t, 2) for t in TRAIN], vectorizer.get_vocabulary(),
                             [_word_ngrams(t, 2) for t in texts])
    np.testing.assert_allclose(dense, expected, rtol=1e-5, atol=1e-6)
    # Sparse: only the n-grams a text has are stored.
    assert got.values.shape[0] == np.count_nonzero(expected)


def test_sparse_network_shares_the_string_models_weights(model):
    vectorizer, normalization, _ = sparse_text.tf_idf_parts(model)
    network = sparse_text.sparse_network(model)
    assert network.inputs[0].sparse
    assert {id(v) for v in network.trainable_variables} == {
        id(v) for v in model.trainable_variables}
    x = sparse_text.tf_idf_vectors(vectorizer, normalization, np.array(HELD_OUT, dtype=object))
    np.testing.assert_allclose(np.asarray(network(x)),
                               model.predict(np.array(HELD_OUT, dtype=object), verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_tf_idf_parts_is_none_for_other_models():
    dense = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    assert sparse_text.tf_idf_parts(dense) is None
    tokens = engine.build_model(get_recipe("mlp"), _toy(), {"text_bag": "embedding",
                                                            "units": 8, "num_layers": 1})
    assert sparse_text.tf_idf_parts(tokens) is None
    with pytest.raises(ValueError, match="TfIdfNormalization"):
        sparse_text.sparse_network(tokens)


def test_sparse_dropout_drops_stored_values_only_in_training():
    layer = sparse_text.SparseDropout(0.5, seed_generator=keras.random.SeedGenerator(3))
    x = tf.SparseTensor([[i, i % 7] for i in range(400)], tf.ones(400), (400, 7))
    assert layer(x) is x
    out = layer(x, training=True)
    assert isinstance(out, tf.SparseTensor)
    values = np.asarray(out.values)
    assert set(np.unique(values)) <= {0.0, 2.0} and 0.35 < (values == 0).mean() < 0.65
    np.testing.assert_array_equal(np.asarray(out.indices), np.asarray(x.indices))
    with pytest.raises(ValueError, match="rate"):
        sparse_text.SparseDropout(1.0)
