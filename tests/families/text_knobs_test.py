"""The text knobs: declared by every recipe, passed by the engine to the
vectorizer that the data pipeline adapts, and felt by the model."""

import keras
import keras_tuner
import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes import data
from nnrecipes import engine
from nnrecipes.families import knobs
from nnrecipes.data.catalog import Splits

TEXTS = np.array(["a good film to see", "a bad film to miss", "good fun indeed for all",
                  "an awful mess of a plot", "really good acting all along",
                  "bad acting yet again"] * 4, dtype=object)
LABELS = np.array([1, 0, 1, 0, 1, 0] * 4, dtype="int32")


def _text_splits(texts=TEXTS, labels=LABELS):
    return Splits("toy", "text", texts, labels, texts, labels, texts, labels, num_classes=2)


def _vectorizer(model):
    return model.get_layer("text_vectorization")


@pytest.mark.parametrize("name", nnrecipes.list_recipes())
def test_every_recipe_declares_the_text_knobs(name):
    declared = nnrecipes.get_recipe(name).hyperparameters("classification")
    # `text_bag` and `tf_idf_units` are the MLP's only (the others read token ids).
    text = [n for n, k in knobs.KNOBS.items() if k.kinds == ("text",)]
    assert set(text) - {"text_bag", "tf_idf_units", "embedding_dim"} <= set(declared)
    assert ("text_bag" in declared) == ("tf_idf_units" in declared) == (name == "mlp")
    assert declared["text_units"]["values"] == list(data.TEXT_UNITS)
    # The MLP's TF-IDF bag reads character n-grams; the others pick by length.
    assert declared["text_units"]["default"] == ("char" if name == "mlp" else "auto")


def test_mlp_defaults_are_a_tf_idf_bag_of_character_n_grams():
    declared = nnrecipes.get_recipe("mlp").hyperparameters()
    assert declared["text_bag"]["default"] == "tf_idf"
    assert declared["text_bag"]["values"] == list(data.TEXT_BAGS)
    assert declared["text_units"]["default"] == "char"
    assert declared["char_ngrams"]["default"] == 5
    assert declared["word_ngrams"]["default"] == 2
    assert declared["max_tokens"]["default"] == 50000
    assert declared["embedding_dropout"]["default"] == 0.2
    # The sequence families read single words (or characters) by default.
    assert nnrecipes.get_recipe("gru").hyperparameters()["word_ngrams"]["default"] == 1
    model = engine.build_model(nnrecipes.get_recipe("mlp"), _text_splits(), {"units": 8})
    config = _vectorizer(model).get_config()
    assert (config["output_mode"], config["split"], config["ngrams"]) == (
        "tf_idf", "character", 5)


def test_engine_gives_the_vectorizer_the_recipes_word_ngrams():
    splits = _text_splits()
    words = {"units": 8, "text_bag": "embedding", "text_units": "word"}
    model = engine.build_model(nnrecipes.get_recipe("mlp"), splits, words)
    layer = _vectorizer(model)
    assert layer.get_config()["ngrams"] == 2
    vocabulary = layer.get_vocabulary()
    assert "good film" in vocabulary and "bad acting" in vocabulary
    ids = layer(tf.constant(["a good film to see"])).numpy()[0]
    assert vocabulary.index("good film") in ids
    # The embedding has a row for every n-gram of the vocabulary.
    assert model.get_layer("token_embedding").input_dim == len(vocabulary)
    unigrams = engine.build_model(nnrecipes.get_recipe("mlp"), splits,
                                  dict(words, word_ngrams=1))
    assert _vectorizer(unigrams).get_config()["ngrams"] is None
    assert "good film" not in _vectorizer(unigrams).get_vocabulary()


