"""`TuneResult` on a search's trials: ranked by the objective in its
direction, unfinished trials last, the knobs that do not apply left out,
and the table, CSV and summary built from those rows."""

import csv
import json
import os
import types

import pytest

from nnrecipes.tuning import results

SETTINGS = {"recipe": "mlp", "tuner": "random", "objective": "val_loss", "direction": "min",
            "cv": 2, "epochs": 3, "batch_size": 32, "seed": 0, "kind": "tabular",
            "knob_task": "classification"}


class _Metrics:
    def __init__(self, values):
        self.metrics = dict(values)

    def get_last_value(self, name):
        return self.metrics[name]


def _trial(trial_id, score, values, metrics=None):
    return types.SimpleNamespace(
        trial_id=trial_id, status="COMPLETED" if score is not None else "FAILED",
        score=score, hyperparameters=types.SimpleNamespace(values=values),
        metrics=_Metrics(metrics or ({} if score is None else
                                     {"val_loss": score, "val_loss_std": score / 10})))


def _tuner(tmp_path, trials):
    oracle = types.SimpleNamespace(trials={t.trial_id: t for t in trials})
    return types.SimpleNamespace(oracle=oracle, project_dir=str(tmp_path), _nn_ran=["1"])


@pytest.fixture
def searched(tmp_path):
    trials = [_trial("0", 0.5, {"units": 8, "char_ngrams": 3, "tuner/epochs": 3}),
              _trial("1", 0.2, {"units": 16, "char_ngrams": 3}),
              _trial("2", None, {"units": 32, "char_ngrams": 3}),
              _trial("3", 0.9, {"units": 64, "char_ngrams": 3, "batch_size": 16})]
    os.makedirs(tmp_path / "trial_1")
    with open(tmp_path / "trial_1" / "nnrecipes.json", "w") as f:
        json.dump({"best_epoch": 2, "tuner_id": "tuner0", "epochs": 3,
                   "folds": [{"val_loss": 0.2}]}, f)
    return results.TuneResult(_tuner(tmp_path, trials), splits=None, settings=SETTINGS)


def test_trials_are_ranked_by_the_objective_failed_ones_last(searched):
    assert [t["trial_id"] for t in searched.trials] == ["1", "0", "3", "2"]
    assert [t["rank"] for t in searched.trials] == [1, 2, 3, 4]
    assert searched.best_trial["trial_id"] == "1"
    assert searched.best_hyperparameters == {"units": 16}
    assert searched.trials_run_here == ["1"]


def test_a_maximized_objective_ranks_the_other_way(tmp_path):
    settings = dict(SETTINGS, objective="val_accuracy", direction="max", cv=None)
    trials = [_trial("0", 0.5, {"units": 8}, {"val_accuracy": 0.5}),
              _trial("1", 0.9, {"units": 16}, {"val_accuracy": 0.9})]
    result = results.TuneResult(_tuner(tmp_path, trials), None, settings)
    assert [t["trial_id"] for t in result.trials] == ["1", "0"]
    assert result.best_trial["std"] is None  # one split: no spread over folds


def test_rows_carry_the_trial_record_and_leave_out_what_does_not_apply(searched):
    best = searched.trials[0]
    assert best["best_epoch"] == 2 and best["tuner_id"] == "tuner0" and best["folds"]
    assert best["std"] == pytest.approx(0.02)
    # KerasTuner's bookkeeping and a text knob of a table search are not listed.
    assert all("char_ngrams" not in t["hyperparameters"] for t in searched.trials)
    assert "tuner/epochs" not in searched.trials[1]["hyperparameters"]
    assert searched.trials[2]["batch_size"] == 16 and searched.trials[0]["batch_size"] == 32


def test_table_csv_and_summary(searched, tmp_path):
    assert searched.varying() == ["batch_size", "units"]
    lines = searched.table(top=2).splitlines()
    assert lines[0].split() == ["rank", "trial", "val_loss", "std", "epochs", "batch_size",
                                "units"]
    assert lines[1].split()[:3] == ["1", "1", "0.2000"] and len(lines) == 3
    path = searched.to_csv(str(tmp_path / "trials.csv"))
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0][:5] == ["rank", "trial_id", "status", "val_loss", "std"]
    assert [r[1] for r in rows[1:]] == ["1", "0", "3", "2"]
    summary = searched.summary()
    assert summary["trials"] == 4 and summary["best"]["trial_id"] == "1"
    assert summary["best"]["hyperparameters"] == {"units": 16}


def test_a_search_without_a_finished_trial_cannot_be_refit(tmp_path):
    result = results.TuneResult(_tuner(tmp_path, [_trial("0", None, {"units": 8})]), None,
                                SETTINGS)
    assert result.best_trial is None and result.summary()["best"] is None
    with pytest.raises(ValueError, match="no finished trial to refit. Received: 1 trials"):
        result.refit(export=False)


def test_plot_draws_the_finished_trials_in_the_order_they_ran(searched, tmp_path):
    figure = searched.plot(str(tmp_path / "trials.png"))
    assert os.path.getsize(tmp_path / "trials.png") > 0
    points = figure.axes[0].lines[0].get_ydata()
    assert list(points) == [0.5, 0.2, 0.9]  # trials 0, 1, 3; the failed one is left out
