"""`auto`'s portfolio at run time: the pick on validation (linear where it is
better, the network where it is), the average as one exported model, the
candidates in the manifest and card, cross-validation on small data, and the
time budget."""

import json
import os

import numpy as np
import pytest

import nnrecipes
from nnrecipes.engine import portfolio
from nnrecipes.export.card import model_card
from nnrecipes.families.portfolio import LINEAR
from nnrecipes.families.portfolio import Candidate

# A network that learns fast enough for a few epochs on 2,000 rows.
NETWORK = Candidate("mlp", "mlp", {"units": 32, "learning_rate": 0.01}, "a small mlp")
# One that cannot learn in a few epochs: its step is far too small.
STUCK = Candidate("stuck", "mlp", {"units": 8, "learning_rate": 1e-5}, "an mlp that is stuck")


def _table(rule, n=2600, seed=0):
    """Two numeric columns, labels by `rule`; 2,080 train + validation rows
    (over `SMALL_DATA_ROWS`, so the validation split decides)."""
    x = np.random.default_rng(seed).uniform(-1, 1, (n, 2)).astype("float32")
    return nnrecipes.data.from_arrays(x, rule(x).astype("int64"), name="table")


def _options(tmp_path, **changes):
    values = dict(model_dir=str(tmp_path / "auto_table"), epochs=6, diagnostics=False)
    values.update(changes)
    return portfolio.Options(**values)


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    """The portfolio on XOR labels: no linear model can fit them."""
    splits = _table(lambda x: (x[:, 0] * x[:, 1]) > 0)
    folder = tmp_path_factory.mktemp("xor")
    return splits, portfolio.train_portfolio(splits, [LINEAR, NETWORK],
                                             options=_options(folder), export=False)


def test_the_network_wins_where_validation_says_linear_is_worse(xor_run):
    _, result = xor_run
    auto = result.manifest["auto"]
    scores = {c["name"]: c["validation"]["accuracy"] for c in auto["candidates"]}
    assert scores["linear"] < 0.75 < scores["mlp"]  # XOR: no line separates it
    assert auto["picked"] == ["mlp"] or auto["average"]["used"]
    assert result.test_metrics["accuracy"] > 0.8
    assert auto["scored_by"] == "the validation split"
    assert "had the best validation accuracy" in auto["why"]


def test_every_candidate_is_in_the_manifest_and_the_card(xor_run):
    _, result = xor_run
    auto = result.manifest["auto"]
    assert [c["name"] for c in auto["candidates"]] == ["linear", "mlp"]
    for candidate in auto["candidates"]:
        assert candidate["recipe"] == "mlp" and candidate["seconds"] > 0
        assert candidate["status"] in ("picked", "averaged", "trained")
    nnrecipes.export.manifest.check(result.manifest)
    card = model_card(result.manifest)
    assert "Candidates: linear (`mlp`, num_layers=0, learning_rate=0.01): validation " \
           "accuracy" in card
    assert "Scored by the validation split; picked: " in card


def test_linear_wins_where_validation_says_it_is_better(tmp_path):
    splits = _table(lambda x: x[:, 0] + 0.5 * x[:, 1] > 0.1)
    result = portfolio.train_portfolio(splits, [LINEAR, STUCK], options=_options(
        tmp_path), export=False)
    auto = result.manifest["auto"]
    assert auto["picked"] == ["linear"] and auto["recipe"] == "mlp"
    scores = {c["name"]: c["validation"]["accuracy"] for c in auto["candidates"]}
    assert scores["linear"] > 0.85 and scores["linear"] > scores["stuck"] + 0.1
    assert len([layer for layer in result.model.layers
                if type(layer).__name__ == "Dense"]) == 1  # the linear model itself
    # It started at scikit-learn's logistic regression on the same features.
    assert result.manifest["training"]["linear_start"]["C"] in portfolio.LinearStart.C_GRID


def test_pick_averages_only_when_validation_says_the_average_is_better():
    splits = _table(lambda x: x[:, 0] > 0, n=20)
    y = np.asarray(splits.y_val)
    right = np.eye(2)[y]
    # Two members, each wrong on a different example, confidently; their mean
    # is right wherever one of them is right and unsure.
    a, b = right.copy(), right.copy()
    a[0], b[1] = right[0][::-1] * 0.6 + 0.2, right[1][::-1] * 0.6 + 0.2

    def scored(name, outputs):
        return portfolio.Scored(Candidate(name, "mlp", {}, ""), outputs,
                                portfolio.error_of(splits, outputs, y), 1.0, view=splits)

    members = [scored("a", a), scored("b", b)]
    best, chosen, average_error = portfolio.pick(members, splits)
    assert best.candidate.name == "a"  # a tie goes to the earlier (faster) one
    assert average_error == 0.0 and [s.candidate.name for s in chosen] == ["a", "b"]
    worse = [scored("a", right), scored("b", b)]
    best, chosen, _ = portfolio.pick(worse, splits)
    assert [s.candidate.name for s in chosen] == ["a"]


