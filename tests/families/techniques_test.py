"""Training techniques as recipe knobs: each is declared for every recipe,
off by default, and does what it says when on."""

import numpy as np
import pytest

import keras
import tensorflow as tf

import nnrecipes
from nnrecipes.families import common

TECHNIQUES = {"weight_decay": 0.0, "ema": False, "ema_momentum": 0.999,
              "gradient_accumulation_steps": 1, "augment": "none", "random_erasing": 0.0}
CLASSIFICATION_ONLY = {"label_smoothing": 0.0, "mixup": 0.0, "cutmix": 0.0}


@pytest.mark.parametrize("name", nnrecipes.list_recipes())
def test_every_recipe_declares_the_techniques_off_by_default(name):
    recipe = nnrecipes.get_recipe(name)
    declared = recipe.hyperparameters("classification")
    for knob, default in {**TECHNIQUES, **CLASSIFICATION_ONLY}.items():
        assert declared[knob]["default"] == default, knob
    regression = recipe.hyperparameters("regression")
    assert set(TECHNIQUES) <= set(regression)
    assert not set(CLASSIFICATION_ONLY) & set(regression)


def test_default_optimizer_has_no_technique_switched_on():
    optimizer = nnrecipes.build("mlp", input_shape=(4,), num_classes=2).optimizer
    assert optimizer.weight_decay is None
    assert not optimizer.use_ema
    assert optimizer.gradient_accumulation_steps is None


def _zero_gradient_steps(model, steps):
    variables = model.trainable_variables
    for _ in range(steps):
        model.optimizer.apply_gradients(
            [(keras.ops.zeros_like(v), v) for v in variables])


def test_weight_decay_shrinks_kernels_but_not_biases_or_normalization():
    model = nnrecipes.build("mlp", input_shape=(4,), num_classes=3, num_layers=1, units=8,
                            batch_norm=True, optimizer="sgd", momentum=0.0,
                            learning_rate=0.1, weight_decay=0.5)
    for v in model.trainable_variables:
        if len(v.shape) == 1:
            v.assign(keras.ops.ones_like(v))  # biases start at 0: make a decay visible
    before = {v.path: keras.ops.convert_to_numpy(v) for v in model.trainable_variables}
    _zero_gradient_steps(model, 3)
    kernels = 0
    for v in model.trainable_variables:
        after = keras.ops.convert_to_numpy(v)
        if len(v.shape) >= 2:
            kernels += 1
            np.testing.assert_allclose(after, before[v.path] * (1 - 0.1 * 0.5) ** 3, rtol=1e-5)
        else:  # head bias, BatchNormalization gamma and beta
            np.testing.assert_array_equal(after, before[v.path], err_msg=v.path)
    assert kernels == 2


def test_a_reloaded_model_still_keeps_biases_and_normalization_out_of_weight_decay(tmp_path):
    # Keras saves neither the excluded variables nor a rule for them; the
    # package's loader puts them back, with the saved optimizer state.
    model = nnrecipes.build("mlp", input_shape=(4,), num_classes=3, num_layers=1, units=8,
                            batch_norm=True, optimizer="sgd", momentum=0.0,
                            learning_rate=0.1, weight_decay=0.5)
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, 32),
              batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    reloaded = nnrecipes.export.load_model(str(tmp_path / "model.keras"))
    assert int(reloaded.optimizer.iterations) == 4  # the saved state came along
    for v in reloaded.trainable_variables:
        if len(v.shape) == 1:
            v.assign(keras.ops.ones_like(v))
    before = {v.path: keras.ops.convert_to_numpy(v) for v in reloaded.trainable_variables}
    _zero_gradient_steps(reloaded, 2)
    for v in reloaded.trainable_variables:
        after = keras.ops.convert_to_numpy(v)
        if len(v.shape) >= 2:
            np.testing.assert_allclose(after, before[v.path] * (1 - 0.1 * 0.5) ** 2, rtol=1e-5)
        else:
            np.testing.assert_array_equal(after, before[v.path], err_msg=v.path)


def test_adam_with_weight_decay_decouples_it():
    optimizer = nnrecipes.build("mlp", input_shape=(4,), num_classes=2,
                                weight_decay=0.05).optimizer
    assert isinstance(optimizer, keras.optimizers.Adam) and optimizer.weight_decay == 0.05


def _twin(**techniques):
    keras.utils.set_random_seed(3)
    return nnrecipes.build("mlp", input_shape=(4,), num_classes=3, num_layers=1, units=8,
                           optimizer="sgd", learning_rate=0.1, **techniques)


def test_ema_leaves_the_averaged_weights_in_the_model_and_its_export(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)
    raw, averaged = _twin(), _twin(ema=True, ema_momentum=0.9)
    assert averaged.optimizer.use_ema and averaged.optimizer.ema_momentum == 0.9
    for model in (raw, averaged):
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    # The same steps, so the raw trajectories agree; after `fit` the EMA
    # model holds the average, which is what it evaluates and exports.
    differ = [not np.allclose(a, b) for a, b in zip(raw.get_weights(), averaged.get_weights())]
    assert all(differ)
    assert raw.evaluate(x, y, verbose=0) != averaged.evaluate(x, y, verbose=0)
    averaged.export(tmp_path / "export", verbose=False)
    exported = tf.saved_model.load(str(tmp_path / "export"))
    served = exported.serve(x).numpy()
    np.testing.assert_allclose(served, averaged.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert not np.allclose(served, raw.predict(x, verbose=0), atol=1e-4)


def test_gradient_accumulation_updates_every_k_batches():
    model = _twin(gradient_accumulation_steps=3)
    x = np.random.default_rng(1).normal(size=(16, 4)).astype("float32")
    y = np.arange(16) % 3
    start = model.get_weights()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # batches 1 and 2
    assert all(np.array_equal(a, b) for a, b in zip(start, model.get_weights()))
    model.fit(x[:8], y[:8], batch_size=8, epochs=1, verbose=0)  # batch 3: update
    assert not all(np.array_equal(a, b) for a, b in zip(start, model.get_weights()))
    with pytest.raises(ValueError, match="gradient_accumulation_steps=0"):
        common.make_optimizer({"optimizer": "adam", "learning_rate": 1e-3,
                               "global_clipnorm": 0.0, "gradient_accumulation_steps": 0})
