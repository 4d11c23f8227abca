"""`tune`: a KerasTuner search over a recipe's own search space.

This module turns `tune`'s arguments into a search: the data (`as_splits`),
the cross-validation folds, the narrowed space (`nnrecipes.tuning.space`),
the objective (`objective`), the hypermodel (`hypermodel`) and the tuner with
its trial runner (`trials`), and checks that a search resumed in the same
folder is the same search. KerasTuner's project folder holds the state, so a
search that is killed and started again with the same arguments goes on
where it stopped.
"""

import dataclasses
import json
import os

import numpy as np

from nnrecipes import data
from nnrecipes import engine
from nnrecipes.engine import distribute
from nnrecipes.families import auto
from nnrecipes.registry import get_recipe
from nnrecipes.tuning import cv as cv_lib
from nnrecipes.tuning import space as space_lib
from nnrecipes.tuning.hypermodel import RecipeHyperModel
from nnrecipes.tuning.objective import make_objective
from nnrecipes.tuning.trials import Fold
from nnrecipes.tuning.trials import make_tuner
from nnrecipes.tuning.trials import tuner_name
from nnrecipes.tuning.trials import write_json_atomically

DEFAULT_DIRECTORY = "tuning"


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
        return [Fold(splits)]
    x = np.concatenate([splits.x_train, splits.x_val])
    y = np.concatenate([splits.y_train, splits.y_val])
    return [Fold(dataclasses.replace(splits, x_train=x[t], y_train=y[t], x_val=x[v],
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
    write_json_atomically(os.path.join(project_dir, SETTINGS_FILE), settings)


def tune(recipe, train_data="digits", validation_data=None, *, tuner="hyperband",
         objective="val_loss", max_trials=10, max_epochs=None, epochs=10, batch_size=None,
         space=None, tune_all=True, directory=DEFAULT_DIRECTORY, project_name=None,
         overwrite=False, cv=None, strategy="auto", mixed_precision=False, seed=0,
         data_dir=None, callbacks=None, verbose=0, hyperband_factor=3, view=True,
         patience=engine.DEFAULT_PATIENCE, **hyperparameters):
    """Searches a recipe's hyperparameters with KerasTuner.

    The search space is the recipe's own declaration (`nnrecipes info
    RECIPE` lists it), narrowed by `space` and `**hyperparameters`.

    Args:
        recipe: a recipe name, e.g. `"mlp"`, or `"auto"`: the family that
            `nnrecipes.families.auto.choose_for` picks for the data (its
            whole space is searched; `settings["auto"]` says why).
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
            to `None`: 64, or the training split's size when smaller
            (`nnrecipes.engine.batch_size_for`).
        space: narrows the search space: a dict name -> a value (fixed), a
            list (choices), or a `(low, high)` range; `batch_size` and
            `epochs` may be tuned too. See `nnrecipes.tuning.space`.
            Defaults to `None`.
        tune_all: search every hyperparameter not in `space` that applies
            to the data's kind and task and that tuning searches by default,
            over its default search range (`True`; see
            `nnrecipes.families.knobs`), or only the ones in `space`
            (`False`: the others keep their defaults). A knob named in
            `space` is searched whatever its facts say.
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
            `tf.distribute.Strategy` (see `nnrecipes.engine.get_strategy`).
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
            Defaults to `"auto"` (`nnrecipes.engine.patience_for`).
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

    choice = None
    if auto.is_auto(recipe):  # the family the rule picks; its whole space is searched
        train_data = as_splits(train_data, validation_data, data_dir=data_dir, seed=seed)
        validation_data, choice = None, auto.choose_for(train_data)
        recipe = choice.recipe
    recipe = get_recipe(recipe)
    name = tuner_name(tuner)
    objective = make_objective(objective)
    for arg, value in (("max_trials", max_trials), ("epochs", epochs),
                       ("batch_size", 1 if batch_size is None else batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}")
    max_epochs = epochs if max_epochs is None else max_epochs
    if name == "hyperband" and (not isinstance(max_epochs, int) or max_epochs < 2):
        raise ValueError("Hyperband needs `max_epochs` >= 2 (it trains models for 1 to "
                         f"max_epochs epochs). Received: max_epochs={max_epochs!r}")
    splits = as_splits(train_data, validation_data, data_dir=data_dir, seed=seed)
    kind = splits.kind  # the knobs that apply are the data's own, before a view
    if view:  # each fold's `engine.Run` views and checks it again (the same view)
        splits = engine.prepare_data(splits, recipe)
    else:
        data.check_splits(splits)
    folds = None if cv is None else cv_lib.folds_for(splits, cv, seed=seed)
    fold_list = _fold_splits(splits, folds)
    batch_size = engine.batch_size_for(fold_list[0].splits, batch_size)
    steps = -(-len(fold_list[0].splits.x_train) // batch_size)
    hp, tune_new = space_lib.narrowed_hyperparameters(
        recipe, engine.task_of(splits), space, hyperparameters, tune_all=tune_all,
        held_values={"decay_steps": max(2, (max_epochs if name == "hyperband" else epochs)
                                        * steps)},
        tuner_controls_epochs=name == "hyperband", kind=kind)
    with distribute.mixed_precision_scope(mixed_precision):
        strategy_obj = distribute.get_strategy(strategy)
        hypermodel = RecipeHyperModel(recipe, engine.build_arguments(splits),
                                      batch_size=batch_size, epochs=epochs,
                                      strategy=strategy_obj)
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
                "mixed_precision": bool(mixed_precision),
                "task": engine.task_of(splits, forecasting=False),
                "kind": kind, "knob_task": engine.task_of(splits),
                "fixed": dict(hyperparameters), "patience": patience}
    if choice is not None:
        settings["auto"] = choice.to_dict()
    return TuneResult(search, splits, settings, strategy=strategy_obj)
