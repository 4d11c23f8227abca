"""`tune`: a KerasTuner search over a recipe's own search space.

The tuners are KerasTuner's four (`random`, `grid`, `bayesian`,
`hyperband`), each with nnrecipes' trial runner mixed in: it builds the
recipe from the trial's `hp` (`nnrecipes.registry.hypermodel_build`, the
same path as `build`), adapts the preprocessing on the training fold only,
trains every cross-validation fold and reports the folds' mean and standard
deviation. KerasTuner's project folder holds the state, so a search that is
killed and started again with the same arguments goes on where it stopped.
"""

import dataclasses
import gc
import json
import os

import keras
import keras_tuner
import numpy as np

from nnrecipes import data
from nnrecipes import engine
from nnrecipes.callbacks import LARGER_IS_BETTER
from nnrecipes.engine import distribute
from nnrecipes.registry import get_recipe
from nnrecipes.registry import hypermodel_build
from nnrecipes.tuning import cv as cv_lib
from nnrecipes.tuning import space as space_lib

TUNERS = ("random", "grid", "bayesian", "hyperband")
_TUNER_ALIASES = {"randomsearch": "random", "random_search": "random", "gridsearch": "grid",
                  "grid_search": "grid", "bayesianoptimization": "bayesian",
                  "bayesian_optimization": "bayesian", "bayes": "bayesian"}
DEFAULT_DIRECTORY = "tuning"

# Words in a metric's name that say smaller is better (larger is better:
# `nnrecipes.callbacks.LARGER_IS_BETTER`).
_MINIMIZE = ("loss", "error", "mae", "mse", "rmse", "mape", "crossentropy", "hinge",
             "norm", "grad", "dead", "saturated", "nan")


def make_objective(objective):
    """A `keras_tuner.Objective` from a metric name, with the right direction.

    Args:
        objective: a logged metric's name (`"val_loss"`, `"val_accuracy"`,
            `"val_rmse"`, a diagnostics value such as
            `"val_grad_norm"`...), `"name:min"` / `"name:max"` to say the
            direction, or a `keras_tuner.Objective`.

    Returns:
        A `keras_tuner.Objective`.

    Example:
    >>> nnrecipes.tuning.make_objective("val_accuracy").direction
    'max'
    """
    if isinstance(objective, keras_tuner.Objective):
        return objective
    if not isinstance(objective, str) or not objective.strip():
        raise ValueError("`objective` must be a metric name such as 'val_loss', 'name:min', "
                         f"'name:max', or a keras_tuner.Objective. Received: "
                         f"objective={objective!r}")
    name, _, direction = objective.strip().partition(":")
    if direction:
        if direction not in ("min", "max"):
            raise ValueError(f"The direction after ':' must be 'min' or 'max'. "
                             f"Received: objective={objective!r}")
        return keras_tuner.Objective(name, direction)
    words = name.lower().removeprefix("val_").replace("/", "_").split("_")
    if any(w in LARGER_IS_BETTER for w in words) or name.lower().endswith("accuracy"):
        return keras_tuner.Objective(name, "max")
    if any(w in _MINIMIZE for w in words):
        return keras_tuner.Objective(name, "min")
    raise ValueError(
        f"Cannot tell whether {name!r} should be minimized or maximized. Say it: "
        f"objective='{name}:min' or '{name}:max'. Received: objective={objective!r}")


