"""Each diagnosis, provoked on purpose, is found; a healthy run raises no alarm."""

import json

import keras
import numpy as np
import pytest

import nnrecipes
from nnrecipes.diagnostics import THRESHOLDS
from nnrecipes.diagnostics import TrainingDiagnostics
from nnrecipes.diagnostics import diagnose


@pytest.fixture(scope="module")
def digits():
    splits = nnrecipes.data.load("digits").as_kind("tabular")
    return (splits.x_train / 16.0, splits.y_train, splits.x_val / 16.0, splits.y_val)


def _mlp(widths, activation="relu", initializer="glorot_uniform", bias="zeros",
         inputs=64, outputs=10):
    layers = [keras.Input((inputs,))]
    for i, width in enumerate(widths):
        layers.append(keras.layers.Dense(width, activation=activation, name=f"hidden{i + 1}",
                                         kernel_initializer=initializer,
                                         bias_initializer=bias))
    layers.append(keras.layers.Dense(outputs, activation="softmax", name="out"))
    return keras.Sequential(layers)


def _run(model, optimizer, x, y, x_val, y_val, epochs, batch_size=32):
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    diagnostics = TrainingDiagnostics(probe=x_val[:256])
    model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs, batch_size=batch_size,
              verbose=0, callbacks=[diagnostics])
    return diagnostics


# --- training runs that provoke each problem ---------------------------------
def test_healthy_run_raises_no_alarm(digits):
    x, y, x_val, y_val = digits
    diagnostics = _run(_mlp([64, 64]), keras.optimizers.Adam(1e-3), x, y, x_val, y_val, 10)
    report = diagnostics.report
    assert report.findings == [], report.text()
    assert report.healthy and "No problems found" in report.text()
    assert report.to_dict()["status"] == "healthy"


def test_healthy_recipe_run_raises_no_alarm(digits):
    x, y, x_val, y_val = digits
    model = nnrecipes.build("mlp", input_shape=(64,), num_classes=10)
    diagnostics = TrainingDiagnostics(probe=x_val[:256])
    model.fit(x, y, validation_data=(x_val, y_val), epochs=8, batch_size=32, verbose=0,
              callbacks=[diagnostics])
    assert diagnostics.report.findings == [], diagnostics.report.text()


def test_vanishing_gradients_deep_sigmoid_poor_init(digits):
    x, y, x_val, y_val = digits
    model = _mlp([32] * 8, activation="sigmoid",
                 initializer=keras.initializers.RandomNormal(stddev=0.05))
    report = _run(model, keras.optimizers.SGD(0.1), x, y, x_val, y_val, 3).report
    finding = next(f for f in report.findings if f.code == "vanishing_gradients")
    assert finding.evidence["layer"] == "hidden1"  # the layer furthest from the loss
    assert finding.evidence["value"] < THRESHOLDS["vanishing_ratio"]
    assert "ReLU" in finding.remedy


def test_exploding_gradients_and_divergence_large_lr(digits):
    x, y, x_val, y_val = digits
    # Raw pixels (0..16) and plain SGD at lr=5 with no clipping.
    report = _run(_mlp([64, 64]), keras.optimizers.SGD(5.0), x * 16, y, x_val * 16, y_val,
                  3).report
    assert "exploding_gradients" in report.codes
    assert "divergence" in report.codes
    assert report.findings[0].severity == "critical"
    exploding = next(f for f in report.findings if f.code == "exploding_gradients")
    assert exploding.evidence["epoch"] == 1
    assert exploding.evidence["value"] > (THRESHOLDS["exploding_growth"]
                                          * exploding.evidence["first_step_value"])
    assert "global_clipnorm" in exploding.remedy


def test_dead_units_large_negative_bias(digits):
    x, y, x_val, y_val = digits
    model = _mlp([64, 64], bias=keras.initializers.Constant(-10.0))
    report = _run(model, keras.optimizers.Adam(1e-3), x, y, x_val, y_val, 2).report
    finding = next(f for f in report.findings if f.code == "dead_units")
    assert finding.evidence["value"] == 1.0
    assert set(finding.evidence["layers"]) == {"hidden1", "hidden2"}
    assert "he_normal" in finding.remedy and "leaky" in finding.remedy


