"""Evaluation reports, checked against figures worked out by hand."""

import numpy as np
import pytest

import nnrecipes
from nnrecipes import evaluation


def test_classification_report_by_hand(tmp_path):
    y = np.array([0, 0, 0, 1, 1, 2])
    scores = np.eye(3)[[0, 0, 1, 1, 0, 2]] * 0.8 + 0.1  # predicts 0 0 1 1 0 2
    report = evaluation.classification_report(y, scores, class_names=["a", "b", "c"],
                                              majority=0)
    assert report["accuracy"] == pytest.approx(4 / 6)
    assert report["majority_accuracy"] == pytest.approx(3 / 6)
    assert report["confusion_matrix"] == [[2, 1, 0], [1, 1, 0], [0, 0, 1]]
    a, b = report["per_class"]["a"], report["per_class"]["b"]
    assert (a["precision"], a["recall"], a["support"]) == (pytest.approx(2 / 3),
                                                           pytest.approx(2 / 3), 3)
    assert (b["precision"], b["recall"]) == (pytest.approx(1 / 2), pytest.approx(1 / 2))
    assert report["macro_f1"] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert report["balanced_accuracy"] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert "roc_auc" not in report
    # one-vs-rest, counted by hand over (positive, negative) pairs, ties a half
    assert report["roc_auc_ovr"] == pytest.approx((6 / 9 + 5 / 8 + 1) / 3)
    path = evaluation.plot_confusion_matrix(report, str(tmp_path / "plots" / "cm.png"))
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_roc_auc_for_two_classes_counts_ordered_pairs():
    y = np.array([0, 0, 1, 1])
    positive = np.array([0.1, 0.6, 0.4, 0.9])  # 3 of the 4 (neg, pos) pairs ordered
    scores = np.column_stack([1 - positive, positive])
    assert evaluation.classification_report(y, scores)["roc_auc"] == pytest.approx(0.75)


def test_regression_report_against_a_baseline():
    report = evaluation.regression_report(np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 4.0]),
                                          baseline=np.array([0.0, 2.0, 2.0]),
                                          baseline_name="persistence")
    assert report["mae"] == pytest.approx(1 / 3) and report["rmse"] == pytest.approx(
        np.sqrt(1 / 3))
    assert report["baseline"] == {"name": "persistence", "mae": pytest.approx(1.0),
                                  "rmse": pytest.approx(np.sqrt(5 / 3))}
    assert report["rmse_ratio"] == pytest.approx(np.sqrt(1 / 5))


def test_evaluate_predictions_picks_the_baseline_of_the_data():
    wine = nnrecipes.data.load("wine")
    perfect = np.eye(3)[wine.y_test]
    report = evaluation.evaluate_predictions(wine, perfect)
    assert report["accuracy"] == 1.0
    assert report["majority_accuracy"] == pytest.approx(wine.majority_accuracy())
    assert report["class_names"] == [str(c) for c in wine.class_names]
    series = np.arange(60, dtype="float32")
    x = np.stack([series[i:i + 4] for i in range(56)])[..., None]
    splits = nnrecipes.data.from_arrays(x, series[4:], info={"target_feature": 0})
    # Persistence predicts the last value of each window, one below the target.
    report = evaluation.evaluate_predictions(splits, splits.y_test)
    assert report["rmse"] == 0 and report["baseline"]["name"] == "persistence"
    assert report["baseline"]["rmse"] == pytest.approx(1.0)
    assert evaluation.summary_line(report).startswith(
        "RMSE 0, MAE 0 (persistence: RMSE 1, MAE 1; ratio 0.000)")


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match=r"Received: probabilities.shape=\(3,\)"):
        evaluation.classification_report([0, 1, 1], [0.2, 0.3, 0.9])
    with pytest.raises(ValueError, match="must name the 2 classes"):
        evaluation.classification_report([0, 1], np.eye(2), class_names=["a"])
    with pytest.raises(ValueError, match="Received: part='train'"):
        evaluation.evaluate_predictions(nnrecipes.data.load("wine"), None, part="train")
