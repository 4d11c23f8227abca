"""Tiny real searches with each tuner, cross-validation, results and refit."""

import gc
import itertools
import json
import os

import keras
import numpy as np
import pytest

import nnrecipes
from nnrecipes import cli

SPACE = {"units": [8, 16], "num_layers": [1, 2]}


def _live_models():
    gc.collect()
    return sum(isinstance(o, keras.Model) for o in gc.get_objects())


@pytest.fixture(scope="module")
def random_result(tmp_path_factory):
    """A three-trial random search on the real wine data, counting live models."""
    before = _live_models()
    result = nnrecipes.tune("mlp", "wine", tuner="random", max_trials=3, epochs=2,
                            batch_size=32, space=SPACE, tune_all=False, seed=3,
                            directory=str(tmp_path_factory.mktemp("tuning")))
    return result, _live_models() - before


def test_random_search_ranks_its_trials(random_result):
    result, _ = random_result
    assert len(result.trials) == 3
    scores = [t["score"] for t in result.trials]
    assert scores == sorted(scores)  # val_loss: best (lowest) first
    assert all(np.isfinite(scores))
    assert [t["rank"] for t in result.trials] == [1, 2, 3]
    combos = {(t["hyperparameters"]["units"], t["hyperparameters"]["num_layers"])
              for t in result.trials}
    assert len(combos) == 3  # no configuration run twice
    assert result.best_hyperparameters == result.trials[0]["hyperparameters"]
    table = result.table()
    assert table.splitlines()[0].split()[:3] == ["rank", "trial", "val_loss"]
    assert len(table.splitlines()) == 4


def test_memory_stays_flat_across_trials(random_result):
    _, extra_models = random_result
    # Three trials built three models; none of them is kept alive.
    assert extra_models <= 0


def test_plot_and_csv(random_result, tmp_path):
    result, _ = random_result
    figure = result.plot(str(tmp_path / "trials.png"))
    assert os.path.getsize(tmp_path / "trials.png") > 1000
    assert len(figure.axes[0].lines) >= 1
    path = result.to_csv(str(tmp_path / "trials.csv"))
    rows = open(path).read().splitlines()
    assert len(rows) == 4 and rows[0].startswith("rank,trial_id,status,val_loss")


def test_refit_exports_a_model_that_loads_and_predicts(random_result, tmp_path):
    import tensorflow as tf

    result, _ = random_result
    refit = result.refit(export_dir=str(tmp_path), epochs=2)
    manifest = json.load(open(os.path.join(refit.export_path, "manifest.json")))
    assert manifest["hyperparameters"]["units"] == result.best_hyperparameters["units"]
    assert manifest["training"]["data"] == "train+validation"
    splits = result.splits
    # Trained on train + validation, tested on the held-out test split.
    assert manifest["dataset"]["test"] == len(splits.x_test)
    x = splits.x_test[:5]
    loaded = keras.saving.load_model(os.path.join(refit.export_path, "model.keras"))
    expected = refit.model.predict(x, verbose=0)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-5)
    saved = tf.saved_model.load(refit.export_path)  # kept: its variables must outlive the call
    served = saved.serve(tf.constant(x))
    np.testing.assert_allclose(np.asarray(served), expected, atol=1e-5)
    assert expected.shape == (5, splits.num_classes)


@pytest.mark.parametrize("tuner", ["bayesian", "hyperband"])
def test_tuner_runs_a_cross_validated_search(tuner, tmp_path):
    # Bayesian optimization also tunes the epochs (read in HyperModel.fit);
    # Hyperband sets them itself.
    space = dict(SPACE, epochs=[1, 2]) if tuner == "bayesian" else SPACE
    result = nnrecipes.tune("mlp", "wine", tuner=tuner, max_trials=2, epochs=1, max_epochs=2,
                            hyperband_factor=2, batch_size=32, space=space, tune_all=False,
                            cv=2, objective="val_accuracy", directory=str(tmp_path))
    finished = [t for t in result.trials if t["score"] is not None]
    assert len(finished) >= 2
    for trial in finished:
        folds = trial["folds"]
        assert len(folds) == 2  # every trial scored on both folds
        values = [f["val_accuracy"] for f in folds]
        assert trial["score"] == pytest.approx(np.mean(values), abs=1e-6)
        assert trial["std"] == pytest.approx(np.std(values), abs=1e-6)
    scores = [t["score"] for t in finished]
    assert scores == sorted(scores, reverse=True)  # accuracy: highest first
    if tuner == "bayesian":
        for trial in finished:
            assert trial["epochs"] == trial["hyperparameters"]["epochs"]
            assert all(len(fold) for fold in trial["folds"])
    if tuner == "hyperband":
        # Hyperband continued some trials from their parents' weights.
        assert any(t["epochs"] == 2 for t in finished)
        assert os.path.isfile(os.path.join(result.tuner.project_dir,
                                           f"trial_{finished[0]['trial_id']}",
                                           "fold1.weights.h5"))


