"""Evaluation beyond accuracy and loss, each figure beside the baseline it must beat.

`evaluate_predictions` turns a model's test predictions into a JSON-ready
report: for classification, per-class precision, recall and F1, the confusion
matrix, ROC-AUC for two classes, and the majority-class baseline; for
regression, MAE and RMSE beside the baseline forecast (persistence for
windows of a series, else the training mean).
"""

import numpy as np


def classification_report(y_true, probabilities, *, class_names=None, majority=None):
    """Per-class and overall figures of a classifier on held-out data.

    Args:
        y_true: integer labels `0..K-1`, shape `(n,)`.
        probabilities: the model's scores, shape `(n, K)`; the predicted
            class is the highest.
        class_names: names of the K classes. Defaults to `"0"`, `"1"`, ...
        majority: the training split's most common class, scored as the
            baseline. Defaults to `None` (no baseline).

    Returns:
        A dict: `accuracy`, `balanced_accuracy`, `macro_f1`, `per_class`
        (name -> precision, recall, f1, support), `confusion_matrix` (rows:
        true class, columns: predicted), `roc_auc` (two classes only, from
        the second class's score) or `roc_auc_ovr` (more classes, each present:
        the mean of each class's one-vs-rest ROC-AUC), and `majority_accuracy` when `majority`
        is given.

    Example:
    >>> report = nnrecipes.evaluation.classification_report(
    ...     np.array([0, 1, 1]), np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]))
    >>> report["per_class"]["1"]["recall"]
    0.5
    """
    from sklearn import metrics

    y_true = np.asarray(y_true, "int64").ravel()
    scores = np.asarray(probabilities, "float64")
    if scores.ndim != 2 or len(scores) != len(y_true):
        raise ValueError(
            "`probabilities` must have shape (n, num_classes) with n the number of labels. "
            f"Received: probabilities.shape={scores.shape}, len(y_true)={len(y_true)}")
    k = scores.shape[1]
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    if len(names) != k:
        raise ValueError(f"`class_names` must name the {k} classes. "
                         f"Received: class_names={class_names!r}")
    predicted = scores.argmax(axis=1)
    labels = list(range(k))
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y_true, predicted, labels=labels, zero_division=0)
    report = {
        "accuracy": float(np.mean(predicted == y_true)),
        "balanced_accuracy": float(np.mean(recall[support > 0])),
        "macro_f1": float(np.mean(f1)),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f),
                   "support": int(s)}
            for name, p, r, f, s in zip(names, precision, recall, f1, support)},
        "confusion_matrix": metrics.confusion_matrix(y_true, predicted,
                                                     labels=labels).tolist(),
        "class_names": names,
    }
    if k == 2 and len(np.unique(y_true)) == 2:
        report["roc_auc"] = float(metrics.roc_auc_score(y_true, scores[:, 1]))
    elif k > 2 and len(np.unique(y_true)) == k:  # one-vs-rest, the mean over classes
        report["roc_auc_ovr"] = float(np.mean(
            [metrics.roc_auc_score(y_true == c, scores[:, c]) for c in range(k)]))
    if majority is not None:
        report["majority_accuracy"] = float(np.mean(y_true == int(majority)))
    return report


def regression_report(y_true, y_pred, *, baseline, baseline_name):
    """MAE and RMSE of a regressor beside a baseline forecast's.

    Args:
        y_true: targets, shape `(n,)` or `(n, k)`.
        y_pred: the model's predictions, the same shape.
        baseline: the baseline's predictions, broadcastable to `y_true`.
        baseline_name: what the baseline is, e.g. `"persistence"`.

    Returns:
        A dict: `mae`, `rmse`, and `baseline` (`name`, `mae`, `rmse`) and
        `rmse_ratio` (the model's RMSE over the baseline's; below 1 beats it).

    Example:
    >>> nnrecipes.evaluation.regression_report(
    ...     np.array([1.0, 3.0]), np.array([1.0, 2.0]), baseline=2.0,
    ...     baseline_name="mean")["rmse_ratio"]
    0.7071067811865476
    """
    y_true = np.asarray(y_true, "float64")
    y_pred = np.asarray(y_pred, "float64").reshape(y_true.shape)
    base = np.broadcast_to(np.asarray(baseline, "float64"), y_true.shape)

    def errors(prediction):
        diff = prediction - y_true
        return float(np.mean(np.abs(diff))), float(np.sqrt(np.mean(diff ** 2)))

    mae, rmse = errors(y_pred)
    base_mae, base_rmse = errors(base)
    return {"mae": mae, "rmse": rmse,
            "baseline": {"name": baseline_name, "mae": base_mae, "rmse": base_rmse},
            "rmse_ratio": rmse / base_rmse if base_rmse > 0 else float("inf")}


