"""KerasTuner's four tuners with nnrecipes' trial runner mixed in: each trial
builds the recipe from its `hp` and trains every cross-validation fold through
`nnrecipes.engine`, scored at each fold's best epoch; the search's state is
written atomically, so a killed search resumes."""

import dataclasses
import copy
import gc
import json
import os

import keras
import keras_tuner
import numpy as np

from nnrecipes import engine

TUNERS = ("random", "grid", "bayesian", "hyperband")
_TUNER_ALIASES = {"randomsearch": "random", "random_search": "random", "gridsearch": "grid",
                  "grid_search": "grid", "bayesianoptimization": "bayesian",
                  "bayesian_optimization": "bayesian", "bayes": "bayesian"}


def write_json_atomically(path, state):
    """Writes JSON so that a kill at any moment leaves the old file or the new
    one, never a truncated one: a staging file, then an atomic rename."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    staging = f"{path}.{os.getpid()}.tmp"
    with open(staging, "w") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(staging, path)


def _make_oracle_saves_atomic(oracle, project_dir):
    """KerasTuner rewrites `oracle.json` and each `trial.json` in place; a
    SIGKILL during such a write would leave a file the resumed search cannot
    read. This oracle writes them atomically instead."""
    if not isinstance(oracle, keras_tuner.Oracle):
        return  # a worker's proxy to the chief: the chief writes the state

    def save():
        write_json_atomically(os.path.join(project_dir, "oracle.json"), oracle.get_state())

    def save_trial(trial):
        write_json_atomically(os.path.join(project_dir, f"trial_{trial.trial_id}",
                                            "trial.json"), trial.get_state())

    oracle.save = save
    # private: `Oracle._save_trial` is the one place KerasTuner writes
    # `trial.json` (from create_trial, update_trial and end_trial), and no
    # public hook replaces it. Guarded by
    # tests/upstream_test.py::test_keras_tuner_oracle_writes_trials_through_save_trial.
    oracle._save_trial = save_trial  # noqa: SLF001


@dataclasses.dataclass
class Fold:
    splits: object  # a Splits whose train/val parts are this fold's


def trial_callbacks(callbacks, trial, fold, folds):
    """The callbacks of one trial's fold: a `keras.callbacks.TensorBoard` among
    them gets a copy logging to `LOG_DIR/<trial id>/` (`.../fold<i>/` with
    several folds) and an HParams callback holding the trial's values, as
    KerasTuner's own tuners do (TensorBoard's HParams view). Others as given.
    """
    found = []
    for callback in callbacks:
        if not isinstance(callback, keras.callbacks.TensorBoard):
            found.append(callback)
            continue
        from tensorboard.plugins.hparams import api as hparams_api

        log_dir = os.path.join(callback.log_dir, str(trial.trial_id),
                               *([f"fold{fold}"] if folds > 1 else []))
        copied = copy.copy(callback)
        copied.log_dir = log_dir
        hparams = {name: value for name, value in trial.hyperparameters.values.items()
                   if not name.startswith("tuner/")
                   and isinstance(value, (bool, int, float, str))}
        found += [copied, hparams_api.KerasCallback(log_dir, hparams,
                                                    trial_id=str(trial.trial_id))]
    return found


def fold_result(logs, objective, initial_epoch=0):
    """One fold's logged metrics at its best epoch by `objective` (a
    `keras_tuner.Objective`), with that epoch as `best_epoch` (counted from
    1, after `initial_epoch` epochs done before).

    Example:
    >>> nnrecipes.tuning.trials.fold_result(
    ...     {"val_loss": [0.5, 0.3, 0.4]}, keras_tuner.Objective("val_loss", "min"))
    {'val_loss': 0.3, 'best_epoch': 2}
    """
    if objective.name not in logs:
        raise keras_tuner.errors.FatalError(
            f"The objective {objective.name!r} is not among the logged metrics "
            f"{sorted(logs)}. Received: objective={objective.name!r}")
    scores = np.asarray(logs[objective.name], dtype="float64")
    scores = np.where(np.isfinite(scores), scores,
                      np.inf if objective.direction == "min" else -np.inf)
    best = int(np.argmin(scores) if objective.direction == "min" else np.argmax(scores))
    result = {k: float(v[best]) for k, v in logs.items() if len(v) == len(scores)}
    result["best_epoch"] = initial_epoch + best + 1
    return result


def trial_metrics(fold_results, objective):
    """A trial's metrics: the mean of each over its folds (`fold_result`s),
    and the spread of the objective as `<objective>_std`.

    Example:
    >>> nnrecipes.tuning.trials.trial_metrics(
    ...     [{"val_loss": 0.25, "best_epoch": 1}, {"val_loss": 0.75, "best_epoch": 3}],
    ...     keras_tuner.Objective("val_loss", "min"))
    {'val_loss': 0.5, 'val_loss_std': 0.25}
    """
    metrics = {}
    for key in fold_results[0]:
        if key != "best_epoch":
            metrics[key] = float(np.mean([r[key] for r in fold_results if key in r]))
    column = [r[objective.name] for r in fold_results]
    metrics[f"{objective.name}_std"] = float(np.std(column))
    return metrics


def searched_values(hp):
    """The values of `hp` that the search chooses: every hyperparameter but
    those held fixed (`hp.Fixed`: knobs that do not apply to the data, or
    that tuning leaves at their defaults).

    Example:
    >>> hp = keras_tuner.HyperParameters()
    >>> hp.Fixed("char_ngrams", 5); hp.Choice("units", [32, 64])
    >>> nnrecipes.tuning.trials.searched_values(hp)
    {'units': 32}
    """
    held = {p.name for p in hp.space
            if isinstance(p, keras_tuner.engine.hyperparameters.Fixed)}
    return {name: value for name, value in hp.values.items() if name not in held}


def trial_line(trial):
    """The line printed as a trial begins: its id, then the value of each
    hyperparameter the search chooses (not those held at a fixed value).

    Example:
    >>> hp = keras_tuner.HyperParameters()
    >>> hp.Fixed("char_ngrams", 5); hp.Choice("units", [32, 64])
    >>> nnrecipes.tuning.trials.trial_line(keras_tuner.engine.trial.Trial(hp, trial_id="07"))
    'nnrecipes: trial 07 searches units=32 (1 held fixed)'
    """
    hp = trial.hyperparameters
    searched = searched_values(hp)
    values = ", ".join(f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}"
                       for name, value in searched.items() if not name.startswith("tuner/"))
    held = len(hp.values) - len(searched)
    return (f"nnrecipes: trial {trial.trial_id} searches {values or 'nothing'}"
            + (f" ({held} held fixed)" if held else ""))


class _RecipeTrialRunner:
    """Mixed into KerasTuner's tuners: runs one trial over every fold.

    KerasTuner's own trial table lists every hyperparameter, those held at a
    fixed value too (a text knob on images, say), so it is turned off
    (`oracle.verbose = 0`) and each trial prints `trial_line` instead.

    For Hyperband, a trial that continues an earlier one (`tuner/trial_id`)
    starts each fold from that trial's weights for the same fold.
    """

    def configure(self, *, folds, hypermodel, batch_size, epochs, seed, callbacks, verbose,
                  keep_weights, patience=engine.DEFAULT_PATIENCE):
        self._nn_folds = folds
        self._nn_hypermodel = hypermodel
        self._nn_batch_size = batch_size
        self._nn_epochs = epochs
        self._nn_seed = seed
        self._nn_callbacks = list(callbacks or [])
        self._nn_verbose = verbose
        self._nn_keep_weights = keep_weights
        self._nn_patience = patience
        self._nn_ran = []
        _make_oracle_saves_atomic(self.oracle, self.project_dir)
        if isinstance(self.oracle, keras_tuner.Oracle):
            self.oracle.verbose = 0  # `trial_line` shows what is searched

    def on_trial_begin(self, trial):
        super().on_trial_begin(trial)
        print(trial_line(trial), flush=True)

    def save(self):
        # As `BaseTuner.save`, with atomic writes (see `_make_oracle_saves_atomic`).
        # A worker's oracle is a proxy to the chief's (not a keras_tuner.Oracle),
        # and the chief writes the oracle's state.
        if isinstance(self.oracle, keras_tuner.Oracle):
            self.oracle.save()
        # private: `_get_tuner_fname()` is the file `BaseTuner.reload` reads back;
        # KerasTuner has no public name for it, and writing anywhere else would
        # make a resumed search start over. Guarded by
        # tests/upstream_test.py::test_keras_tuner_reloads_the_tuner_from_get_tuner_fname.
        write_json_atomically(self._get_tuner_fname(), self.get_state())

    def _fold_weights(self, trial_id, index):
        return os.path.join(self.get_trial_dir(trial_id), f"fold{index}.weights.h5")

    def run_trial(self, trial, *args, **kwargs):
        hp = trial.hyperparameters
        values = hp.values
        epochs = int(values.get("tuner/epochs", values.get("epochs", self._nn_epochs)))
        initial_epoch = int(values.get("tuner/initial_epoch", 0))
        previous = values.get("tuner/trial_id")
        batch_size = int(values.get("batch_size", self._nn_batch_size))
        objective = self.oracle.objective
        fold_results = []
        hypermodel = self._nn_hypermodel
        # Early stopping watches the objective when it is a validation metric.
        monitor = objective.name if objective.name.startswith("val_") \
            else engine.DEFAULT_MONITOR
        for index, fold in enumerate(self._nn_folds):
            # One model at a time: the previous fold's graph and model go.
            keras.backend.clear_session()
            gc.collect()
            run = engine.Run(hypermodel.recipe, fold.splits, hp=hp, epochs=epochs,
                             batch_size=batch_size, seed=self._nn_seed + index,
                             strategy=hypermodel.strategy, patience=self._nn_patience,
                             monitor=monitor, diagnostics=False)
            model, fitted = run.fit(
                initial_epoch=initial_epoch, verbose=self._nn_verbose,
                weights=None if previous is None else self._fold_weights(previous, index),
                callbacks=trial_callbacks(self._nn_callbacks, trial, index,
                                          len(self._nn_folds)))
            fold_results.append(fold_result(fitted.history.history, objective, initial_epoch))
            if self._nn_keep_weights:
                model.save_weights(self._fold_weights(trial.trial_id, index))
            del model, fitted, run
        keras.backend.clear_session()
        gc.collect()
        metrics = trial_metrics(fold_results, objective)
        column = [r[objective.name] for r in fold_results]
        record = {"tuner_id": self.tuner_id, "epochs": epochs, "initial_epoch": initial_epoch,
                  "batch_size": batch_size, "folds": fold_results,
                  "objective": objective.name,
                  # The epochs `refit` trains for: where the folds' objective was best.
                  "best_epoch": int(round(np.mean([r["best_epoch"] for r in fold_results])))}
        write_json_atomically(os.path.join(self.get_trial_dir(trial.trial_id),
                                            "nnrecipes.json"), record)
        self._nn_ran.append(trial.trial_id)
        print(f"nnrecipes: tuner {self.tuner_id} finished trial {trial.trial_id}: "
              f"{objective.name}={metrics[objective.name]:.4f}", flush=True)
        bad = [v for v in column if not np.isfinite(v)]
        if bad:
            raise keras_tuner.errors.FailedTrialError(
                f"The objective {objective.name!r} was not finite in some fold: {column}")
        return metrics


class RandomSearch(_RecipeTrialRunner, keras_tuner.RandomSearch):
    """KerasTuner's `RandomSearch` with nnrecipes' cross-validated trials."""


class GridSearch(_RecipeTrialRunner, keras_tuner.GridSearch):
    """KerasTuner's `GridSearch` with nnrecipes' cross-validated trials."""


class BayesianOptimization(_RecipeTrialRunner, keras_tuner.BayesianOptimization):
    """KerasTuner's `BayesianOptimization` with nnrecipes' cross-validated trials."""


class Hyperband(_RecipeTrialRunner, keras_tuner.Hyperband):
    """KerasTuner's `Hyperband` with nnrecipes' cross-validated trials; a
    continued trial starts each fold from the weights of its parent."""


_TUNER_CLASSES = {"random": RandomSearch, "grid": GridSearch,
                  "bayesian": BayesianOptimization, "hyperband": Hyperband}


def tuner_name(tuner):
    """The canonical name of a tuner (`random`, `grid`, `bayesian`, `hyperband`)."""
    if not isinstance(tuner, str):
        raise ValueError(f"`tuner` must be one of {list(TUNERS)}. Received: tuner={tuner!r}")
    key = tuner.strip().lower().replace("-", "_")
    key = _TUNER_ALIASES.get(key, key)
    if key not in TUNERS:
        raise ValueError(f"`tuner` must be one of {list(TUNERS)}. Received: tuner={tuner!r}")
    return key


def make_tuner(tuner, hypermodel, *, objective, max_trials, max_epochs, hyperparameters,
               tune_new_entries, directory, project_name, overwrite, seed,
               hyperband_factor=3, max_consecutive_failed_trials=3, **kwargs):
    """Makes one of the four tuners by name (see `tune` for the arguments)."""
    name = tuner_name(tuner)
    common = dict(hypermodel=hypermodel, objective=objective, hyperparameters=hyperparameters,
                  tune_new_entries=tune_new_entries, allow_new_entries=True,
                  directory=directory, project_name=project_name, overwrite=overwrite,
                  seed=seed, max_consecutive_failed_trials=max_consecutive_failed_trials,
                  **kwargs)
    if name == "hyperband":
        return Hyperband(max_epochs=max_epochs, factor=hyperband_factor,
                         hyperband_iterations=1, **common)
    return _TUNER_CLASSES[name](max_trials=max_trials, **common)