class RecipeHyperModel(keras_tuner.HyperModel):
    """A KerasTuner `HyperModel` of a registered recipe.

    `build(hp)` builds the recipe from `hp` (declared by the recipe itself);
    `fit(hp, model, ...)` reads `batch_size` and `epochs` from `hp` when the
    search space holds them, so they can be tuned too.

    Args:
        recipe: a recipe name, e.g. `"mlp"`.
        build_kwargs: keyword arguments of `nnrecipes.build` other than the
            hyperparameters: `input_shape`, `num_classes` or `num_outputs`,
            and the preprocessing from `nnrecipes.data.preprocessing_for`.
        batch_size: batch size when it is not tuned. Defaults to `64`.
        epochs: epochs when they are not tuned. Defaults to `10`.

    Example:
    ```python
    hypermodel = nnrecipes.tuning.RecipeHyperModel(
        "mlp", {"input_shape": (64,), "num_classes": 10})
    tuner = keras_tuner.RandomSearch(hypermodel, objective="val_loss", max_trials=5)
    ```
    """

    def __init__(self, recipe, build_kwargs, *, batch_size=64, epochs=10, strategy=None):
        recipe = get_recipe(recipe)
        super().__init__(name=recipe.name, tunable=True)
        self.recipe = recipe
        self.build_kwargs = dict(build_kwargs)
        self.task = "classification" if self.build_kwargs.get("num_classes") else "regression"
        self.batch_size = batch_size
        self.epochs = epochs
        self.strategy = strategy

    def declare_hyperparameters(self, hp):
        self.recipe.search_space(hp, self.task)

    def build(self, hp):
        strategy = self.strategy or distribute.get_strategy("default")
        with strategy.scope():
            return hypermodel_build(self.recipe.name, hp, **self.build_kwargs)

    def fit(self, hp, model, *args, **kwargs):
        kwargs.setdefault("batch_size", hp.values.get("batch_size", self.batch_size))
        kwargs.setdefault("epochs", hp.values.get("epochs", self.epochs))
        return distribute.fit(model, *args, strategy=self.strategy, **kwargs)


def _write_json_atomically(path, state):
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
        _write_json_atomically(os.path.join(project_dir, "oracle.json"), oracle.get_state())

    def save_trial(trial):
        _write_json_atomically(os.path.join(project_dir, f"trial_{trial.trial_id}",
                                            "trial.json"), trial.get_state())

    oracle.save = save
    oracle._save_trial = save_trial  # noqa: SLF001 (the one hook KerasTuner has)


@dataclasses.dataclass
class _Fold:
    splits: object  # a Splits whose train/val parts are this fold's


