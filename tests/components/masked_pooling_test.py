"""MaskedGlobalPooling1D: pools only real steps; all-padding rows give zeros."""

import keras
import numpy as np
import pytest

import nnrecipes

X = np.array([[[1.0, -2.0], [3.0, 5.0], [100.0, 100.0]],
              [[7.0, 7.0], [7.0, 7.0], [7.0, 7.0]]], dtype="float32")
MASK = np.array([[True, True, False], [False, False, False]])


def test_mean_and_max_over_the_unmasked_steps_only():
    mean = nnrecipes.layers.MaskedGlobalPooling1D("mean")(X, mask=MASK)
    largest = nnrecipes.layers.MaskedGlobalPooling1D("max")(X, mask=MASK)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mean), [[2.0, 1.5], [0.0, 0.0]])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(largest), [[3.0, 5.0], [0.0, 0.0]])
    unmasked = nnrecipes.layers.MaskedGlobalPooling1D("mean")(X)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(unmasked), X.mean(axis=1),
                               rtol=1e-6)


def test_gradient_is_finite_for_an_all_padding_row():
    import tensorflow as tf

    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(nnrecipes.layers.MaskedGlobalPooling1D("max")(x, mask=MASK))
    grad = tape.gradient(total, x).numpy()
    assert np.isfinite(grad).all()
    np.testing.assert_array_equal(grad[1], 0.0)


def test_mode_is_checked():
    with pytest.raises(ValueError, match="Received: mode='median'"):
        nnrecipes.layers.MaskedGlobalPooling1D("median")


TOKEN_RECIPES = [n for n in nnrecipes.list_recipes()
                 if "tokens" in nnrecipes.get_recipe(n).input_kinds]


@pytest.mark.parametrize("name, overrides", [(n, {}) for n in TOKEN_RECIPES]
                         + [("transformer", {"pooling": "max"})])
def test_token_recipes_give_finite_outputs_for_an_empty_text(name, overrides):
    model = nnrecipes.build(name, input_shape=(6,), vocab_size=30, num_classes=2, **overrides)
    empty = np.zeros((2, 6), dtype="int32")
    out = model.predict(empty, verbose=0)
    assert np.isfinite(out).all(), out
    # Every layer on the way is finite too: on some CPU kernels ReLU turns a
    # NaN into 0, which would hide a 0/0 in the pooling from the output alone.
    layers = [layer for layer in model.layers[1:] if not layer.name.startswith("not_equal")]
    probe = keras.Model(model.inputs, [layer.output for layer in layers])
    for layer, value in zip(layers, probe.predict(empty, verbose=0)):
        assert np.isfinite(value).all(), f"{layer.name} gives {value}"
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(out[0], out[1], rtol=1e-6)


def test_bag_of_embeddings_averages_the_real_tokens_only():
    # Mean over the real tokens: a text and the same words twice give the same
    # bag, however much padding follows; an unmasked mean would not.
    model = nnrecipes.build("mlp", input_shape=(6,), vocab_size=30, num_classes=3)
    texts = np.array([[3, 4, 0, 0, 0, 0], [3, 4, 3, 4, 0, 0], [4, 3, 4, 3, 3, 4]], "int32")
    out = model.predict(texts, verbose=0)
    np.testing.assert_allclose(out[0], out[1], rtol=1e-5)
    np.testing.assert_allclose(out[0], out[2], rtol=1e-5)
