"""Classical baselines (nnrecipes.baselines): each kind's models, on the same split."""

import numpy as np
import pytest

import nnrecipes
from nnrecipes import baselines
from nnrecipes.data import timeseries


def _names(results):
    return {r["name"] for r in results}


def test_tabular_baselines_learn_and_choose_on_validation():
    results = baselines.classical(nnrecipes.data.load("breast_cancer"))
    assert _names(results) == {"logistic regression", "histogram gradient boosting"}
    for r in results:
        assert r["metric"] == "accuracy" and 0.9 < r["score"] <= 1.0
    linear = next(r for r in results if r["name"] == "logistic regression")
    assert linear["settings"]["C"] in baselines.LOGISTIC_C
    assert results[0]["score"] >= results[1]["score"]  # strongest first
    assert baselines.best(results) is results[0]


def test_mixed_table_with_missing_cells_and_regression():
    rng = np.random.default_rng(0)
    n = 300
    number = rng.normal(size=n)
    colour = rng.choice(["red", "blue"], size=n)
    y = (2 * number + (colour == "red") * 3).astype("float32")[:, None]
    x = np.empty((n, 2), dtype=object)
    x[:, 0] = [f"{v:.3f}" for v in number]
    x[:, 1] = colour
    x[::17, 0] = "?"  # missing numbers
    splits = nnrecipes.data.from_arrays(
        x, y, kind="tabular", info={"columns": ["number", "colour"], "categorical": [1]})
    results = baselines.classical(splits)
    assert _names(results) == {"ridge regression", "histogram gradient boosting",
                               "training mean"}
    ridge = next(r for r in results if r["name"] == "ridge regression")
    mean = next(r for r in results if r["name"] == "training mean")
    assert ridge["score"] < 0.5 * mean["score"]  # it used both columns


def test_series_baselines():
    t = np.arange(600, dtype="float32")
    series = np.sin(2 * np.pi * t / 12) * 10 + 0.01 * t
    splits = timeseries.chronological_splits("sine", series[:, None], series, window=12,
                                             season=12)
    results = {r["name"]: r for r in baselines.classical(splits)}
    assert set(results) == {"persistence", "seasonal naive (season 12)",
                            "ridge autoregression (12 steps)"}
    persistence = nnrecipes.data.persistence_rmse(splits)
    assert results["persistence"]["score"] == pytest.approx(persistence, rel=1e-5)
    assert results["seasonal naive (season 12)"]["score"] < 0.2 * persistence
    assert results["ridge autoregression (12 steps)"]["score"] < 0.2 * persistence
    # One channel: the very ridge that a forecaster's linear path starts at.
    ridge = timeseries.ridge_autoregression(splits)
    assert results["ridge autoregression (12 steps)"]["settings"]["alpha"] == ridge["alpha"]
    rmse = float(np.sqrt(np.mean((ridge["predict"]("test") - splits.y_test) ** 2)))
    assert results["ridge autoregression (12 steps)"]["score"] == pytest.approx(rmse, rel=1e-4)
    # a season longer than the window has no seasonal naive
    assert len(baselines.classical(splits, season=40)) == 2


def test_text_baselines_word_and_character():
    rng = np.random.default_rng(0)
    good = ["a fine good film", "good and fine", "truly good", "fine work, good cast"]
    bad = ["a dull bad film", "bad and dull", "truly bad", "dull work, bad cast"]
    texts = np.array([rng.choice(good if i % 2 else bad) for i in range(200)], dtype=object)
    labels = (np.arange(200) % 2).astype("int32")
    splits = nnrecipes.data.from_arrays(texts, labels, kind="text")
    results = baselines.classical(splits)
    assert _names(results) == {"word 1-2-gram TF-IDF + logistic regression",
                               "character 2-5-gram TF-IDF + logistic regression"}
    assert all(r["score"] == 1.0 for r in results)


def test_image_baselines_and_the_convnet_time_budget():
    splits = nnrecipes.data.load("digits")
    results = baselines.classical(splits, convnet_seconds=0.001)
    by_name = {r["name"]: r for r in results}
    assert by_name["logistic regression on pixels"]["score"] > 0.9
    # A budget shorter than one epoch: exactly one epoch runs.
    assert by_name["keras-io simple convnet"]["settings"]["epochs"] == 1
    assert "keras-io simple convnet" not in _names(baselines.classical(splits))


def test_bad_arguments():
    splits = nnrecipes.data.load("wine")
    with pytest.raises(ValueError, match="Received: part='train'"):
        baselines.classical(splits, part="train")
    with pytest.raises(ValueError, match="Received: season=1"):
        baselines.classical(splits, season=1)


def test_summary_line():
    line = baselines.summary_line([
        {"name": "a", "metric": "accuracy", "score": 0.5},
        {"name": "b", "metric": "accuracy", "score": 0.75}])
    assert line == "b: accuracy 0.7500; a: accuracy 0.5000"