def test_engine_reads_characters_when_asked_or_for_short_strings():
    splits = _text_splits()
    chars = engine.build_model(nnrecipes.get_recipe("mlp"), splits,
                               {"units": 8, "text_units": "char", "char_ngrams": 3})
    config = _vectorizer(chars).get_config()
    assert config["split"] == "character" and config["ngrams"] == 3
    assert config["standardize"] is nnrecipes.data.lower_and_mark_ends
    # the n-grams see where a text starts and ends
    vocabulary = set(_vectorizer(chars).get_vocabulary())
    assert {"g", "g o", "g o o"} <= vocabulary
    first = str(_text_splits().x_train[0]).lower()
    assert f"  {first[0]}" in vocabulary and f"{first[-1]}  " in vocabulary
    # "auto": names and codes (a median of <= 3 words) are read by their characters.
    names = np.array(["acme.com", "Bob Smith", "x-42", "zed.org", "Ann Lee", "q-7"] * 4,
                     dtype=object)
    short = engine.build_model(nnrecipes.get_recipe("gru"), _text_splits(names), {"units": 8})
    assert _vectorizer(short).get_config()["split"] == "character"
    words = engine.build_model(nnrecipes.get_recipe("gru"), splits, {"units": 8})
    assert _vectorizer(words).get_config()["split"] == "whitespace"


def test_tuner_trials_build_the_vectorizer_from_their_own_values():
    hp = keras_tuner.HyperParameters()
    hp.Fixed("word_ngrams", 3)
    hp.Fixed("max_tokens", 30)
    hp.Fixed("text_units", "word")
    model = engine.build_model(nnrecipes.get_recipe("mlp"), _text_splits(), hp=hp)
    layer = _vectorizer(model)
    assert layer.get_config()["ngrams"] == 3
    assert layer.vocabulary_size() == 30


def test_text_units_rule_and_errors():
    rule = data.preprocessing.text_units_for
    assert rule(np.array(["acme-co.com", "x.org y", "Ann Lee Smith"], dtype=object)) == "char"
    assert rule(np.array(["this is a whole sentence"], dtype=object)) == "word"
    assert rule(np.array(["ab"], dtype=object), "word") == "word"
    with pytest.raises(ValueError, match="Received: text_units='letters'"):
        rule(TEXTS, "letters")
    with pytest.raises(ValueError, match="Hyperparameter 'text_units' must be one of"):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=2, text_units="letters")


def test_embedding_dropout_drops_whole_tokens_in_training_only():
    model = nnrecipes.build("mlp", input_shape=(50,), vocab_size=20, num_classes=2,
                            embedding_dropout=0.5)
    dropout = model.get_layer("token_dropout")
    assert dropout.rate == 0.5
    embeddings = model.get_layer("token_embedding")(np.arange(1, 51).reshape(1, 50) % 19 + 1)
    dropped = keras.ops.convert_to_numpy(dropout(embeddings, training=True))[0]
    zero_rows = np.all(dropped == 0, axis=-1)
    assert 5 < zero_rows.sum() < 45  # whole token vectors, about half of them
    kept = ~zero_rows
    np.testing.assert_allclose(dropped[kept],
                               2 * keras.ops.convert_to_numpy(embeddings)[0][kept], rtol=1e-6)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(dropout(embeddings)), embeddings)
    plain = nnrecipes.build("mlp", input_shape=(50,), vocab_size=20, num_classes=2,
                            embedding_dropout=0.0)
    assert "token_dropout" not in [layer.name for layer in plain.layers]


@pytest.mark.parametrize("name", ["cnn", "gru", "transformer"])
def test_sequence_families_take_embedding_dropout(name):
    small = {"cnn": {"conv_blocks": 1, "filters": 8}, "gru": {"units": 8},
             "transformer": {"num_blocks": 1, "embed_dim": 8, "num_heads": 2, "ff_dim": 8}}
    model = nnrecipes.build(name, input_shape=(6,), vocab_size=20, num_classes=2,
                            embedding_dropout=0.1, **small[name])
    assert model.get_layer("token_dropout").rate == 0.1


