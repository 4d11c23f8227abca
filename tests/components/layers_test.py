"""Layers: NumPy references, gradients, training-only behaviour, and their
use inside the recipes."""

import numpy as np
import pytest

import keras

import nnrecipes
from nnrecipes import layers
from tests.components import helpers

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(11)


# WeightNormalization

def test_weight_normalization_starts_equal_to_the_wrapped_layer():
    x = RNG.normal(size=(4, 5)).astype("float32")
    dense = keras.layers.Dense(3)
    wrapped = layers.WeightNormalization(dense)
    y = to_np(wrapped(x))
    np.testing.assert_allclose(y, x @ to_np(dense.kernel) + to_np(dense.bias), rtol=1e-5,
                               atol=1e-6)


def test_weight_normalization_computes_g_v_over_norm_v():
    x = RNG.normal(size=(4, 5)).astype("float32")
    wrapped = layers.WeightNormalization(keras.layers.Dense(3, use_bias=False))
    wrapped.build(x.shape)
    v = RNG.normal(size=(5, 3)).astype("float32")
    g = np.array([0.5, 2.0, 3.0], dtype="float32")
    wrapped.v.assign(v)
    wrapped.g.assign(g)
    w = g * v / np.linalg.norm(v, axis=0)
    np.testing.assert_allclose(to_np(wrapped(x)), x @ w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_np(wrapped.normalized_kernel()), w, rtol=1e-6)
    # Scaling v leaves the output unchanged: only its direction counts.
    wrapped.v.assign(7.0 * v)
    np.testing.assert_allclose(to_np(wrapped(x)), x @ w, rtol=1e-5, atol=1e-6)


def test_weight_normalization_on_convolutions_normalizes_each_filter():
    x = RNG.normal(size=(2, 6, 3)).astype("float32")
    wrapped = layers.WeightNormalization(keras.layers.Conv1D(4, 3, use_bias=False))
    y = wrapped(x)
    assert y.shape == (2, 4, 4)
    wrapped.g.assign(np.ones(4, "float32"))
    kernel = to_np(wrapped.normalized_kernel())
    np.testing.assert_allclose(np.sqrt((kernel ** 2).sum(axis=(0, 1))), np.ones(4), rtol=1e-5)


def test_weight_normalization_gradients_reach_v_and_g():
    wrapped = layers.WeightNormalization(keras.layers.Dense(3, dtype="float64"),
                                         dtype="float64")
    x = RNG.normal(size=(2, 4))
    wrapped.build(x.shape)
    names = sorted(v.name for v in wrapped.trainable_variables)
    assert names == ["bias", "g", "kernel"]
    helpers.assert_gradients_match(wrapped, x)


def test_weight_normalization_rejects_layers_it_cannot_normalize():
    with pytest.raises(ValueError, match="Received: layer=Conv2DTranspose"):
        layers.WeightNormalization(keras.layers.Conv2DTranspose(2, 3))
    with pytest.raises(ValueError, match="no kernel"):
        layers.WeightNormalization(keras.layers.LayerNormalization())(np.zeros((2, 3)))


# DropPath

def test_drop_path_is_the_identity_at_inference():
    x = RNG.normal(size=(8, 5)).astype("float32")
    layer = layers.DropPath(0.5)
    np.testing.assert_array_equal(to_np(layer(x, training=False)), x)
    np.testing.assert_array_equal(to_np(layer(x)), x)
    assert layers.StochasticDepth is layers.DropPath


def test_drop_path_drops_whole_samples_in_training_and_keeps_the_mean():
    x = np.ones((4000, 3, 2), dtype="float32")
    y = to_np(layers.DropPath(0.25, seed=2)(x, training=True))
    per_sample = y.reshape(4000, -1)
    # Every sample is all zeros or all 1 / (1 - rate).
    assert np.all(np.isclose(per_sample, 0.0) | np.isclose(per_sample, 1 / 0.75))
    assert np.all(per_sample.min(axis=1) == per_sample.max(axis=1))
    assert abs((per_sample[:, 0] == 0).mean() - 0.25) < 0.03
    assert abs(y.mean() - 1.0) < 0.05


def test_drop_path_rejects_a_rate_of_one():
    with pytest.raises(ValueError, match="Received: rate=1.0"):
        layers.DropPath(1.0)


# Positional embeddings

