"""The LR range test: bounded, restores the model exactly, suggests by its rule."""

import keras
import numpy as np
import pytest

import nnrecipes
from nnrecipes.diagnostics import find_learning_rate
from nnrecipes.diagnostics.lr_finder import _suggest


@pytest.fixture(scope="module")
def digits():
    splits = nnrecipes.data.load("digits").as_kind("tabular")
    return splits.x_train, splits.y_train


def _state(model):
    return ([np.array(v.numpy()) for v in model.variables],
            [np.array(v.numpy()) for v in model.optimizer.variables])


def test_restores_weights_and_optimizer_exactly(digits, tmp_path):
    x, y = digits
    # BatchNormalization (moving statistics) and dropout (seed state) included.
    model = nnrecipes.build("mlp", input_shape=(64,), num_classes=10, units=32,
                            batch_norm=True, dropout=0.2)
    model.fit(x, y, epochs=1, verbose=0)  # the optimizer has state to keep
    weights, optimizer_state = _state(model)
    lr_before = float(model.optimizer.learning_rate.numpy())
    plot = str(tmp_path / "lr_find.png")
    result = find_learning_rate(model, x, y, num_steps=60, plot_path=plot)
    after_weights, after_optimizer = _state(model)
    assert len(after_weights) == len(weights)
    for before, after in zip(weights + optimizer_state, after_weights + after_optimizer):
        np.testing.assert_array_equal(before, after)
    assert float(model.optimizer.learning_rate.numpy()) == lr_before
    with open(plot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    # Bounded, and geometric from start_lr.
    assert 5 <= len(result.learning_rates) <= 60
    ratios = np.diff(np.log(result.learning_rates))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-6)
    assert result.learning_rates[0] == pytest.approx(1e-7)


def test_suggestion_follows_the_rule_and_trains_well(digits):
    x, y = digits
    x = x / 16.0
    model = nnrecipes.build("mlp", input_shape=(64,), num_classes=10, units=64, dropout=0.0)
    result = find_learning_rate(model, x, y, num_steps=100, batch_size=32)
    smoothed = np.asarray(result.smoothed_losses)
    best = int(np.nanargmin(smoothed))
    assert result.lr_at_min_loss == result.learning_rates[best]
    assert result.suggestion == pytest.approx(result.lr_at_min_loss / 10)
    if keras.backend.backend() == "tensorflow":
        # Adam blows up before lr=10. On TensorFlow, Keras's crossentropy after
        # a softmax works from its logits, so the loss grows without bound; on
        # JAX it clips the probabilities (the loss stops near -log(1e-7) = 16).
        assert result.stopped_early and len(result.losses) < 100
    assert 1e-4 < result.suggestion < 0.1
    assert result.learning_rates[10] <= result.lr_steepest <= result.lr_at_min_loss
    # The suggestion actually trains: loss falls well within 3 epochs.
    model.optimizer.learning_rate = result.suggestion
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0).history
    assert history["loss"][-1] < 0.6 * np.log(10)


def test_suggest_rule_on_a_known_curve():
    lrs = np.logspace(-5, 0, 11)
    smoothed = np.array([2.0, 2.0, 1.9, 1.6, 1.0, 0.5, 0.45, 0.4, 0.7, 2.0, 5.0])
    suggestion, at_min, steepest = _suggest(lrs, smoothed)
    assert at_min == lrs[7]
    assert suggestion == pytest.approx(lrs[7] / 10)
    assert steepest == lrs[4]  # the steepest fall: 1.6 -> 0.5 around it


def test_argument_errors(digits):
    x, y = digits
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="compiled model"):
        find_learning_rate(model, x, y)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="start_lr"):
        find_learning_rate(model, x, y, start_lr=1.0, end_lr=0.1)
    with pytest.raises(ValueError, match="num_steps"):
        find_learning_rate(model, x, y, num_steps=2)
    with pytest.raises(ValueError, match="targets"):
        find_learning_rate(model, x)


def test_cli_lr_find_prints_a_suggestion_and_saves_the_plot(tmp_path, capsys):
    from nnrecipes import cli

    plot = str(tmp_path / "lr.png")
    assert cli.main(["lr-find", "mlp", "--steps", "30", "--units", "16", "--plot", plot]) == 0
    out = capsys.readouterr().out
    assert "Suggested learning rate:" in out and "--learning-rate" in out
    suggested = float(out.split("Suggested learning rate: ")[1].split()[0])
    at_min = float(out.split("lowest smoothed loss, ")[1].split(",")[0])
    assert suggested == pytest.approx(at_min / 10, rel=0.01)
    assert 1e-7 <= at_min <= 10
    with open(plot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SystemExit, match="Unknown hyperparameter|error"):
        cli.main(["lr-find", "mlp", "--steps", "1"])


def test_mixed_precision_model_is_restored(digits):
    x, y = digits
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = nnrecipes.build("mlp", input_shape=(64,), num_classes=10, units=16)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    weights = [np.array(v.numpy()) for v in model.variables]
    result = find_learning_rate(model, x / 16.0, y, num_steps=20)
    assert np.isfinite(result.suggestion) and result.suggestion > 0
    for before, variable in zip(weights, model.variables):
        np.testing.assert_array_equal(before, variable.numpy())