def test_the_average_is_exported_as_one_model_that_reloads_and_predicts(tmp_path, monkeypatch):
    splits = _table(lambda x: x[:, 0] > 0)
    real_pick = portfolio.pick

    def average_always(trained, data):  # as if validation preferred the average
        best, _, error = real_pick(trained, data)
        return best, sorted(trained, key=lambda s: s.error)[:2], error

    monkeypatch.setattr(portfolio, "pick", average_always)
    other = Candidate("linear_b", "mlp", {"num_layers": 0, "learning_rate": 0.02}, "")
    result = portfolio.train_portfolio(splits, [LINEAR, other],
                                       options=_options(tmp_path, epochs=1),
                                       export=True)
    assert result.model.name == "portfolio_average"
    assert sorted(result.manifest["auto"]["picked"]) == ["linear", "linear_b"]
    path = result.export_path
    assert os.path.basename(os.path.dirname(path)) == "auto_table"
    assert json.load(open(os.path.join(path, "manifest.json")))["auto"]["average"]["used"]
    card = open(os.path.join(path, "README.md")).read()
    assert "Candidates: linear (`mlp`" in card and "linear_b (`mlp`" in card
    assert "the average of linear" in card or "the average of linear_b" in card
    import keras

    reloaded = keras.saving.load_model(os.path.join(path, "model.keras"))
    expected = result.model.predict(splits.x_test, verbose=0)
    np.testing.assert_allclose(reloaded.predict(splits.x_test, verbose=0), expected,
                               atol=1e-6)
    from nnrecipes.export import predict as predict_lib

    served = predict_lib.predict(path, splits.x_test)
    np.testing.assert_allclose(np.asarray(served), expected, atol=1e-5)


def test_the_time_budget_stops_training_and_skips_the_rest(tmp_path):
    splits = _table(lambda x: x[:, 0] > 0)
    result = portfolio.train_portfolio(splits, [LINEAR, NETWORK], budget=0.001,
                                       options=_options(tmp_path, epochs=50), export=False)
    first, second = result.manifest["auto"]["candidates"]
    assert first["status"] == "picked" and first["stopped_at_deadline"]
    assert result.manifest["early_stopping"]["epochs_run"] == 1  # stopped in epoch 1
    assert second["status"] == "not trained: the time budget was spent"
    assert second["validation"] is None


def test_small_data_is_decided_by_cross_validation_then_refit(tmp_path):
    splits = _table(lambda x: x[:, 0] > 0, n=120)
    result = portfolio.train_portfolio(splits, [LINEAR], options=_options(tmp_path, epochs=1),
                                       export=False)
    auto = result.manifest["auto"]
    assert auto["scored_by"].startswith("3-fold cross-validation")
    assert result.manifest["training"]["data"] == "train+validation"
    assert result.manifest["dataset"]["train"] == len(splits.x_train) + len(splits.x_val)


def test_bad_budget_and_empty_list_are_refused(tmp_path):
    splits = _table(lambda x: x[:, 0] > 0, n=40)
    with pytest.raises(ValueError, match=r"`time_budget` must be .*Received: time_budget=0"):
        portfolio.train_portfolio(splits, [LINEAR], budget=0, options=_options(tmp_path))
    with pytest.raises(ValueError, match=r"at least one candidate. Received: \[\]"):
        portfolio.train_portfolio(splits, [], options=_options(tmp_path))


@pytest.mark.parametrize("classes", [2, 3])
def test_the_linear_start_is_the_logistic_regression_it_was_fitted_as(classes):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 4))
    y = np.arange(90) % classes
    fitted = LogisticRegression(C=1.0).fit(x + y[:, None], y)
    kernel, bias = portfolio._softmax_weights(fitted, classes)
    scores = (x + y[:, None]) @ kernel + bias
    softmax = np.exp(scores - scores.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    np.testing.assert_allclose(softmax, fitted.predict_proba(x + y[:, None]), atol=1e-9)
