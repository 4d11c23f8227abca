"""The forecasting means (RevIN, the forecast of the change, the linear
autoregressive path): declared once, applied only to forecasts, and each
doing what it says, so that none can be silently off."""

import numpy as np
import pytest

import keras

import nnrecipes
from nnrecipes.data import timeseries
from nnrecipes.families import common

MEANS = ("revin", "residual_forecast", "autoregressive")
OFF = {name: False for name in MEANS}
RNG = np.random.default_rng(3)


def _series_splits(length=300, window=8):
    """Windows of a random walk with a trend (the target, channel 1) and a
    noise channel, split in time."""
    level = np.cumsum(RNG.normal(0.5, 1.0, size=length)).astype("float32") + 20.0
    features = np.column_stack([RNG.normal(size=length), level]).astype("float32")
    return timeseries.chronological_splits("walk", features, level, window=window,
                                           target_feature=1)


SPLITS = _series_splits()


def _build(recipe="gru", **values):
    return nnrecipes.build(recipe, num_outputs=1, **nnrecipes.data.preprocessing_for(SPLITS),
                           **{**OFF, **values}, **SMALL[recipe])


SMALL = {"gru": {"units": 8}, "transformer": {"embed_dim": 8, "num_heads": 2, "ff_dim": 8}}


def _predict(model, x):
    return model.predict(x, verbose=0)[:, 0]


# The means' defaults chosen on validation RMSE (see nnrecipes.families.common).
CHOSEN = {"revin": False, "residual_forecast": False, "autoregressive": True}


def test_means_are_declared_once_for_regression_only():
    recipe = nnrecipes.get_recipe("gru")
    regression = recipe.hyperparameters("regression")
    for name in MEANS:
        assert regression[name]["default"] == CHOSEN[name]
    assert regression["autoregressive_steps"]["default"] == 0
    assert not set(MEANS) & set(recipe.hyperparameters("classification"))


def test_preprocessing_for_names_the_target_of_a_forecast():
    kwargs = nnrecipes.data.preprocessing_for(SPLITS)
    assert kwargs["target_feature"] == 1
    # The outputs come back in the target channel's units, as normalized at the input.
    denorm, = kwargs["postprocessing"]
    channel = SPLITS.x_train[:, :, 1]
    np.testing.assert_allclose(denorm.mean, [channel.mean()], rtol=1e-5)
    np.testing.assert_allclose(denorm.std, [channel.std()], rtol=1e-4)


def test_defaults_put_the_chosen_means_into_a_forecaster():
    model = nnrecipes.build("gru", num_outputs=1, units=8,
                            **nnrecipes.data.preprocessing_for(SPLITS))
    names = {layer.name for layer in model.layers}
    expected = {"revin": "revin", "residual_forecast": "residual_forecast",
                "autoregressive": "autoregressive"}
    for knob, layer in expected.items():
        assert (layer in names) == CHOSEN[knob], knob


def test_means_apply_only_to_forecasts():
    everything = {name: True for name in MEANS}
    x = RNG.normal(size=(40, 8, 2)).astype("float32")
    # A sequence regression whose target is not an input channel.
    other = nnrecipes.build("gru", input_shape=(8, 2), num_outputs=1, units=8, **everything)
    classifier = nnrecipes.build("gru", input_shape=(8, 2), num_classes=2, units=8)
    tabular = nnrecipes.build("mlp", input_shape=(5,), num_outputs=1, target_feature=0,
                              units=8, **everything)
    for model in (other, classifier, tabular):
        names = {layer.name for layer in model.layers}
        assert not names & {"revin", "residual_forecast", "autoregressive"}, model.name
    assert other.predict(x, verbose=0).shape == (40, 1)


def test_target_feature_must_index_an_input_feature():
    with pytest.raises(ValueError, match="target_feature=2"):
        nnrecipes.build("gru", input_shape=(8, 2), num_outputs=1, target_feature=2)


@pytest.mark.parametrize("revin", [False, True])
@pytest.mark.parametrize("recipe", ["gru", "transformer"])
def test_residual_forecast_starts_at_the_last_value(recipe, revin):
    x = SPLITS.x_test
    last = x[:, -1, 1]
    model = _build(recipe, residual_forecast=True, revin=revin)
    np.testing.assert_allclose(_predict(model, x), last, rtol=1e-5, atol=1e-3)
    # Without it, the untrained network's forecast is far from persistence.
    plain = _build(recipe, revin=revin)
    assert np.abs(_predict(plain, x) - last).max() > 0.1


def test_a_constant_series_is_forecast_exactly_at_init():
    windows = np.repeat(np.linspace(10.0, 40.0, 30, dtype="float32")[:, None, None], 8, axis=1)
    windows = np.concatenate([RNG.normal(size=windows.shape).astype("float32"), windows], -1)
    model = _build(residual_forecast=True, revin=True)
    np.testing.assert_allclose(_predict(model, windows), windows[:, -1, 1], rtol=1e-5,
                               atol=1e-3)


def test_revin_makes_the_forecast_follow_each_windows_level_and_scale():
    x = SPLITS.x_test[:16]
    moved = x * np.array([2.0, 3.0], "float32") + np.array([-1.0, 10.0], "float32")
    model = _build(revin=True)
    _perturb_head(model)
    # The target channel is scaled by 3 and shifted by 10: so is the forecast.
    np.testing.assert_allclose(_predict(model, moved), 3.0 * _predict(model, x) + 10.0,
                               rtol=1e-3, atol=1e-2)
    plain = _build()
    _perturb_head(plain)
    assert np.abs(_predict(plain, moved) - (3.0 * _predict(plain, x) + 10.0)).max() > 0.1