def test_grid_search_from_the_cli_covers_the_grid_exactly(tmp_path, capsys):
    status = cli.main(["tune", "mlp", "--dataset", "wine", "--tuner", "grid",
                       "--max-trials", "20", "--epochs", "1", "--batch-size", "32",
                       "--space", "units=8,16", "--space", "batch_size=16,32", "--only-space",
                       "--directory", str(tmp_path), "--project-name", "grid",
                       "--table", str(tmp_path / "t.csv")])
    assert status == 0
    out = capsys.readouterr().out
    assert "Best hyperparameters" in out
    # Each trial names what it searches, not the knobs held fixed (KerasTuner's
    # own table, which lists them all, is off).
    assert "Search: Running Trial" not in out and "Best Value So Far" not in out
    assert out.count("searches units=") == 4 and "held fixed" in out
    assert "char_ngrams" not in out  # a text knob, on a table
    import csv

    rows = list(csv.DictReader(open(tmp_path / "t.csv")))
    seen = sorted((int(r["units"]), int(r["batch_size"])) for r in rows)
    assert seen == sorted(itertools.product([8, 16], [16, 32]))


def test_bad_arguments_fail_before_any_training(tmp_path):
    with pytest.raises(ValueError, match="`tuner` must be one of"):
        nnrecipes.tune("mlp", "wine", tuner="annealing", directory=str(tmp_path))
    with pytest.raises(ValueError, match="Unknown hyperparameter"):
        nnrecipes.tune("mlp", "wine", tuner="random", space={"unitz": [1]},
                       directory=str(tmp_path))
    with pytest.raises(ValueError, match="cannot exceed"):
        nnrecipes.tune("mlp", ((np.arange(40.0).reshape(20, 2)), np.arange(20) % 2),
                       tuner="random", cv=50, directory=str(tmp_path))
    assert not os.listdir(tmp_path)


def test_a_different_search_in_the_same_project_is_refused(tmp_path):
    kwargs = dict(tuner="random", max_trials=1, epochs=1, batch_size=32, space={"units": [8]},
                  tune_all=False, directory=str(tmp_path), project_name="p")
    nnrecipes.tune("mlp", "wine", **kwargs)
    with pytest.raises(ValueError, match="holds a different search"):
        nnrecipes.tune("mlp", "wine", **dict(kwargs, space={"units": [16]}))
    # The same search (a larger budget is fine) resumes; overwrite starts afresh.
    assert len(nnrecipes.tune("mlp", "wine", **dict(kwargs, max_trials=1)).trials) == 1
    fresh = nnrecipes.tune("mlp", "wine", **dict(kwargs, space={"units": [16]},
                                                 overwrite=True))
    assert fresh.best_hyperparameters["units"] == 16


def test_gradient_norm_from_diagnostics_can_be_the_objective(tmp_path):
    monitor = nnrecipes.diagnostics.GradientMonitor(update_ratios=False)
    result = nnrecipes.tune("mlp", "wine", tuner="random", max_trials=2, epochs=1,
                            batch_size=32, space={"learning_rate": [1e-3, 1e-1]},
                            tune_all=False, objective="grad_norm", callbacks=[monitor],
                            directory=str(tmp_path))
    assert result.settings["direction"] == "min"
    scores = [t["score"] for t in result.trials]
    assert all(s > 0 for s in scores) and scores == sorted(scores)
    assert all("grad_norm" in t["metrics"] for t in result.trials)


@pytest.mark.parametrize("argv, message", [
    (["--space", "unitz=1,2"], "Unknown hyperparameter"),
    (["--space", "units=4:64"], "out of range"),
    (["--tuner", "hyperband", "--space", "epochs=1,2"], "Hyperband chooses"),
    (["--objective", "val_wiggle"], "val_wiggle:min"),
])
def test_cli_errors_are_one_line(argv, message, tmp_path):
    with pytest.raises(SystemExit) as error:
        cli.main(["tune", "mlp", "--dataset", "wine", "--directory", str(tmp_path), *argv])
    assert message in str(error.value) and str(error.value).startswith("nnrecipes: error:")


def test_cli_space_entries():
    from nnrecipes.cli import parse_space_entry

    assert parse_space_entry("units=32,64") == ("units", [32, 64])
    assert parse_space_entry("learning-rate=1e-4:1e-2") == ("learning_rate", (1e-4, 1e-2))
    assert parse_space_entry("batch_norm=true") == ("batch_norm", True)
    assert parse_space_entry("activation=relu,gelu") == ("activation", ["relu", "gelu"])


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_no_fold_trains_on_its_own_validation_examples(task):
    """Each fold's training and validation rows are disjoint, cover train +
    validation together, the validation parts partition it, and no test row
    enters any fold (a leak here inflates every cross-validated score)."""
    from nnrecipes.tuning import cv as cv_lib
    from nnrecipes.tuning import search

    n = 90
    ids = np.arange(n, dtype="float32")
    x = np.stack([ids, np.sin(ids)], axis=1)  # column 0 names the row
    y = (np.arange(n) % 3) if task == "classification" else ids / n
    splits = nnrecipes.data.from_arrays(x, y, task=task, seed=0)
    searched = {float(r) for r in np.concatenate([splits.x_train, splits.x_val])[:, 0]}
    tested = {float(r) for r in splits.x_test[:, 0]}
    folds = cv_lib.folds_for(splits, 3, seed=0)
    seen_val = []
    for fold in search._fold_splits(splits, folds):
        train_rows = [float(r) for r in fold.splits.x_train[:, 0]]
        val_rows = [float(r) for r in fold.splits.x_val[:, 0]]
        assert not set(train_rows) & set(val_rows), "a fold trains on its validation rows"
        assert set(train_rows) | set(val_rows) == searched
        assert len(train_rows) + len(val_rows) == len(searched)
        assert not (set(train_rows) | set(val_rows)) & tested
        seen_val.extend(val_rows)
    assert sorted(seen_val) == sorted(searched)  # each row validates exactly once