class _RecipeTrialRunner:
    """Mixed into KerasTuner's tuners: runs one trial over every fold.

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

    def save(self):
        # As `BaseTuner.save`, with atomic writes (see `_make_oracle_saves_atomic`).
        if not self._is_worker():
            self.oracle.save()
        _write_json_atomically(self._get_tuner_fname(), self.get_state())

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
            splits = fold.splits
            model = engine.build_model(hypermodel.recipe, splits, hp=hp,
                                       strategy=hypermodel.strategy, seed=self._nn_seed + index)
            if previous is not None:
                # The optimizer's slots are part of the saved state: build them
                # first so training goes on where the parent trial stopped.
                model.optimizer.build(model.trainable_variables)
                model.load_weights(self._fold_weights(previous, index))
            fitted = engine.fit(
                model, splits, epochs=epochs, batch_size=batch_size,
                seed=self._nn_seed + index, strategy=hypermodel.strategy,
                initial_epoch=initial_epoch, patience=self._nn_patience, monitor=monitor,
                augmentation=values, callbacks=self._nn_callbacks, verbose=self._nn_verbose)
            logs = fitted.history.history
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
            fold_results.append(result)
            if self._nn_keep_weights:
                model.save_weights(self._fold_weights(trial.trial_id, index))
            del model, fitted
        keras.backend.clear_session()
        gc.collect()
        metrics = {}
        for key in fold_results[0]:
            if key == "best_epoch":
                continue
            column = [r[key] for r in fold_results if key in r]
            metrics[key] = float(np.mean(column))
        column = [r[objective.name] for r in fold_results]
        metrics[f"{objective.name}_std"] = float(np.std(column))
        record = {"tuner_id": self.tuner_id, "epochs": epochs, "initial_epoch": initial_epoch,
                  "batch_size": batch_size, "folds": fold_results,
                  "objective": objective.name,
                  # The epochs `refit` trains for: where the folds' objective was best.
                  "best_epoch": int(round(np.mean([r["best_epoch"] for r in fold_results])))}
        _write_json_atomically(os.path.join(self.get_trial_dir(trial.trial_id),
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


def _build_kwargs(splits):
    """`build` keyword arguments for a Splits: shapes, targets, preprocessing
    adapted on its training part only."""
    kwargs = data.preprocessing_for(splits)
    return dict(kwargs, num_classes=splits.num_classes, num_outputs=splits.num_outputs)


def as_splits(train_data, validation_data=None, *, data_dir=None, seed=0):
    """Turns `tune`'s data arguments into a `nnrecipes.data.Splits`.

    `train_data` is a dataset name, a `Splits`, or an `(x, y)` pair of
    arrays; `validation_data` an `(x, y)` pair, or None (the dataset's own
    validation split, or 15% split off `(x, y)`).
    """
    if isinstance(train_data, str):
        splits = data.load(train_data, data_dir=data_dir, seed=seed)
    elif isinstance(train_data, data.Splits):
        splits = train_data
    elif isinstance(train_data, (tuple, list)) and len(train_data) == 2:
        x, y = train_data
        extra = {}
        if validation_data is not None:
            extra = {"x_val": validation_data[0], "y_val": validation_data[1]}
        # `tune` never looks at the test part; it is split off for `refit`.
        splits = data.from_arrays(x, y, seed=seed, **extra)
        validation_data = None
    else:
        raise ValueError(
            "`train_data` must be a dataset name (see nnrecipes.data.list_datasets()), a "
            "nnrecipes.data.Splits, or a pair (x, y) of arrays. "
            f"Received: train_data of type {type(train_data).__name__}")
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("`validation_data` must be a pair (x_val, y_val). Received: "
                             f"validation_data of type {type(validation_data).__name__}")
        splits = dataclasses.replace(splits, x_val=np.asarray(validation_data[0]),
                                     y_val=np.asarray(validation_data[1]))
    return splits


def _fold_splits(splits, folds):
    """The Splits of each fold: `x_train` + `x_val` re-cut by the fold's indices."""
    if folds is None:
        return [_Fold(splits)]
    x = np.concatenate([splits.x_train, splits.x_val])
    y = np.concatenate([splits.y_train, splits.y_val])
    return [_Fold(dataclasses.replace(splits, x_train=x[t], y_train=y[t], x_val=x[v],
                                      y_val=y[v]))
            for t, v in folds]


SETTINGS_FILE = "nnrecipes_search.json"


def _check_same_search(project_dir, settings, overwrite):
    """Resuming is only safe with the same search: compare with the settings
    recorded when the project was made (`max_trials` may grow)."""
    path = os.path.join(project_dir, SETTINGS_FILE)
    if overwrite or not os.path.isfile(path):
        return
    with open(path) as f:
        recorded = json.load(f)
    changed = sorted(k for k in set(recorded) | set(settings)
                     if recorded.get(k) != settings.get(k))
    if changed:
        details = ", ".join(f"{k}: {recorded.get(k)!r} -> {settings.get(k)!r}" for k in changed)
        raise ValueError(
            f"{project_dir!r} holds a different search ({details}), which would be resumed "
            "with its old settings. Pass overwrite=True (--overwrite) to start afresh, or "
            f"another project_name. Received: project_dir={project_dir!r}")


def _record_search(project_dir, settings):
    # Every process of a distributed search writes it: atomically, each
    # through its own staging file.
    _write_json_atomically(os.path.join(project_dir, SETTINGS_FILE), settings)


