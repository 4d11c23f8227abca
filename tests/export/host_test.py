"""Host-side preprocessing (`nnrecipes.export.host`): `encode` gives the numbers
the TextVectorization / TabularEncoder layer gives, `describe` refuses what it
cannot repeat, `load` reads what an export wrote."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes.export import host
from tests.export import helpers


@pytest.mark.parametrize("settings", [
    {"sequence_length": 6}, {"ngrams": 2}, {"ngrams": 3, "sequence_length": 9},
    {"split": "character", "standardize": "lower", "ngrams": 4},
    {"output_mode": "tf_idf", "ngrams": 2},
    {"output_mode": "tf_idf", "split": "character", "standardize": "lower", "ngrams": 3},
    {"output_mode": "tf_idf", "split": "character",
     "standardize": nnrecipes.data.lower_and_mark_ends, "ngrams": 3}])
def test_host_text_encoding_equals_text_vectorization(settings):
    texts = ["Hello, World!", "  many   spaces\there ", "UPPER lower MiXeD", "",
             "don't stop-believing...", "unknownword hello", "Émile ÉCOLE naïve",
             "a b c d e f g h i j k l", "hello\nworld"]
    layer = nnrecipes.data.text_vectorizer(np.array(texts[:7], dtype=object), **settings)
    spec, files = host.describe(layer)
    spec["vocabulary"] = files[host.VOCABULARY_FILE].split("\n")[:-1]
    expected = layer(tf.constant(texts)).numpy()
    encoded = host.encode(texts, spec)
    assert encoded.dtype == expected.dtype and encoded.shape == expected.shape
    np.testing.assert_allclose(encoded, expected, rtol=1e-6)
    if settings.get("output_mode") == "tf_idf":  # counts of known and unknown n-grams
        assert expected[texts.index("unknownword hello")].min() == 0 < expected.max()
        assert spec["oov_id"] == 0 and len(spec["idf_weights"]) == layer.vocabulary_size()


def test_host_table_encoding_equals_tabular_encoder():
    rows = np.array(helpers.ROWS, dtype=object)
    encoder = nnrecipes.data.TabularEncoder(4, categorical=[1, 3], columns=helpers.COLUMNS)
    encoder.adapt(rows)
    new = np.array([["40", "Never-seen", "x", "India"], [" 1e2 ", "Private", "", "Cuba"]],
                   dtype=object)
    spec, files = host.describe(encoder)
    assert files == {}
    for batch in (rows, new):
        np.testing.assert_allclose(host.encode(batch, spec),
                                   encoder(tf.constant(batch.astype(str))).numpy(), atol=1e-6)


def test_text_vectorization_it_cannot_repeat_is_refused():
    layer = keras.layers.TextVectorization(ngrams=(2, 3), output_sequence_length=4)
    layer.adapt(["a b c"])
    with pytest.raises(ValueError, match=r"ngrams.*Received: \{'ngrams': \(2, 3\)\}"):
        host.describe(layer)


def test_load_reads_the_spec_and_vocabulary_an_export_wrote(tmp_path):
    assert host.load(str(tmp_path)) is None  # a model that takes no strings
    layer = nnrecipes.data.text_vectorizer(np.array(["b a", "a c"], dtype=object),
                                           sequence_length=3)
    spec, files = host.describe(layer)
    (tmp_path / host.PREPROCESSING_FILE).write_text(json.dumps(spec))
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    loaded = host.load(str(tmp_path))
    assert loaded["vocabulary"] == layer.get_vocabulary()
    np.testing.assert_array_equal(host.encode(["a b zzz"], loaded),
                                  layer(tf.constant(["a b zzz"])).numpy())


def test_other_layers_and_misshapen_rows_are_refused():
    with pytest.raises(ValueError, match="Only TextVectorization and TabularEncoder.*"
                                         "Received: Dense"):
        host.describe(keras.layers.Dense(2))
    encoder = nnrecipes.data.TabularEncoder(4, categorical=[1, 3], columns=helpers.COLUMNS)
    encoder.adapt(np.array(helpers.ROWS, dtype=object))
    spec, _ = host.describe(encoder)
    with pytest.raises(ValueError, match=r"Expected rows of 4 cells. Received: shape=\(2, 3\)"):
        host.encode(np.array([["1", "a", "b"]] * 2, dtype=object), spec)