def test_overfitting_big_model_little_data(digits):
    x, y, x_val, y_val = digits
    report = _run(_mlp([512, 512]), keras.optimizers.Adam(1e-3), x[:60], y[:60], x_val,
                  y_val, 15, batch_size=16).report
    finding = next(f for f in report.findings if f.code == "overfitting")
    assert "dropout" in finding.remedy and "early stopping" in finding.remedy
    assert "underfitting" not in report.codes


def test_underfitting_tiny_model_hard_task():
    # A checkerboard of 4x4 squares: no linear model can do better than chance.
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, (2000, 2)).astype("float32")
    labels = ((np.floor(points[:, 0] * 2) + np.floor(points[:, 1] * 2)) % 2).astype("int32")
    model = _mlp([], inputs=2, outputs=2)  # logistic regression
    report = _run(model, keras.optimizers.Adam(1e-2), points[:1600], labels[:1600],
                  points[1600:], labels[1600:], 5).report
    finding = next(f for f in report.findings if f.code == "underfitting")
    assert finding.evidence["ratio"] > THRESHOLDS["underfit_loss_ratio"]
    assert "overfitting" not in report.codes


def test_saturated_units_tanh_large_weights(digits):
    x, y, x_val, y_val = digits
    model = _mlp([64], activation="tanh",
                 initializer=keras.initializers.RandomNormal(stddev=30.0))
    report = _run(model, keras.optimizers.SGD(1e-3), x, y, x_val, y_val, 1).report
    finding = next(f for f in report.findings if f.code == "saturated_units")
    assert finding.evidence["layer"] == "hidden1"


# --- the rules on hand-made histories (fast, exact) --------------------------
def _history(loss, val_loss=None, **extra):
    history = {"loss": list(loss)}
    if val_loss is not None:
        history["val_loss"] = list(val_loss)
    history.update({k: list(v) for k, v in extra.items()})
    return history


def test_nan_loss_is_critical_divergence():
    report = diagnose(_history([2.0, 1.5, float("nan")]))
    assert report.codes[0] == "divergence"
    assert report.findings[0].evidence["epoch"] == 3
    json.loads(report.to_json())  # NaN is stored as a string, the JSON stays valid


def test_learning_rate_rules_from_update_ratios():
    high = diagnose(_history([2.0, 1.8, 1.7, 1.6],
                             **{"update_ratio/a": [0.05] * 4, "update_ratio/b": [0.03] * 4}))
    assert "learning_rate_too_high" in high.codes
    low = diagnose(_history([2.0, 1.99, 1.98, 1.96],
                            **{"update_ratio/a": [1e-6] * 4, "update_ratio/b": [2e-6] * 4}))
    assert "learning_rate_too_low" in low.codes
    fine = diagnose(_history([2.0, 1.0, 0.5, 0.3],
                             **{"update_ratio/a": [2e-3] * 4, "update_ratio/b": [1e-3] * 4}))
    assert fine.codes == []


def test_unstable_and_plateau_rules():
    unstable = diagnose(_history([2.0, 1.0, 1.4, 0.9, 1.3, 0.8], [2.0, 1.1, 1.5, 1.0, 1.4, 0.9]))
    assert "unstable_training" in unstable.codes
    flat = diagnose(_history([2.0, 0.5, 0.3, 0.2, 0.19, 0.19],
                             [2.0, 0.6, 0.300, 0.300, 0.299, 0.2995]))
    assert flat.codes == ["plateau"] and flat.healthy  # info only


def test_exploding_is_relative_to_the_first_step():
    history = _history([4e4, 3e4, 2.5e4], grad_norm=[2e4, 3e4, 2e4],
                       grad_norm_max=[5e4, 6e4, 4e4])
    # Large but steady norms (e.g. MSE on raw targets) are not exploding ...
    assert "exploding_gradients" not in diagnose(history, initial_grad_norm=3e4).codes
    # ... though with nothing to compare with, the absolute bound applies.
    assert "exploding_gradients" in diagnose(history).codes
    report = diagnose(_history([2.0, 1.5, 1.2], grad_norm_max=[3.0, 2.0, 400.0]),
                      initial_grad_norm=2.0)
    finding = next(f for f in report.findings if f.code == "exploding_gradients")
    assert finding.evidence["epoch"] == 3 and "200x" in finding.message