def _perturb_head(model):
    head = model.get_layer("head")
    head.set_weights([w + RNG.normal(size=w.shape).astype("float32") for w in
                      head.get_weights()])


def _zero_head(model):
    head = model.get_layer("head")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])


def test_autoregressive_path_alone_is_the_ridge_autoregression():
    model = _build(autoregressive=True)
    _zero_head(model)  # the network's part is zero: only the linear path is left
    common.fit_autoregressive_path(model, SPLITS.x_train, SPLITS.y_train, SPLITS.x_val,
                                   SPLITS.y_val)
    ridge = timeseries.ridge_autoregression(SPLITS)
    np.testing.assert_allclose(_predict(model, SPLITS.x_test), ridge["predict"]("test")[:, 0],
                               rtol=1e-4, atol=1e-2)


def test_autoregressive_steps_limits_the_path_to_the_latest_values():
    model = _build(autoregressive=True, autoregressive_steps=3)
    assert model.get_layer("autoregressive").get_weights()[0].shape == (3, 1)
    whole = _build(autoregressive=True, autoregressive_steps=500)  # at most the window
    assert whole.get_layer("autoregressive").get_weights()[0].shape == (8, 1)


def test_the_engine_starts_the_path_at_the_linear_fit():
    # An oscillating series, x[t] = 1.2 x[t-1] - 0.5 x[t-2] + noise: a linear
    # autoregression forecasts it far better than persistence.
    x = np.zeros(400)
    for t in range(2, 400):
        x[t] = 1.2 * x[t - 1] - 0.5 * x[t - 2] + RNG.normal()
    splits = timeseries.chronological_splits("ar2", (x + 30.0)[:, None].astype("float32"),
                                             (x + 30.0).astype("float32"), window=8)
    recipe = nnrecipes.get_recipe("gru")
    model = nnrecipes.engine.build_model(
        recipe, splits, {**OFF, "autoregressive": True, "residual_forecast": True, "units": 8})
    kernel = model.get_layer("autoregressive").get_weights()[0]
    assert np.abs(kernel).max() > 0.1
    # Untrained (the network's part is zero), it forecasts the validation
    # windows as well as the ridge autoregression does.
    ridge = timeseries.ridge_autoregression(splits)
    error = np.sqrt(np.mean((_predict(model, splits.x_val) - splits.y_val[:, 0]) ** 2))
    ridge_error = np.sqrt(np.mean((ridge["predict"]("val") - splits.y_val) ** 2))
    assert error < 1.02 * ridge_error
    assert error < 0.95 * timeseries.persistence_rmse(splits, "val")
    # Without the path, the engine builds the model without it.
    plain = nnrecipes.engine.build_model(recipe, splits, {**OFF, "units": 8})
    assert "autoregressive" not in {layer.name for layer in plain.layers}


def test_a_forecaster_with_every_mean_reloads(tmp_path):
    model = _build(**{name: True for name in MEANS})
    model.fit(SPLITS.x_train, SPLITS.y_train, epochs=1, verbose=0)
    path = str(tmp_path / "forecaster.keras")
    model.save(path)
    again = keras.models.load_model(path)
    expected = _predict(model, SPLITS.x_test)
    np.testing.assert_allclose(_predict(again, SPLITS.x_test), expected, rtol=1e-6)
    import tensorflow as tf

    model.export(str(tmp_path / "served"), format="tf_saved_model", verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "served"))
    served = loaded.serve(SPLITS.x_test)
    np.testing.assert_allclose(np.asarray(served)[:, 0], expected, rtol=1e-5, atol=1e-4)


def test_the_ridge_start_is_kept_when_training_only_makes_it_worse():
    # A pure AR(2) series: the ridge start is already the best forecast; with
    # a learning rate far too high, every epoch makes it worse, so the engine
    # keeps the start ("kept epoch 0 (the start)") and forecasts as it did.
    x = np.zeros(400)
    for t in range(2, 400):
        x[t] = 1.2 * x[t - 1] - 0.5 * x[t - 2] + RNG.normal()
    series = (x + 30.0).astype("float32")
    splits = timeseries.chronological_splits("ar2", series[:, None], series, window=8)
    recipe = nnrecipes.get_recipe("gru")
    values = {**OFF, "autoregressive": True, "units": 8, "learning_rate": 1.0,
              "optimizer": "sgd"}
    model = nnrecipes.engine.build_model(recipe, splits, values)
    assert common.has_ridge_start(model)
    before = _predict(model, splits.x_val)
    # The head starts at zero beside the path: the start is the ridge AR itself.
    ridge = timeseries.ridge_autoregression(splits)
    np.testing.assert_allclose(before, ridge["predict"]("val")[:, 0], rtol=1e-4, atol=1e-3)
    fitted = nnrecipes.engine.fit(model, splits, epochs=3, batch_size=64, patience=2)
    assert fitted.early_stopping["kept_epoch"] == 0
    assert fitted.early_stopping["start"] == pytest.approx(fitted.early_stopping["best"])
    np.testing.assert_allclose(_predict(model, splits.x_val), before, rtol=1e-5, atol=1e-4)
    from nnrecipes.export.manifest import kept_epoch_text

    assert kept_epoch_text(fitted.early_stopping) == "epoch 0 (the start)"
    # keep_start=False: the start is no candidate, a trained epoch is kept.
    model = nnrecipes.engine.build_model(recipe, splits, values)
    fitted = nnrecipes.engine.fit(model, splits, epochs=2, batch_size=64, keep_start=False)
    assert fitted.early_stopping["kept_epoch"] >= 1 and "start" not in fitted.early_stopping
    # Without the ridge path there is no meaningful start.
    assert not common.has_ridge_start(nnrecipes.engine.build_model(recipe, splits,
                                                                   {**OFF, "units": 8}))
