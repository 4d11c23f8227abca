"""Preprocessing inside the model: adapted on training data, exported with it."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes import data
from nnrecipes.data.catalog import Splits

ROWS = np.array([
    ["39", "Private", "13"],
    ["50", "State-gov", "?"],
    ["28", "Private", "9"],
    ["61", "?", "10"],
], dtype=object)


def _encoder():
    encoder = data.TabularEncoder(3, categorical=[1], columns=["age", "work", "edu"])
    encoder.adapt(ROWS)
    return encoder


def test_tabular_encoder_matches_numpy():
    encoder = _encoder()
    out = np.asarray(encoder(tf.constant(ROWS.astype(str))))
    ages = np.array([39, 50, 28, 61.0])
    edu = np.array([13, 9, 10.0])  # '?' is missing: left out of the statistics
    np.testing.assert_allclose(out[:, 0], (ages - ages.mean()) / ages.std(), rtol=1e-5)
    np.testing.assert_allclose(out[[0, 2, 3], 1], (edu - edu.mean()) / edu.std(), rtol=1e-5)
    assert out[1, 1] == 0.0  # a missing number becomes the mean
    # Categories by frequency: OOV slot, then Private, then the others.
    assert encoder.vocabularies == [["Private", "?", "State-gov"]]
    np.testing.assert_array_equal(out[:, 2:], [[0, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0],
                                               [0, 0, 1, 0]])


def test_tabular_encoder_unseen_category_and_config_round_trip():
    encoder = _encoder()
    rows = tf.constant([["45", "Never-seen", "12"]])
    out = np.asarray(encoder(rows))
    np.testing.assert_array_equal(out[0, 2:], [1, 0, 0, 0])  # the out-of-vocabulary slot
    clone = data.TabularEncoder.from_config(encoder.get_config())
    np.testing.assert_allclose(np.asarray(clone(rows)), out)


def test_tabular_encoder_errors():
    with pytest.raises(ValueError, match="outside 0..2"):
        data.TabularEncoder(3, categorical=[5])
    with pytest.raises(ValueError, match="adapt"):
        data.TabularEncoder(3, categorical=[1])(tf.constant(ROWS.astype(str)))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        data.TabularEncoder(3).adapt(ROWS[:, :2])


def test_denormalization():
    layer = data.Denormalization(mean=[10.0], std=[2.0])
    np.testing.assert_allclose(np.asarray(layer(np.array([[1.5]], "float32"))), [[13.0]])
    clone = data.Denormalization.from_config(layer.get_config())
    assert clone.mean == [10.0] and clone.std == [2.0]
    with pytest.raises(ValueError, match="positive"):
        data.Denormalization(0.0, 0.0)


def test_text_vectorizer_length_from_training_quantile():
    texts = np.array(["one two three"] * 19 + ["a b c d e f g h i j"], dtype=object)
    assert data.text_vectorizer(texts).get_config()["output_sequence_length"] == 4
    assert data.text_vectorizer(texts, length_quantile=1.0).get_config()[
        "output_sequence_length"] == 10
    with pytest.raises(ValueError, match="non-empty 1-D"):
        data.text_vectorizer(np.array([], dtype=object))


def test_text_vectorizer_splits_by_character():
    texts = np.array(["abc", "abd", "ab"], dtype=object)
    layer = data.text_vectorizer(texts, split="character", length_quantile=1.0)
    assert layer.get_config()["output_sequence_length"] == 3
    vocabulary = layer.get_vocabulary()
    assert set(vocabulary[2:]) == {"a", "b", "c", "d"}
    ids = keras.ops.convert_to_numpy(layer(tf.constant(["dab", "a"])))
    expected = [[vocabulary.index(c) for c in "dab"], [vocabulary.index("a"), 0, 0]]
    np.testing.assert_array_equal(ids, expected)
    with pytest.raises(ValueError, match="Received: split='letters'"):
        data.text_vectorizer(texts, split="letters")


def test_text_vectorizer_ngrams_are_tokens_and_counted_in_the_length():
    texts = np.array(["one two three"] * 19 + ["a b c d e f g h i j"], dtype=object)
    layer = data.text_vectorizer(texts, ngrams=2)
    # Counted in tokens with n-grams: 5 for 3 words, 19 for 10 (unigrams alone: 4).
    assert layer.get_config()["output_sequence_length"] == 6
    vocabulary = layer.get_vocabulary()
    ids = keras.ops.convert_to_numpy(layer(tf.constant(["one two three"])))[0]
    assert [vocabulary[i] for i in ids] == ["one", "two", "three", "one two", "two three", ""]
    assert data.text_vectorizer(texts, ngrams=1).get_config()["ngrams"] is None
    with pytest.raises(ValueError, match="Received: ngrams=0"):
        data.text_vectorizer(texts, ngrams=0)


def test_text_vectorizer_for_words_or_characters():
    texts = np.array(["Hi, Bob!", "hi ann"], dtype=object)
    chars = data.text_vectorizer_for(texts, text_units="char", char_ngrams=2)
    config = chars.get_config()
    assert config["split"] == "character" and config["ngrams"] == 2
    assert {",", "!", "h i"} <= set(chars.get_vocabulary())  # punctuation kept
    assert config["output_sequence_length"] == 19  # 8 characters, 2 end marks + 9 bigrams
    words = data.text_vectorizer_for(texts, text_units="word", word_ngrams=2)
    assert words.get_config()["split"] == "whitespace"
    assert "hi bob" in words.get_vocabulary()  # punctuation stripped, lower-cased
    assert data.text_vectorizer_for(texts).get_config()["split"] == "character"  # 2 words


def _splits(kind, x, y, **extra):
    n = len(x)
    return Splits("toy", kind, x[: n // 2], y[: n // 2], x[n // 2:], y[n // 2:],
                  x[n // 2:], y[n // 2:], **extra)


def test_preprocessing_for_fits_on_training_data_only():
    x = np.concatenate([np.zeros((10, 2)), 100 + np.ones((10, 2))]).astype("float32")
    y = np.concatenate([np.zeros((10, 1)), 50 * np.ones((10, 1))]).astype("float32")
    kwargs = data.preprocessing_for(_splits("tabular", x, y, num_outputs=1))
    norm, scaler = kwargs["preprocessing"]
    np.testing.assert_allclose(np.asarray(norm.mean).ravel(), [0, 0])  # train half only
    assert scaler.method == "standard" and scaler.knots == [[0.0], [0.0]]
    denorm, = kwargs["postprocessing"]
    assert denorm.mean == [0.0] and denorm.std == [1.0]  # constant target: std kept at 1
    model = nnrecipes.build("mlp", num_outputs=1, **kwargs)
    assert model.input.dtype == "float32" and model.output.shape == (None, 1)


def test_text_model_takes_strings():
    texts = np.array(["good film", "bad film", "great fun", "awful mess"] * 5, dtype=object)
    labels = np.array([1, 0, 1, 0] * 5, dtype="int32")
    kwargs = data.preprocessing_for(_splits("text", texts, labels, num_classes=2))
    assert kwargs["raw_input_shape"] == () and kwargs["input_dtype"] == "string"
    model = nnrecipes.build("cnn", num_classes=2, conv_blocks=1, filters=8, **kwargs)
    assert model.input.shape == (None,)
    assert model.predict(tf.constant(["good fun"]), verbose=0).shape == (1, 2)


def test_tabular_model_serves_raw_rows(tmp_path):
    y = np.array([1, 0, 1, 0], dtype="int32")
    splits = Splits("toy", "tabular", ROWS, y, ROWS, y, ROWS, y, num_classes=2,
                    info={"categorical": [1], "columns": ["age", "work", "edu"]})
    kwargs = data.preprocessing_for(splits)
    model = nnrecipes.build("mlp", num_classes=2, units=8, **kwargs)
    model.fit(data.make_dataset(ROWS, y, batch_size=2), epochs=1, verbose=0)
    rows = tf.constant(ROWS.astype(str))
    expected = model.predict(rows, verbose=0)
    model.export(str(tmp_path / "sm"), format="tf_saved_model", verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "sm"))  # keep it: it owns the tables
    served = loaded.serve(rows)
    np.testing.assert_allclose(np.asarray(served), expected, rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(reloaded.predict(rows, verbose=0), expected, rtol=1e-5)


def test_raw_sentence_saved_model_in_fresh_process(tmp_path, data_dir):
    """A fresh Python process sends a raw sentence to the exported SMS model and
    gets the same spam probability as the Keras model in this process."""
    splits = data.load("sms_spam", data_dir=data_dir)
    kwargs = data.preprocessing_for(splits)
    model = nnrecipes.build("gru", num_classes=2, units=16, embedding_dim=16, **kwargs)
    train = data.make_dataset(splits.x_train[:1500], splits.y_train[:1500], batch_size=64,
                              shuffle=True)
    model.fit(train, epochs=1, verbose=0)
    sentences = ["WINNER!! You have won a FREE prize, call 09061701461 now to claim",
                 "Ok, see you at the station at six"]
    expected = model.predict(tf.constant(sentences), verbose=0)[:, 1]
    export = str(tmp_path / "sms_model")
    model.export(export, format="tf_saved_model", verbose=False)
    script = textwrap.dedent(f"""
        import json, sys
        import tensorflow as tf
        served = tf.saved_model.load({export!r})
        probs = served.serve(tf.constant({sentences!r}))
        print(json.dumps([float(p) for p in probs.numpy()[:, 1]]))
    """)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(served, expected, rtol=1e-5, atol=1e-6)
    assert expected[0] != expected[1]  # the model looks at the words


def test_keras_file_with_encoder_and_denormalization_reloads_in_fresh_process(tmp_path):
    y = np.array([[10.0], [20.0], [30.0], [40.0]], dtype="float32")
    splits = Splits("toy", "tabular", ROWS, y, ROWS, y, ROWS, y, num_outputs=1,
                    info={"categorical": [1]})
    model = nnrecipes.build("mlp", num_outputs=1, units=8, **data.preprocessing_for(splits))
    names = [layer.__class__.__name__ for layer in model.layers]
    assert "TabularEncoder" in names and "Denormalization" in names
    rows = ROWS.astype(str).tolist()
    expected = model.predict(tf.constant(rows), verbose=0)
    assert abs(float(expected.mean()) - 25.0) < 20  # outputs are in the target's units
    path = str(tmp_path / "model.keras")
    model.save(path)
    script = textwrap.dedent(f"""
        import json
        import keras, tensorflow as tf
        import nnrecipes  # registers the nnrecipes layers
        model = keras.saving.load_model({path!r})
        print(json.dumps(model.predict(tf.constant({rows!r}), verbose=0).ravel().tolist()))
    """)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    reloaded = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(reloaded, expected.ravel(), rtol=1e-5)


def test_image_model_takes_raw_pixels():
    splits = data.load("digits")  # pixels 0..16, as stored
    kwargs = data.preprocessing_for(splits)
    norm, = kwargs["preprocessing"]
    assert float(np.asarray(norm.mean).ravel()[0]) == pytest.approx(
        float(splits.x_train.mean()), rel=1e-4)
    model = nnrecipes.build("cnn", num_classes=10, conv_blocks=1, filters=8, **kwargs)
    assert model.input.shape == (None, 8, 8, 1)
    # The normalization is the model's first layer: raw pixels go straight in.
    assert model.layers[1] is norm


def _skewed(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([rng.lognormal(size=n), rng.exponential(size=n) * 1000,
                     rng.integers(0, 3, size=n).astype(float)], axis=1).astype("float32")


def test_numeric_scaler_quantile_maps_training_columns_to_a_normal():
    x = _skewed()
    scaler = data.NumericScaler(columns=[0, 1], method="quantile")
    scaler.adapt(x)
    out = np.asarray(scaler(x))
    for c in (0, 1):
        assert abs(out[:, c].mean()) < 0.05 and abs(out[:, c].std() - 1) < 0.05
        assert np.all(np.diff(out[np.argsort(x[:, c]), c]) >= -1e-6)  # order kept
        # Close to scikit-learn's transform of the same column.
        from sklearn.preprocessing import QuantileTransformer

        reference = QuantileTransformer(n_quantiles=256, output_distribution="normal")
        expected = reference.fit_transform(x[:, [c]].astype("float64")).ravel()
        # (Beyond +-2.5 the two part: the scaler interpolates between normal
        # quantiles, scikit-learn takes the normal quantile of an interpolation.)
        middle = np.abs(expected) < 2.5
        np.testing.assert_allclose(out[middle, c], expected[middle], atol=0.03)
    np.testing.assert_array_equal(out[:, 2], x[:, 2])  # not among `columns`
    far = np.asarray(scaler(np.array([[1e9, -1e9, 7.0]], "float32")))
    assert 3 < far[0, 0] < 4 and -4 < far[0, 1] < -3 and far[0, 2] == 7.0


def test_numeric_scaler_robust_and_standard():
    x = _skewed()
    robust = data.NumericScaler(method="robust")
    robust.adapt(x)
    out = np.asarray(robust(x))
    assert np.all(np.abs(out) < 3)  # the smooth clip
    assert abs(float(np.median(out[:, 0]))) < 1e-3
    q25, q75 = np.quantile(x[:, 0], [0.25, 0.75])
    small = np.abs(x[:, 0] - np.median(x[:, 0])) < 0.01
    np.testing.assert_allclose(out[small, 0], (x[small, 0] - np.median(x[:, 0])) / (q75 - q25),
                               atol=2e-3)
    same = data.NumericScaler(method="standard")
    same.adapt(x)
    np.testing.assert_array_equal(np.asarray(same(x)), x)


def test_numeric_scaler_config_round_trip_and_switch():
    x = _skewed()
    scaler = data.NumericScaler(columns=[1], method="standard", name="numeric_scaler")
    scaler.adapt(x)
    norm = keras.layers.Normalization()
    switched = data.with_numeric_scaling([norm, scaler], "quantile")
    assert switched[0] is norm and switched[1] is not scaler
    assert scaler.method == "standard" and switched[1].method == "quantile"  # a copy
    assert data.with_numeric_scaling([norm, scaler], "standard")[1] is scaler
    clone = data.NumericScaler.from_config(switched[1].get_config())
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(switched[1](x)))
    with pytest.raises(ValueError, match="Received: numeric_scaling='rank'"):
        data.with_numeric_scaling([scaler], "rank")
    with pytest.raises(ValueError, match="Received: method='minmax'"):
        data.NumericScaler(method="minmax")
    with pytest.raises(ValueError, match="adapt"):
        data.NumericScaler()(x)


def test_quantile_scaling_is_saved_with_the_model(tmp_path):
    """Raw rows give the same predictions from the reloaded and the exported
    model as from the model itself, with the scaling the recipe chose."""
    x, y = _skewed(), (np.arange(2000) % 2).astype("int32")
    splits = Splits("toy", "tabular", x, y, x[:50], y[:50], x[:50], y[:50], num_classes=2)
    model = nnrecipes.build("mlp", num_classes=2, units=8, numeric_scaling="quantile",
                            numeric_embedding="periodic", **data.preprocessing_for(splits))
    scaler = model.get_layer("numeric_scaler")
    assert scaler.method == "quantile"
    encoded = np.asarray(scaler(model.get_layer("normalize")(x)))
    assert abs(encoded[:, 0].std() - 1) < 0.05
    expected = model.predict(x[:20], verbose=0)
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    assert reloaded.get_layer("numeric_scaler").method == "quantile"
    np.testing.assert_allclose(reloaded.predict(x[:20], verbose=0), expected, rtol=1e-5)
    model.export(str(tmp_path / "sm"), format="tf_saved_model", verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "sm"))  # keep it: it owns the variables
    served = loaded.serve(tf.constant(x[:20]))
    np.testing.assert_allclose(np.asarray(served), expected, rtol=1e-5, atol=1e-6)


def _numpy_tf_idf(train_tokens, vocabulary, texts_tokens):
    """TF-IDF as `preprocessing_for(text_bag="tf_idf")` defines it, in NumPy:
    idf = log(1 + N / (1 + df)) per vocabulary n-gram (the out-of-vocabulary
    slot 0 gets the mean idf), weight = log(1 + count * idf), each row scaled
    to unit L2 norm."""
    index = {token: i for i, token in enumerate(vocabulary)}
    df = np.zeros(len(vocabulary))
    for tokens in train_tokens:
        for token in set(tokens):
            df[index[token]] += 1
    idf = np.log(1 + len(train_tokens) / (1 + df))
    idf[0] = idf[1:].mean()
    counts = np.zeros((len(texts_tokens), len(vocabulary)))
    for row, tokens in enumerate(texts_tokens):
        for token in tokens:
            counts[row, index.get(token, 0)] += 1
    weights = np.log1p(counts * idf)
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    return weights / np.maximum(norms, 1e-12)


def _word_ngrams(text, n):
    words = text.lower().split()
    return [" ".join(words[i:i + k]) for k in range(1, n + 1)
            for i in range(len(words) - k + 1)]


def _tf_idf_vectors(kwargs, texts):
    x = tf.constant(texts)
    for layer in kwargs["preprocessing"]:
        x = layer(x)
    return np.asarray(tf.sparse.to_dense(x) if isinstance(x, tf.SparseTensor) else x)


def test_tf_idf_vectors_match_a_numpy_formula_of_the_same_weighting():
    train = ["good good good film", "bad film", "great fun fun", "awful mess", "good fun"]
    labels = np.array([1, 0, 1, 0, 1] * 2, dtype="int32")
    held_out = ["zzz yyy"] * 5  # the second half: validation and test, never adapted on
    kwargs = data.preprocessing_for(_splits("text", np.array(train + held_out, dtype=object),
                                            labels, num_classes=2),
                                    text_bag="tf_idf", word_ngrams=2, text_units="word")
    vocabulary = kwargs["preprocessing"][0].get_vocabulary()
    texts = ["good good good film", "fun fun fun fun unseen", "nothing known", "bad film"]
    expected = _numpy_tf_idf([_word_ngrams(t, 2) for t in train], vocabulary,
                             [_word_ngrams(t, 2) for t in texts])
    got = _tf_idf_vectors(kwargs, texts)
    assert got.shape == (len(texts), kwargs["input_shape"][0]) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # Repeats are damped: a word said three times weighs less than 3x one said once.
    raw = np.array([[3.0, 0.0, 1.0]])
    np.testing.assert_allclose(np.asarray(data.TfIdfNormalization()(raw)),
                               np.log1p(raw) / np.linalg.norm(np.log1p(raw)), rtol=1e-6)


@pytest.mark.parametrize("units", ["char", "word"])
def test_the_tf_idf_vocabulary_pass_finds_what_adapt_finds(units, data_dir):
    texts = nnrecipes.data.load("sms_spam", data_dir=data_dir).x_train[:120]
    texts = np.concatenate([texts, np.array(["Ünïcode çafé", "", "tie tie", "a b a b"],
                                            dtype=object)])
    fast = data.text_vectorizer_for(texts, text_units=units, word_ngrams=2, char_ngrams=5,
                                    max_tokens=1500, text_bag="tf_idf")
    options = dict(split="character", standardize=data.lower_and_mark_ends, ngrams=5) \
        if units == "char" else dict(split="whitespace", ngrams=2)
    adapted = keras.layers.TextVectorization(max_tokens=1500, output_mode="tf_idf", **options)
    adapted.adapt(texts.astype(str))
    assert fast.get_vocabulary() == adapted.get_vocabulary()
    probe = tf.constant(["free entry now!! Ünï", "ok lar"])
    np.testing.assert_allclose(np.asarray(fast(probe)), np.asarray(adapted(probe)), rtol=1e-6)