def test_sinusoidal_embedding_matches_the_paper_formula():
    x = np.zeros((2, 7, 6), dtype="float32")
    y = to_np(layers.SinusoidalPositionalEmbedding()(x))
    pos = np.arange(7)[:, None]
    i = np.arange(6)[None, :]
    angle = pos / 10000 ** (2 * (i // 2) / 6)
    expected = np.where(i % 2 == 0, np.sin(angle), np.cos(angle))
    np.testing.assert_allclose(y[0], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y[1], expected, rtol=1e-5, atol=1e-6)


def test_sinusoidal_embedding_takes_any_length():
    inputs = keras.Input((None, 4))
    model = keras.Model(inputs, layers.SinusoidalPositionalEmbedding()(inputs))
    assert model(np.zeros((1, 3, 4))).shape == (1, 3, 4)
    assert model(np.zeros((1, 11, 4))).shape == (1, 11, 4)


@pytest.mark.parametrize("make", [
    lambda: layers.PositionalEmbedding(4, dtype="float64"),
    lambda: layers.SinusoidalPositionalEmbedding(dtype="float64"),
], ids=["learned", "sinusoidal"])
def test_positional_embedding_gradients(make):
    helpers.assert_gradients_match(make(), RNG.normal(size=(2, 4, 3)))


# Residual blocks

def test_residual_dense_block_matches_numpy():
    x = RNG.normal(size=(3, 4)).astype("float32")
    block = layers.ResidualDenseBlock(4, activation="relu")
    y = to_np(block(x))
    d1, d2 = block.branch[0], block.branch[-1]
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    hidden = relu(x @ to_np(d1.kernel) + to_np(d1.bias))
    expected = relu(x + hidden @ to_np(d2.kernel) + to_np(d2.bias))
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    assert block.shortcut is None


def test_residual_dense_block_projects_a_different_width():
    block = layers.ResidualDenseBlock(6, activation="snake")
    assert block(np.zeros((2, 3), "float32")).shape == (2, 6)
    assert block.shortcut is not None and block.shortcut.kernel.shape == (3, 6)


def test_residual_dense_block_gradients():
    block = layers.ResidualDenseBlock(3, activation="lisht", dtype="float64")
    helpers.assert_gradients_match(block, RNG.normal(size=(2, 3)))


def test_residual_conv_block_shapes_and_shortcut():
    same = layers.ResidualConvBlock(3, batch_norm=False)
    assert same(np.zeros((2, 5, 5, 3), "float32")).shape == (2, 5, 5, 3)
    assert same.shortcut is None
    wider = layers.ResidualConvBlock(8, rank=1, convs=3)
    assert wider(np.zeros((2, 7, 3), "float32")).shape == (2, 7, 8)
    assert wider.shortcut is not None
    assert sum(isinstance(layer, keras.layers.Conv1D) for layer in wider.branch) == 3


def test_residual_conv_block_gradients():
    block = layers.ResidualConvBlock(2, kernel_size=2, rank=1, batch_norm=False,
                                     activation="scaled_tanh", dtype="float64")
    helpers.assert_gradients_match(block, RNG.normal(size=(1, 4, 2)))


def test_residual_blocks_drop_path_acts_only_in_training():
    x = RNG.normal(size=(64, 4)).astype("float32")
    block = layers.ResidualDenseBlock(4, drop_path=0.5, activation="linear")
    inference = to_np(block(x, training=False))
    np.testing.assert_array_equal(inference, to_np(block(x, training=False)))
    training = to_np(block(x, training=True))
    # Dropped samples reduce to the shortcut: the input itself.
    dropped = np.all(np.isclose(training, x), axis=1)
    assert 10 < dropped.sum() < 54
    with pytest.raises(ValueError, match="Received: activation='nope'"):
        layers.ResidualConvBlock(4, activation="nope")


# Transformer encoder

@pytest.mark.parametrize("activation", ["snake", "maxout", "gelu"])
def test_transformer_encoder_takes_nnrecipes_and_keras_activations(activation):
    x = RNG.normal(size=(2, 5, 8)).astype("float32")
    encoder = layers.TransformerEncoder(2, 16, activation=activation)
    assert encoder(x).shape == x.shape
    custom = activation in nnrecipes.activations.CUSTOM_ACTIVATIONS
    assert (encoder.ff_activation is not None) == custom
    assert encoder.get_config()["activation"] == activation


def test_transformer_encoder_drop_path_acts_only_in_training():
    x = RNG.normal(size=(16, 4, 8)).astype("float32")
    encoder = layers.TransformerEncoder(2, 16, drop_path=0.5)
    np.testing.assert_allclose(to_np(encoder(x)), to_np(encoder(x, training=False)))
    assert not np.allclose(to_np(encoder(x, training=True)), to_np(encoder(x)))


def test_transformer_recipe_offers_sinusoidal_positions():
    model = nnrecipes.build("transformer", input_shape=(None, 3), num_classes=2,
                            positional="sinusoidal", activation="snake", drop_path=0.1,
                            num_blocks=1, embed_dim=8, ff_dim=16)
    assert isinstance(model.get_layer("positional_embedding"),
                      layers.SinusoidalPositionalEmbedding)
    assert model(np.zeros((2, 9, 3), "float32")).shape == (2, 2)


def test_cnn_recipe_drop_path_on_residual_branches():
    model = nnrecipes.build("cnn", input_shape=(8, 8, 1), num_classes=2, residual=True,
                            drop_path=0.2, conv_blocks=2, filters=8, compile=False)
    names = [layer.name for layer in model.layers]
    assert "block1_drop_path" in names and "block2_drop_path" in names
    plain = nnrecipes.build("cnn", input_shape=(8, 8, 1), num_classes=2, residual=True,
                            conv_blocks=2, filters=8, compile=False)
    assert not any("drop_path" in layer.name for layer in plain.layers)


def test_transformer_encoder_gradients():
    encoder = layers.TransformerEncoder(2, 4, activation="snake", dtype="float64")
    helpers.assert_gradients_match(encoder, RNG.normal(size=(1, 3, 4)), max_entries=3)


def test_drop_path_gradient_at_inference_and_in_training():
    helpers.assert_gradients_match(layers.DropPath(0.4, dtype="float64"),
                                   RNG.normal(size=(3, 2)))
    # In training the gradient is the mask itself: 0 or 1 / (1 - rate) per sample.
    import tensorflow as tf

    layer = layers.DropPath(0.4, seed=4)
    x = tf.constant(RNG.normal(size=(64, 2)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        total = tf.reduce_sum(y)
    grad = tape.gradient(total, x).numpy()
    np.testing.assert_allclose(grad, to_np(y) / to_np(x), rtol=1e-5)
    assert np.all(np.isclose(grad, 0.0) | np.isclose(grad, 1 / 0.6))
    assert np.isclose(grad, 0.0).any() and not np.isclose(grad, 0.0).all()


def test_drop_path_rate_rises_linearly_with_depth_in_recipes():
    cnn = nnrecipes.build("cnn", input_shape=(8, 8, 1), num_classes=2, residual=True,
                          drop_path=0.3, conv_blocks=3, filters=8, compile=False)
    rates = [cnn.get_layer(f"block{b}_drop_path").rate for b in (1, 2, 3)]
    np.testing.assert_allclose(rates, [0.1, 0.2, 0.3])
    transformer = nnrecipes.build("transformer", input_shape=(6, 3), num_classes=2,
                                  num_blocks=2, embed_dim=8, ff_dim=16, drop_path=0.2,
                                  compile=False)
    rates = [transformer.get_layer(f"encoder{i}").drop_path for i in (1, 2)]
    np.testing.assert_allclose(rates, [0.1, 0.2])


def test_weight_normalization_data_dependent_initialization():
    x = (4.0 * RNG.normal(size=(256, 5)) + 2.0).astype("float32")
    wrapped = layers.WeightNormalization(keras.layers.Dense(3, activation="relu"))
    wrapped.initialize_from_data(x)
    assert wrapped.layer.activation is keras.activations.relu
    pre_activation = x @ to_np(wrapped.normalized_kernel()) + to_np(wrapped.layer.bias)
    np.testing.assert_allclose(pre_activation.mean(axis=0), np.zeros(3), atol=1e-4)
    np.testing.assert_allclose(pre_activation.std(axis=0), np.ones(3), rtol=1e-3)
    no_bias = layers.WeightNormalization(keras.layers.Dense(3, use_bias=False))
    with pytest.raises(ValueError, match="use_bias=False"):
        no_bias.initialize_from_data(x)


# ReversibleInstanceNormalization and ChannelHistory

def test_revin_normalizes_each_window_and_channel_by_its_own_statistics():
    x = RNG.normal(size=(3, 6, 2)).astype("float32") * [1.0, 5.0] + [0.0, 100.0]
    layer = layers.ReversibleInstanceNormalization(affine=False, epsilon=1e-8)
    expected = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    np.testing.assert_allclose(to_np(layer(x)), expected, rtol=1e-4, atol=1e-4)


def test_revin_round_trip_gives_back_the_window_units():
    x = (RNG.normal(size=(4, 7, 3)) * [2.0, 0.5, 9.0] + [1.0, -3.0, 50.0]).astype("float32")
    layer = layers.ReversibleInstanceNormalization(channel=2)
    normalized = layer(x)
    layer.scale.assign([0.5, 2.0, 3.0])
    layer.offset.assign([0.1, -0.2, 0.7])
    normalized = to_np(layer(x))
    # Reversing channel 2's normalized values gives that channel's raw values.
    back = to_np(layer(normalized[:, :, 2], reference=x))
    np.testing.assert_allclose(back, x[:, :, 2], rtol=1e-4, atol=1e-3)
    # A forecast of 0 (the window's normalized mean, without affine) comes back
    # as the window's mean.
    plain = layers.ReversibleInstanceNormalization(channel=0, affine=False)
    plain(x)
    np.testing.assert_allclose(to_np(plain(np.zeros((4, 1), "float32"), reference=x))[:, 0],
                               x[:, :, 0].mean(axis=1), rtol=1e-5)


def test_revin_statistics_carry_no_gradient():
    import tensorflow as tf

    x = tf.constant(RNG.normal(size=(2, 5, 1)).astype("float32"))
    layer = layers.ReversibleInstanceNormalization(affine=False)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(tf.zeros((2, 1)), reference=x)
    # Only the statistics depend on x, and they are held constant.
    assert tape.gradient(y, x) is None or np.allclose(tape.gradient(y, x), 0.0)


def test_revin_rejects_bad_arguments():
    with pytest.raises(ValueError, match="channel=-1"):
        layers.ReversibleInstanceNormalization(channel=-1)
    with pytest.raises(ValueError, match="channel=3"):
        layers.ReversibleInstanceNormalization(channel=3)(np.zeros((1, 4, 2), "float32"))
    with pytest.raises(ValueError, match="epsilon=0"):
        layers.ReversibleInstanceNormalization(epsilon=0)


def test_channel_history_reads_the_latest_steps_of_one_channel():
    x = np.arange(24.0, dtype="float32").reshape(2, 4, 3)
    np.testing.assert_array_equal(to_np(layers.ChannelHistory(1, steps=2)(x)),
                                  x[:, -2:, 1])
    np.testing.assert_array_equal(to_np(layers.ChannelHistory(0)(x)), x[:, -1:, 0])
    with pytest.raises(ValueError, match="steps=5"):
        layers.ChannelHistory(0, steps=5)(x)
    with pytest.raises(ValueError, match="channel=True"):
        layers.ChannelHistory(True)


# PeriodicEmbedding
def test_periodic_embedding_matches_its_formula():
    layer = layers.PeriodicEmbedding(num_frequencies=3, embedding_dim=4, sigma=0.5)
    x = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    out = np.asarray(layer(x))
    assert out.shape == (5, 2, 4) and out.min() >= 0.0
    c, w, b = (np.asarray(v) for v in (layer.frequencies, layer.kernel, layer.bias))
    angles = 2 * np.pi * x[:, :, None] * c[None]
    periodic = np.concatenate([np.sin(angles), np.cos(angles)], axis=-1)
    expected = np.maximum(np.einsum("bfk,fkd->bfd", periodic, w) + b[None], 0)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    clone = layers.PeriodicEmbedding.from_config(layer.get_config())
    assert (clone.num_frequencies, clone.embedding_dim, clone.sigma) == (3, 4, 0.5)


def test_periodic_embedding_frequencies_start_at_sigma():
    layer = layers.PeriodicEmbedding(num_frequencies=64, sigma=2.0)
    layer.build((None, 50))
    assert abs(float(np.std(np.asarray(layer.frequencies))) - 2.0) < 0.1
    with pytest.raises(ValueError, match="Received: sigma=0"):
        layers.PeriodicEmbedding(sigma=0)
    with pytest.raises(ValueError, match="Received: embedding_dim=0"):
        layers.PeriodicEmbedding(embedding_dim=0)
    with pytest.raises(ValueError, match=r"\(batch, features\)"):
        layers.PeriodicEmbedding()(np.zeros((2, 3, 4), "float32"))