def tune(recipe, train_data="digits", validation_data=None, *, tuner="hyperband",
         objective="val_loss", max_trials=10, max_epochs=None, epochs=10, batch_size=64,
         space=None, tune_all=True, directory=DEFAULT_DIRECTORY, project_name=None,
         overwrite=False, cv=None, strategy="auto", mixed_precision=False, seed=0,
         data_dir=None, callbacks=None, verbose=0, hyperband_factor=3, view=True,
         patience=engine.DEFAULT_PATIENCE, **hyperparameters):
    """Searches a recipe's hyperparameters with KerasTuner.

    The search space is the recipe's own declaration (`nnrecipes info
    RECIPE` lists it), narrowed by `space` and `**hyperparameters`.

    Args:
        recipe: a recipe name, e.g. `"mlp"`.
        train_data: a dataset name (`nnrecipes.data.list_datasets()`), a
            `nnrecipes.data.Splits`, or `(x, y)` arrays. Defaults to
            `"digits"`.
        validation_data: `(x_val, y_val)`, or None for the dataset's own
            validation split. Ignored with `cv` (the folds are cut from the
            training and validation examples together). Defaults to `None`.
        tuner: `"random"`, `"grid"`, `"bayesian"` or `"hyperband"`.
            Defaults to `"hyperband"`.
        objective: a logged metric to optimize (`"val_loss"`,
            `"val_accuracy"`, `"val_rmse"`, a diagnostics value...), with
            its direction inferred, or `"name:min"` / `"name:max"`, or a
            `keras_tuner.Objective`. Defaults to `"val_loss"`.
        max_trials: trials for random, grid and Bayesian search (grid stops
            earlier when the grid is covered). Defaults to `10`.
        max_epochs: Hyperband's largest number of epochs for one model.
            Defaults to `epochs`.
        epochs: epochs per trial (random, grid, Bayesian), unless `epochs`
            is in `space`. Defaults to `10`.
        batch_size: batch size unless `batch_size` is in `space`. Defaults
            to `64`.
        space: narrows the search space: a dict name -> a value (fixed), a
            list (choices), or a `(low, high)` range; `batch_size` and
            `epochs` may be tuned too. See `nnrecipes.tuning.space`.
            Defaults to `None`.
        tune_all: search every declared hyperparameter not in `space`
            (`True`), or only the ones in `space` (`False`: the others keep
            their defaults). `loss`, `quantile`, `decay_steps`,
            `warmup_steps` and the training techniques (label smoothing,
            weight decay, EMA, gradient accumulation, augmentation, MixUp,
            CutMix) are searched only when named in `space`.
            Defaults to `True`.
        directory: folder of the search's state. Defaults to `"tuning"`.
        project_name: subfolder of this search. Defaults to
            `"<recipe>_<dataset>_<tuner>"`.
        overwrite: start afresh instead of resuming a search found in
            `directory/project_name`. Defaults to `False` (resume).
        cv: `k` to score each trial by the mean of `k`-fold cross-validation
            (stratified for classification, forward-chaining for time
            series), or None for the one validation split. Defaults to
            `None`.
        strategy: where trials train: `"auto"`, `"default"`,
            `"one_device"`, `"mirrored"`, `"multi_worker"`, `"tpu"` or a
            `tf.distribute.Strategy` (see `nnrecipes.tuning.get_strategy`).
            Defaults to `"auto"`.
        mixed_precision: train in mixed precision (GPU or TPU only).
            Defaults to `False`.
        seed: seeds the tuner, the folds and the training. Defaults to `0`.
        data_dir: folder of file-based datasets. Defaults to
            `$NNRECIPES_DATA_DIR`.
        callbacks: extra Keras callbacks for every trial's `fit` (e.g. a
            diagnostics callback whose logged values can be the
            objective). Defaults to `None`.
        verbose: Keras `fit` verbosity in trials. Defaults to `0`.
        hyperband_factor: Hyperband's reduction factor. Defaults to `3`.
        view: view the dataset in an input kind the recipe takes (e.g.
            images as flat vectors for `mlp`), as `nnrecipes.train` does.
            Defaults to `True`.
        patience: each trial (and fold) stops once its validation objective
            (else `val_loss`) has not improved for this many epochs, and is
            scored at its best epoch; `None` or `0` trains every epoch.
            Defaults to `5`.
        **hyperparameters: hyperparameters fixed for the whole search.

    Returns:
        A `nnrecipes.tuning.TuneResult`.

    Example:
    ```python
    result = nnrecipes.tune("mlp", "digits", tuner="random", max_trials=10, cv=3,
                            space={"units": [64, 128, 256], "batch_size": [32, 64]})
    print(result.table())
    result.plot("trials.png")
    export_path = result.refit().export_path
    ```
    """
    from nnrecipes.tuning.results import TuneResult

    recipe = get_recipe(recipe)
    name = tuner_name(tuner)
    objective = make_objective(objective)
    for arg, value in (("max_trials", max_trials), ("epochs", epochs),
                       ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}")
    max_epochs = epochs if max_epochs is None else max_epochs
    if name == "hyperband" and (not isinstance(max_epochs, int) or max_epochs < 2):
        raise ValueError("Hyperband needs `max_epochs` >= 2 (it trains models for 1 to "
                         f"max_epochs epochs). Received: max_epochs={max_epochs!r}")
    splits = as_splits(train_data, validation_data, data_dir=data_dir, seed=seed)
    if view:
        splits = data.choose_view(splits, recipe)
    data.check_splits(splits)
    task = "classification" if splits.num_classes is not None else "regression"
    folds = None if cv is None else cv_lib.folds_for(splits, cv, seed=seed)
    fold_list = _fold_splits(splits, folds)
    steps = -(-len(fold_list[0].splits.x_train) // batch_size)
    hp, tune_new = space_lib.narrowed_hyperparameters(
        recipe, task, space, hyperparameters, tune_all=tune_all,
        held_values={"decay_steps": max(2, (max_epochs if name == "hyperband" else epochs)
                                        * steps)},
        tuner_controls_epochs=name == "hyperband")
    with distribute.mixed_precision_scope(mixed_precision):
        strategy_obj = distribute.get_strategy(strategy)
        hypermodel = RecipeHyperModel(recipe, _build_kwargs(splits), batch_size=batch_size,
                                      epochs=epochs, strategy=strategy_obj)
        project_name = project_name or f"{recipe.name}_{splits.name}_{name}".replace(":", "_")
        identity = json.loads(json.dumps({
            "recipe": recipe.name, "data": splits.summary(), "tuner": name,
            "objective": [objective.name, objective.direction], "cv": cv, "epochs": epochs,
            "max_epochs": max_epochs, "batch_size": batch_size, "seed": seed,
            "tune_all": bool(tune_all), "space": hp.get_config(),
            "hyperband_factor": hyperband_factor if name == "hyperband" else None},
            default=repr))
        project_dir = os.path.join(str(directory), project_name)
        _check_same_search(project_dir, identity, overwrite)
        search = make_tuner(name, hypermodel, objective=objective, max_trials=max_trials,
                            max_epochs=max_epochs, hyperparameters=hp,
                            tune_new_entries=tune_new, directory=directory,
                            project_name=project_name, overwrite=overwrite, seed=seed,
                            hyperband_factor=hyperband_factor)
        _record_search(search.project_dir, identity)
        search.configure(folds=fold_list, hypermodel=hypermodel, batch_size=batch_size,
                         epochs=epochs, seed=seed, callbacks=callbacks, verbose=verbose,
                         keep_weights=name == "hyperband", patience=patience)
        search.search()
    settings = {"recipe": recipe.name, "tuner": name, "objective": objective.name,
                "direction": objective.direction, "cv": cv, "epochs": epochs,
                "max_epochs": max_epochs, "batch_size": batch_size, "seed": seed,
                "mixed_precision": bool(mixed_precision), "task": task,
                "fixed": dict(hyperparameters), "patience": patience}
    return TuneResult(search, splits, settings, strategy=strategy_obj)
