"""The trial runner's parts: a fold scored at its best epoch, tuner names,
atomic JSON writes, and the per-trial TensorBoard callbacks."""

import json
import os
import types

import keras
import keras_tuner
import pytest

from nnrecipes.tuning import trials


def test_a_fold_is_scored_at_its_best_epoch_in_the_objectives_direction():
    logs = {"val_loss": [0.5, 0.3, 0.4], "val_accuracy": [0.6, 0.7, 0.9], "lr": [1e-3]}
    low = trials.fold_result(logs, keras_tuner.Objective("val_loss", "min"))
    assert low == {"val_loss": 0.3, "val_accuracy": 0.7, "best_epoch": 2}
    high = trials.fold_result(logs, keras_tuner.Objective("val_accuracy", "max"),
                              initial_epoch=4)
    assert high["val_accuracy"] == 0.9 and high["best_epoch"] == 7  # after 4 done before


def test_a_non_finite_epoch_is_never_the_best():
    logs = {"val_loss": [float("nan"), 0.8, float("inf")]}
    assert trials.fold_result(logs, keras_tuner.Objective("val_loss", "min"))[
        "best_epoch"] == 2
    logs = {"val_accuracy": [float("nan"), 0.1]}
    assert trials.fold_result(logs, keras_tuner.Objective("val_accuracy", "max"))[
        "best_epoch"] == 2


def test_an_objective_that_was_not_logged_is_fatal_and_names_the_logs():
    with pytest.raises(keras_tuner.errors.FatalError,
                       match=r"'val_auc' is not among the logged metrics \['loss'\]"):
        trials.fold_result({"loss": [1.0]}, keras_tuner.Objective("val_auc", "max"))


@pytest.mark.parametrize("name, canonical", [("random", "random"), ("Random-Search", "random"),
                                             ("gridsearch", "grid"), ("bayes", "bayesian"),
                                             ("BayesianOptimization", "bayesian"),
                                             (" hyperband ", "hyperband")])
def test_tuner_names_and_aliases(name, canonical):
    assert trials.tuner_name(name) == canonical


@pytest.mark.parametrize("bad", ["genetic", None, 3])
def test_an_unknown_tuner_lists_the_valid_ones(bad):
    with pytest.raises(ValueError, match=r"one of \['random', 'grid', 'bayesian', "
                                         rf"'hyperband'\]. Received: tuner={bad!r}"):
        trials.tuner_name(bad)


def test_json_is_written_whole_and_leaves_no_staging_file(tmp_path):
    path = str(tmp_path / "deep" / "state.json")
    trials.write_json_atomically(path, {"a": 1})
    trials.write_json_atomically(path, {"a": 2})
    with open(path) as f:
        assert json.load(f) == {"a": 2}
    assert os.listdir(tmp_path / "deep") == ["state.json"]


def _trial(trial_id="07"):
    hp = types.SimpleNamespace(values={"units": 8, "optimizer": "adam", "tuner/epochs": 2,
                                       "space": [1, 2]})
    return types.SimpleNamespace(trial_id=trial_id, hyperparameters=hp)


def test_tensorboard_gets_a_folder_per_trial_and_fold_and_the_trials_hparams(tmp_path):
    board = keras.callbacks.TensorBoard(str(tmp_path))
    other = keras.callbacks.History()
    one = trials.trial_callbacks([board, other], _trial(), fold=0, folds=1)
    # A copy of the TensorBoard callback and its HParams callback, then the others.
    assert len(one) == 3 and one[2] is other
    assert one[0] is not board and board.log_dir == str(tmp_path)
    assert one[0].log_dir == os.path.join(str(tmp_path), "07")
    assert type(one[1]).__module__.startswith("tensorboard.plugins.hparams")
    several = trials.trial_callbacks([board], _trial(), fold=1, folds=3)
    assert several[0].log_dir == os.path.join(str(tmp_path), "07", "fold1")
    assert trials.trial_callbacks([other], _trial(), fold=0, folds=1) == [other]


@pytest.mark.parametrize("ours, theirs", [
    (trials.RandomSearch, keras_tuner.RandomSearch), (trials.GridSearch, keras_tuner.GridSearch),
    (trials.BayesianOptimization, keras_tuner.BayesianOptimization),
    (trials.Hyperband, keras_tuner.Hyperband)])
def test_the_four_tuners_are_keras_tuners_that_run_recipe_trials(ours, theirs):
    assert issubclass(ours, theirs)
    assert ours.run_trial is trials.RandomSearch.run_trial is not theirs.run_trial
    assert ours.save is not theirs.save  # the atomic one


def test_a_trials_metrics_are_the_folds_means_and_the_objectives_spread():
    folds = [{"val_loss": 0.2, "loss": 0.1, "best_epoch": 1},
             {"val_loss": 0.4, "loss": 0.3, "best_epoch": 3}]
    metrics = trials.trial_metrics(folds, keras_tuner.Objective("val_loss", "min"))
    assert metrics == pytest.approx({"val_loss": 0.3, "loss": 0.2, "val_loss_std": 0.1})


def test_a_trial_line_names_only_what_the_search_chooses():
    hp = keras_tuner.HyperParameters()
    hp.Fixed("char_ngrams", 5)
    hp.Choice("units", [32, 64])
    hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")
    assert trials.searched_values(hp) == {"units": 32, "learning_rate": 1e-4}
    line = trials.trial_line(keras_tuner.engine.trial.Trial(hp, trial_id="07"))
    assert line == "nnrecipes: trial 07 searches units=32, learning_rate=0.0001 (1 held fixed)"