def evaluate_predictions(splits, predictions, part="test"):
    """The report of `predictions` on one part of a `nnrecipes.data.Splits`.

    Args:
        splits: the dataset.
        predictions: the model's outputs on `splits.x_<part>`.
        part: `"val"` or `"test"`. Defaults to `"test"`.

    Returns:
        `classification_report` for a classification dataset, else
        `regression_report` against persistence (windows of a series with a
        known target feature) or the training targets' mean.
    """
    if part not in ("val", "test"):
        raise ValueError(f"`part` must be 'val' or 'test'. Received: part={part!r}")
    y = getattr(splits, f"y_{part}")
    if splits.num_classes is not None:
        return classification_report(y, predictions, class_names=splits.class_names,
                                     majority=splits.majority_class())
    baseline, name = baseline_forecast(splits, part)
    return regression_report(y, predictions, baseline=baseline, baseline_name=name)


def baseline_forecast(splits, part="test"):
    """The forecast a regressor must beat on `splits.x_<part>`, and its name:
    persistence (each window's last value of the target) for windows of a
    series with a known target feature, else the training targets' mean.

    Example:
    ```python
    splits = nnrecipes.data.from_arrays(np.random.rand(50, 3), np.random.rand(50))
    forecast, name = nnrecipes.evaluation.baseline_forecast(splits)  # "training mean"
    ```
    """
    info = splits.info or {}
    if "target_feature" in info:
        x = getattr(splits, f"x_{part}")
        return x[:, -1, info["target_feature"]][:, None], "persistence"
    return np.asarray(splits.y_train, "float64").mean(axis=0), "training mean"


def summary_line(report):
    """One line for a terminal: the main figures beside their baseline."""
    if "accuracy" in report:
        parts = [f"accuracy {report['accuracy']:.4f}"]
        if "majority_accuracy" in report:
            parts.append(f"(majority class {report['majority_accuracy']:.4f})")
        parts.append(f"macro F1 {report['macro_f1']:.4f}")
        if "roc_auc" in report:
            parts.append(f"ROC-AUC {report['roc_auc']:.4f}")
        return ", ".join(parts).replace(", (", " (")
    base = report["baseline"]
    return (f"RMSE {report['rmse']:.4g}, MAE {report['mae']:.4g} ({base['name']}: RMSE "
            f"{base['rmse']:.4g}, MAE {base['mae']:.4g}; ratio {report['rmse_ratio']:.3f})")


def plot_confusion_matrix(report, path):
    """Saves the confusion matrix of a classification report as a PNG."""
    from nnrecipes.diagnostics import plots

    matrix = np.asarray(report["confusion_matrix"])
    names = report["class_names"]
    size = max(4.0, 0.45 * len(names) + 2.5)
    figure = plots.new_figure(size, size)
    axes = figure.add_subplot()
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title("confusion matrix (test)")
    high = matrix.max() if matrix.size else 0
    for (i, j), count in np.ndenumerate(matrix):
        axes.text(j, i, str(count), ha="center", va="center",
                  color="white" if count > high / 2 else "black", fontsize=8)
    return plots.save_figure(figure, path)


def baseline_metrics(splits):
    """What a model that ignores its input scores on the test split.

    Classification: the accuracy of always predicting the training split's
    most frequent class. Regression: the MAE and RMSE of the baseline
    forecast that `nnrecipes.evaluation` reports (persistence for windows of
    a series, else the training mean).

    Example:
    >>> nnrecipes.evaluation.baseline_metrics(nnrecipes.data.load("digits"))["accuracy"]
    0.1...
    """
    if splits.num_classes is not None:
        majority = splits.majority_class()
        name = splits.class_names[majority] if splits.class_names else str(majority)
        return {"predictor": f"always the most frequent training class ({name!r})",
                "accuracy": splits.majority_accuracy("test")}
    forecast, name = baseline_forecast(splits)
    forecast = np.broadcast_to(forecast, np.shape(splits.y_test))
    errors = regression_report(splits.y_test, forecast, baseline=forecast,
                                          baseline_name=name)
    return {"predictor": f"the {name} forecast", "mae": errors["mae"],
            "rmse": errors["rmse"]}
