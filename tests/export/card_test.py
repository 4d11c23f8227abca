"""The model card of an export version, and the baselines it reports."""

import os

import numpy as np
import pytest

import nnrecipes
from nnrecipes.evaluation import baseline_metrics
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


def test_card_shows_f1_roc_auc_per_class_auto_and_the_kept_epoch():
    from nnrecipes.export.card import model_card

    record = {
        "recipe": "mlp", "task": "classification", "class_names": ["ham", "spam"],
        "dataset": {"name": "sms_spam"},
        "metrics": {"test": {"accuracy": 0.9}, "baseline": {"accuracy": 0.86,
                                                            "predictor": "always 'ham'"}},
        "evaluation": {"macro_f1": 0.8125, "roc_auc": 0.9375, "per_class": {
            "ham": {"precision": 0.95, "recall": 0.9, "f1": 0.92, "support": 20},
            "spam": {"precision": 0.6, "recall": 0.75, "f1": 0.67, "support": 4}}},
        "auto": {"recipe": "mlp", "hyperparameters": {}, "reason": "raw text -> mlp",
                 "candidates": [
                     {"name": "linear", "recipe": "mlp", "hyperparameters": {"num_layers": 0},
                      "validation": {"accuracy": 0.9}, "seconds": 1.5, "status": "trained"},
                     {"name": "mlp", "recipe": "mlp", "hyperparameters": {},
                      "validation": {"accuracy": 0.95}, "seconds": 3.0, "status": "picked"},
                     {"name": "gru", "recipe": "gru", "hyperparameters": {},
                      "validation": None, "seconds": 0.0,
                      "status": "not trained: the time budget was spent"}],
                 "scored_by": "the validation split", "picked": ["mlp"]},
        "training": {"epochs": 2, "batch_size": 32, "seed": 0},
        "early_stopping": {"kept_epoch": 1, "epochs_run": 2,
                           "reason": "lowest val_loss"},
    }
    card = model_card(record)
    assert "| F1 (macro) | 0.8125 |" in card and "| ROC-AUC | 0.9375 |" in card
    assert "| class | precision | recall | F1 | support |" in card
    assert "| spam | 0.6000 | 0.7500 | 0.6700 | 4 |" in card
    assert "`auto` picked `mlp`: raw text -> mlp" in card and (
        "Candidates: linear (`mlp`, num_layers=0): validation accuracy 0.9000, 1.5 s, trained; "
        "mlp (`mlp`): validation accuracy 0.9500, 3.0 s, picked; gru (`gru`): no validation "
        "score, not trained: the time budget was spent.") in card
    assert "Scored by the validation split; picked: mlp." in card
    assert "2 epochs run, the weights of epoch 1 kept (lowest val_loss)" in card
    # A forecaster that kept its ridge start.
    record["early_stopping"] = {"kept_epoch": 0, "epochs_run": 5, "start": 1.5,
                                "reason": "val_loss did not improve"}
    assert "5 epochs run, the weights of epoch 0 (the start) kept" in model_card(record)
    del record["auto"], record["early_stopping"]
    card = model_card(record)
    assert "auto" not in card and "2 epochs, batch size 32" in card
    record["evaluation"] = {"roc_auc_ovr": 0.875}
    assert "| ROC-AUC (one-vs-rest, macro) | 0.8750 |" in model_card(record)