def test_exploding_by_growth_and_overfit_by_validation_rise():
    report = diagnose(_history([2.0, 1.5, 1.2], grad_norm=[0.5, 5.0, 80.0]))
    finding = next(f for f in report.findings if f.code == "exploding_gradients")
    assert finding.evidence["epoch"] == 3
    report = diagnose(_history([1.0, 0.5, 0.2, 0.1], [1.0, 0.6, 0.7, 0.8]))
    finding = next(f for f in report.findings if f.code == "overfitting")
    assert finding.evidence["epoch"] == 2 and finding.evidence["value"] == 0.8
    # A collapsed model (train loss above validation loss) is not overfitting.
    collapsed = diagnose(_history([2.8, 2.7, 2.6, 2.55], [2.0, 2.1, 2.3, 2.31]))
    assert "overfitting" not in collapsed.codes


def test_overfit_by_a_steady_small_rise_of_validation_loss():
    # Validation loss climbs 3% over three epochs in a row: below the 10% rise,
    # but steady while training loss keeps falling.
    train = [0.5, 0.2, 0.08, 0.03, 0.01, 0.005, 0.002]
    val = [0.30, 0.15, 0.110, 0.100, 0.101, 0.102, 0.103]
    finding = next(f for f in diagnose(_history(train, val)).findings
                   if f.code == "overfitting")
    assert finding.evidence["epoch"] == 4 and finding.evidence["threshold"] == 3
    assert "each of the last 3 epochs" in finding.message
    # Two rises after the best epoch are not yet a trend; nor is a rise that
    # comes with rising training loss.
    assert "overfitting" not in diagnose(_history(train[:-1], val[:-1])).codes
    assert "overfitting" not in diagnose(_history(
        [0.5, 0.2, 0.08, 0.03, 0.04, 0.05, 0.06], val)).codes


def test_report_json_text_and_thresholds(tmp_path):
    report = diagnose(_history([2.0, 1.9, 1.9]), initial_loss=2.3)
    assert "underfitting" in report.codes
    record = json.loads(open(report.save(str(tmp_path / "health.json"))).read())
    assert record["status"] == "problems found"
    assert record["findings"][0]["evidence"]["initial"] == 2.3
    assert record["thresholds"]["underfit_loss_ratio"] == 0.6
    assert "[WARNING] underfitting" in report.text()
    relaxed = diagnose(_history([2.0, 1.9, 1.9]), initial_loss=2.3,
                       thresholds={"underfit_loss_ratio": 0.9})
    assert "underfitting" not in relaxed.codes
    with pytest.raises(ValueError, match="Unknown threshold"):
        diagnose(_history([1.0]), thresholds={"no_such": 1})
    with pytest.raises(ValueError, match="History"):
        diagnose([1.0, 2.0])


@pytest.mark.parametrize("history", [
    _history([2.0, 1.5, float("nan")], [2.0, 1.6, 1.7]),  # diverged: later rules stay quiet
    _history([2.0, 1.0, 5.0, 9.0], [2.0, 1.0, 5.0, 9.0]),
    _history([0.5, 0.2, 0.08, 0.03, 0.01, 0.005, 0.002],
             [0.30, 0.15, 0.110, 0.100, 0.101, 0.102, 0.103]),
    _history([2.3, 2.29, 2.29, 2.28, 2.3, 2.28], [2.3, 2.3, 2.3, 2.3, 2.3, 2.3],
             update_ratio=[1e-6] * 6),
])
def test_rules_give_the_same_findings_in_any_order(history, monkeypatch):
    from nnrecipes.diagnostics import health

    def findings():
        return sorted(diagnose(history).to_dict()["findings"], key=lambda f: f["code"])

    expected = findings()
    assert expected, "each history breaks some rule"
    rng = np.random.default_rng(0)
    for _ in range(5):
        shuffled = tuple(rng.permutation(np.array(health.RULES, dtype=object)))
        monkeypatch.setattr(health, "RULES", shuffled)
        assert findings() == expected
