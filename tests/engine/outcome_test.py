"""`engine.conclude`: a run's end. A run stopped on a NaN is neither
evaluated nor exported; a finished one gets its test metrics, evaluation
report and baseline in the manifest; `TrainResult.predict` runs the model on
raw inputs."""

import keras
import numpy as np
import pytest

import nnrecipes
from nnrecipes import engine


@pytest.fixture(scope="module")
def wine_model():
    splits = nnrecipes.data.load("wine")
    model = engine.build_model(nnrecipes.get_recipe("mlp"), splits, {"units": 8})
    return splits, model


def _fitted(**kwargs):
    history = keras.callbacks.History()
    history.history = {"loss": [1.2, 0.9], "val_loss": [1.1, 1.0]}
    return engine.FitResult(history, 0.5, **kwargs)


def test_a_stopped_run_is_not_evaluated_or_exported(wine_model, tmp_path):
    splits, model = wine_model
    stopped = {"epoch": 1, "batch": 3, "message": "loss became nan"}
    result = engine.conclude(model, splits, _fitted(stopped=stopped), {"recipe": "mlp"},
                             export=True, export_base=str(tmp_path / "mlp_wine"))
    assert result.stopped == stopped and result.manifest["stopped"] == stopped
    assert result.test_metrics == {} and result.export_path is None
    assert "evaluation" not in result.manifest and not (tmp_path / "mlp_wine").exists()


def test_a_finished_run_records_its_metrics_beside_the_baseline(wine_model):
    splits, model = wine_model
    kept = {"kept_epoch": 2, "reason": "best val_loss"}
    result = engine.conclude(model, splits, _fitted(early_stopping=kept), {"recipe": "mlp"},
                             export=False)
    manifest = result.manifest
    assert manifest["early_stopping"] == kept and "health" not in manifest
    assert set(result.test_metrics) >= {"loss", "accuracy"}
    assert manifest["metrics"]["test"] == result.test_metrics
    assert manifest["metrics"]["final_epoch"] == {"loss": 0.9, "val_loss": 1.0}
    assert manifest["metrics"]["baseline"]["accuracy"] == pytest.approx(
        splits.majority_accuracy("test"))
    report = manifest["evaluation"]
    assert report["accuracy"] == pytest.approx(result.test_metrics["accuracy"], abs=1e-6)
    assert np.sum(report["confusion_matrix"]) == len(splits.x_test)
    assert result.export_path is None


def test_a_train_result_predicts_raw_inputs_as_the_model(wine_model):
    splits, model = wine_model
    result = engine.TrainResult(model, keras.callbacks.History(), {}, None, {})
    np.testing.assert_allclose(result.predict(splits.x_test[:5]),
                               model.predict(splits.x_test[:5], verbose=0), rtol=1e-5)