def test_tf_idf_bag_reaches_the_vectorizer_and_the_blocks():
    splits = _text_splits()
    model = engine.build_model(nnrecipes.get_recipe("mlp"), splits,
                               {"units": 8, "text_bag": "tf_idf", "text_units": "word"})
    layer = _vectorizer(model)
    assert layer.get_config()["output_mode"] == "tf_idf"
    assert layer.get_config()["ngrams"] == 2  # the mlp's word_ngrams still apply
    names = [layer.name for layer in model.layers]
    assert "token_embedding" not in names and "tf_idf_normalize" in names
    assert model.get_layer("tf_idf_dropout").rate == 0.2
    # The first dense block reads one weight per n-gram of the vocabulary.
    assert model.get_layer("block1_dense").kernel.shape[0] == layer.vocabulary_size()
    vectors = keras.Model(model.inputs, model.get_layer("tf_idf_normalize").output)(
        tf.constant(["a good film to see", "zzz"])).numpy()
    np.testing.assert_allclose(np.linalg.norm(vectors[0]), 1.0, rtol=1e-5)
    assert (vectors[0] > 0).sum() > 5  # words and bigrams of the text
    assert model.predict(tf.constant(["a good film to see"]), verbose=0).shape == (1, 2)
    # The default reads token ids and embeds them.
    ids = engine.build_model(nnrecipes.get_recipe("mlp"), splits,
                             {"units": 8, "text_bag": "embedding"})
    assert _vectorizer(ids).get_config()["output_mode"] == "int"
    assert "token_embedding" in [layer.name for layer in ids.layers]


def test_tf_idf_model_saves_and_serves_raw_strings(tmp_path):
    splits = _text_splits()
    model = engine.build_model(nnrecipes.get_recipe("mlp"), splits,
                               {"units": 8, "text_bag": "tf_idf"})
    texts = tf.constant(["a good film to see", "bad acting yet again"])
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(again.predict(texts, verbose=0), model.predict(texts, verbose=0),
                               rtol=1e-5)
    model.export(str(tmp_path / "saved"), verbose=False)
    served = tf.saved_model.load(str(tmp_path / "saved"))
    np.testing.assert_allclose(served.serve(texts).numpy(), model.predict(texts, verbose=0), rtol=1e-5)


def test_bad_text_bag_and_families_that_cannot_take_a_bag():
    with pytest.raises(ValueError, match="Received: text_bag='bow'"):
        data.text_vectorizer_for(TEXTS, text_bag="bow")
    with pytest.raises(ValueError, match=r"must be one of \['embedding', 'tf_idf'\]"):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=2, text_bag="bow")
    bag = data.preprocessing_for(_text_splits(), text_bag="tf_idf")
    assert bag["vocab_size"] is None and bag["input_shape"] == (
        bag["preprocessing"][0].vocabulary_size(),)
    with pytest.raises(ValueError, match="Recipe 'gru' cannot take bag input"):
        nnrecipes.build("gru", num_classes=2, **bag)


def test_auto_builds_the_mlp_for_a_tf_idf_bag():
    bag = data.preprocessing_for(_text_splits(), text_bag="tf_idf")
    assert nnrecipes.families.auto.choose("bag").recipe == \
        nnrecipes.families.auto.RULES["text"][0] == "mlp"
    model = nnrecipes.build("auto", num_classes=2, units=8, **bag)
    assert model.get_layer("block1_dense").kernel.shape[0] == bag["input_shape"][0]


def test_tf_idf_units_sets_the_width_of_the_blocks_on_a_tf_idf_vector():
    from nnrecipes.families.mlp import TF_IDF_UNITS

    recipe = nnrecipes.get_recipe("mlp")
    small = {"text_units": "word", "max_tokens": 100}
    assert TF_IDF_UNITS == 0  # the default: `units`
    model = engine.build_model(recipe, _text_splits(), dict(small, units=16, tf_idf_units=8))
    assert model.get_layer("block1_dense").units == 8
    assert model.get_layer("block2_dense").units == 8
    model = engine.build_model(recipe, _text_splits(), dict(small, units=16))
    assert model.get_layer("block1_dense").units == 16
    tokens = engine.build_model(recipe, _text_splits(), dict(small, units=16,
                                                             text_bag="embedding"))
    assert tokens.get_layer("block1_dense").units == 16  # token ids: `units` as before
