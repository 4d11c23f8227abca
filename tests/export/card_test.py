"""The model card of an export version, and the baselines it reports."""

import os

import numpy as np
import pytest

import nnrecipes
from nnrecipes.export import baseline_metrics
from nnrecipes.export import model_card


def test_classification_baseline_is_the_majority_class():
    splits = nnrecipes.data.load("digits")
    result = baseline_metrics(splits)
    majority = np.bincount(splits.y_train).argmax()
    assert result["accuracy"] == pytest.approx(np.mean(splits.y_test == majority))
    assert repr(str(majority)) in result["predictor"]


def test_regression_baseline_is_the_training_mean():
    splits = nnrecipes.data.from_arrays(np.arange(50.0)[:, None], np.arange(50.0) * 2,
                                        task="regression")
    result = baseline_metrics(splits)
    error = splits.y_test.ravel() - splits.y_train.mean()
    assert result["mae"] == pytest.approx(np.abs(error).mean())
    assert result["rmse"] == pytest.approx(np.sqrt((error ** 2).mean()))


def test_card_of_a_text_export(exports):
    path, _ = exports["text_gru"]
    card = open(os.path.join(path, "README.md")).read()
    for section in ("# gru on sms, version 1", "## Data", "## Metrics", "## Hyperparameters",
                    "## Training", "## Use it", "## Limits"):
        assert section in card, section
    manifest = nnrecipes.export.load_manifest(path)
    baseline = manifest["metrics"]["baseline"]["accuracy"]
    assert f"| accuracy | 0.5000 | {baseline:.4f} |" in card
    assert "Classes: ham, spam." in card
    assert "| units | 8 |" in card
    assert "tf.saved_model.load('.')" in card and "tensorflow/serving" in card
    assert '"signature_name": "classify"' in card
    assert "onnxruntime.InferenceSession('model.onnx')" in card
    assert "Interpreter(model_path='model.tflite')" in card
    assert "host.encode(raw, host.load('.'))" in card
    assert "Words not in the training vocabulary" in card
    assert "line number (from 0) in `vocabulary.txt` (an unknown word by 1)" in card
    assert "string lookup tables do not convert to ONNX" in card


def test_card_says_how_to_add_missing_formats():
    card = model_card({"recipe": "mlp", "task": "regression", "formats": {},
                       "serving": {"input_shape": [None, 4], "input_dtype": "float32"},
                       "dataset": {"name": "wine", "info": {"columns": ["a", "b"]}}})
    assert "No onnx or litert file: write it with `nnrecipes export . --format onnx`" in card
    assert "Columns (by name, any order): a, b." in card
    assert "Not evaluated." in card and "classify" not in card


def test_forecasting_baseline_is_persistence():
    from nnrecipes.data import timeseries

    series = np.sin(np.arange(200) / 5.0).astype("float32")
    splits = timeseries.chronological_splits("wave", series[:, None], series, window=6)
    result = baseline_metrics(splits)
    assert result["rmse"] == pytest.approx(timeseries.persistence_rmse(splits))
    assert "persistence" in result["predictor"]


@pytest.mark.parametrize("record", [
    {}, {"dataset": "digits"}, {"dataset": "digits", "metrics": "n/a", "health": {"findings": 3}},
    {"hyperparameters": None, "formats": [], "serving": "x", "class_names": ["a", "b"]},
])
def test_card_of_any_manifest_a_user_wrote(record):
    card = model_card(record)
    assert "## Limits" in card
    if record.get("dataset") == "digits":
        assert "digits; its splits were not recorded." in card
