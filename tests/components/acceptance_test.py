"""Acceptance: models that combine several components train, save, reload
and export; every public component is documented."""

import inspect

import numpy as np
import pytest

import keras

import nnrecipes
from tests.components import helpers

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(3)


def combined_model():
    A, L, R = nnrecipes.activations, nnrecipes.layers, nnrecipes.regularizers
    inputs = keras.Input((12,))
    x = L.WeightNormalization(keras.layers.Dense(16), name="wn_dense")(inputs)
    x = A.Snake(name="snake")(x)
    x = L.ResidualDenseBlock(16, activation="rrelu", drop_path=0.2, batch_norm=True,
                             kernel_regularizer=R.GroupLasso(1e-3), name="res")(x)
    x = keras.layers.Dense(8, activation="sigmoid", name="code",
                           activity_regularizer=R.KLSparsity(0.1, 1e-2))(x)
    x = A.Maxout(2, name="maxout")(keras.layers.Dense(8, name="pre_maxout")(x))
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(x)
    model = keras.Model(inputs, outputs)
    schedule = nnrecipes.schedules.LinearWarmup(
        nnrecipes.schedules.OneCycle(1e-2, 40), warmup_steps=4)
    model.compile(keras.optimizers.Adam(schedule), loss=nnrecipes.losses.PolyLoss(),
                  metrics=["accuracy"])
    return model


@pytest.mark.large
def test_combined_model_trains_saves_reloads_and_exports(tmp_path):
    x = RNG.normal(size=(64, 12)).astype("float32")
    y = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 1).astype("int32")
    model = combined_model()
    nnrecipes.initializers.lsuv_init(model, x)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    path = tmp_path / "combined.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(to_np(restored(x)), to_np(model(x)), rtol=1e-5, atol=1e-6)
    assert isinstance(restored.loss, nnrecipes.losses.PolyLoss)
    restored_schedule = keras.optimizers.schedules.deserialize(
        restored.optimizer.get_config()["learning_rate"])
    original_schedule = keras.optimizers.schedules.deserialize(
        model.optimizer.get_config()["learning_rate"])
    assert isinstance(restored_schedule, nnrecipes.schedules.LinearWarmup)
    for step in (0, 2, 10, 30):
        assert float(restored_schedule(step)) == pytest.approx(float(original_schedule(step)))
    assert float(restored.optimizer.learning_rate) == pytest.approx(
        float(model.optimizer.learning_rate))
    assert int(restored.optimizer.iterations) == int(model.optimizer.iterations)
    helpers.assert_saved_model_matches(model, x, tmp_path / "export")


@pytest.mark.large
def test_recipe_with_several_components_by_name(tmp_path):
    model = nnrecipes.build(
        "transformer", input_shape=(10, 3), num_classes=2, num_blocks=1, embed_dim=8,
        ff_dim=16, activation="snake", positional="sinusoidal", drop_path=0.1,
        loss="symmetric_crossentropy", lr_schedule="inverse_sqrt", decay_steps=20,
        warmup_steps=4)
    x = RNG.normal(size=(32, 10, 3)).astype("float32")
    y = (x[:, :, 0].mean(axis=1) > 0).astype("int32")
    nnrecipes.initializers.lsuv_init(model, x)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "recipe.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(to_np(restored(x)), to_np(model(x)), rtol=1e-5, atol=1e-6)
    assert isinstance(restored.loss, nnrecipes.losses.SymmetricCrossentropy)


PUBLIC = (
    [getattr(nnrecipes.activations, n) for n in ("lisht", "scaled_tanh", "snake",
                                                 "beta_swish")]
    + [keras.saving.get_custom_objects()[n] for n in helpers.registered_components()]
    + [nnrecipes.initializers.lsuv_init, nnrecipes.schedules.make_schedule]
)


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_public_components_have_docstring_example_and_reference(obj):
    doc = inspect.getdoc(obj) or ""
    assert "Example:" in doc, f"{obj.__name__} has no Example"
    if obj is not nnrecipes.schedules.make_schedule:
        assert "Reference:" in doc or "see `nnrecipes." in doc, (
            f"{obj.__name__} has no Reference")
