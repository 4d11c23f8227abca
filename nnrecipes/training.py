"""The main job: train a recipe on a real dataset, evaluate it, export it;
and the learning-rate range test of a recipe. Both run on `nnrecipes.engine`."""

import dataclasses
import os
import sys

from nnrecipes import data
from nnrecipes import engine
from nnrecipes import export as export_lib
from nnrecipes.families import auto
from nnrecipes.registry import get_recipe

# The dataset each family trains on when none is given: real data that comes
# with scikit-learn's wheel, so it needs no download. The 8x8 digit images are
# read as images (CNN), flat pixels (MLP) or 8 rows of 8 pixels (recurrent
# families and the Transformer).
DEFAULT_DATASET = "digits"
# `None`: enough epochs for about `engine.BUDGET_STEPS` steps, between
# `engine.BUDGET_EPOCHS` (see `engine.default_epochs`).
DEFAULT_EPOCHS = None
DEFAULT_EXPORT_DIR = export_lib.DEFAULT_EXPORT_DIR
# Where a run keeps its resumable checkpoint, in its model's folder.
CHECKPOINT_FOLDER = export_lib.claims.CHECKPOINT_FOLDER


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")


def _check_run_options(epochs, batch_size, seed, export, version, overwrite):
    if epochs is not None:
        _positive_int("epochs", epochs)
    if batch_size is not None:
        _positive_int("batch_size", batch_size)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`seed` must be an integer >= 0. Received: seed={seed!r}")
    if not export and (version is not None or overwrite):
        raise ValueError(
            "`version` and `overwrite` choose where an export goes, but export=False "
            f"(--no-export) turns the export off. Received: export={export}, "
            f"version={version!r}, overwrite={overwrite}"
        )
    if overwrite and version is None:
        raise ValueError(
            "overwrite=True replaces one existing version: name it with version=N. "
            "Received: overwrite=True, version=None"
        )


def train(recipe, dataset=None, *, data_dir=None, epochs=DEFAULT_EPOCHS, batch_size=None,
          seed=0, deterministic=False, resume=False, export=True,
          export_dir=DEFAULT_EXPORT_DIR, name=None, version=None, overwrite=False,
          callbacks=None,
          verbose="auto", diagnostics=True, strategy=None, mixed_precision=False,
          export_formats=(), patience=engine.DEFAULT_PATIENCE,
          monitor=engine.DEFAULT_MONITOR, time_budget=None, **hyperparameters):
    """Trains a recipe on a real dataset, evaluates it on held-out data, exports it.

    Training stops early once the validation loss has not improved for
    `patience` epochs, and the best epoch's weights are the ones evaluated
    and exported (the manifest's `"early_stopping"` says which and why).
    Every epoch end saves a checkpoint in `export_dir/<name>/.checkpoint/`
    (weights, optimizer state, random-generator states, history, the best
    weights so far), so a run killed at any point continues from its last
    completed epoch with `resume=True`. Training stops at the first NaN or
    infinite loss, keeps the last good weights and does not export. A run
    holds its model folder's run lock from start to end: a second live run
    of the same model in the same `export_dir` is refused at its start
    (`nnrecipes.export.claims.ModelBusyError`, naming the live run).

    Args:
        recipe: a recipe name, e.g. `"cnn"`, or `"auto"`: without your
            hyperparameters, `auto` trains its portfolio for the data's kind
            (`nnrecipes.families.portfolio`: the linear model first, then the
            others, fastest first, within `time_budget`), picks one on
            validation (cross-validation under 2,000 examples, then a refit on
            train + validation) or averages the top two when that is better
            on validation, and exports the pick as one model to
            `export_dir/auto_<dataset>/`; the manifest's `"auto"` lists every
            candidate with its validation score and why the pick won. With
            your hyperparameters, `auto` trains the recipe and defaults that
            `nnrecipes.families.auto.choose_for` picks (your values win over
            its defaults) and exports to `export_dir/<recipe>_<dataset>/`.
        dataset: a name from `nnrecipes.data.list_datasets()`, a source such
            as `"csv:path"`, or your own `nnrecipes.data.Splits` (e.g. from
            `nnrecipes.data.from_arrays`). Defaults to `"digits"` (bundled
            with scikit-learn, no download).
        data_dir: folder of file-based datasets. Defaults to
            `$NNRECIPES_DATA_DIR`.
        epochs: the most passes over the training split (early stopping may
            end sooner). Defaults to `None`: enough for about
            `nnrecipes.engine.BUDGET_STEPS` (4,000) steps, between 20 and 200
            epochs (`nnrecipes.engine.default_epochs`); the manifest records
            the number used.
        batch_size: examples per step. Defaults to `None`: 64, or the whole
            training split when it is smaller (`nnrecipes.engine.batch_size_for`).
        seed: seeds Python, NumPy and TensorFlow, the validation split and
            the order of each epoch. Defaults to `0`.
        deterministic: make TensorFlow's ops deterministic, so two runs with
            the same seed on the same machine give identical weights (slower;
            it stays on for the rest of the process). Defaults to `False`.
        resume: continue the interrupted run whose checkpoint is in
            `export_dir/<name>/.checkpoint/`; it must have been started with
            the same arguments. Without `resume`, such a checkpoint is an
            error rather than silently discarded. Defaults to `False`.
        export: whether to export the trained model. Defaults to `True`.
            Without an export (and without `resume`) the epoch checkpoints go
            to a temporary folder, so nothing is written under `export_dir`.
        export_dir: exports go to `export_dir/<name>/<version>/`. Defaults
            to `"saved_models"`.
        name: the model's name, the folder of its versions (TensorFlow
            Serving serves them as one model, so they must take the same
            inputs: an export whose inputs differ from the latest version's
            is refused before training). Defaults to `None`:
            `"<recipe>_<dataset>"`, e.g. `"mlp_wine"`.
        version: the export's integer version. Defaults to the next free one.
        overwrite: replace an existing `version`. Defaults to `False`.
        callbacks: extra Keras callbacks for `fit`. Defaults to `None`.
        verbose: Keras's `fit` verbosity. Defaults to `"auto"`: the progress
            bar when stdout is a terminal, else one line per epoch.
        diagnostics: watch the run with `nnrecipes.diagnostics.TrainingDiagnostics`
            (global gradient norms in the logs; per-layer norms, update ratios
            and dead/saturated units on validation examples in its plots and
            report), store its health report in the manifest under
            `"health"` and save its plots in the export's `plots/` folder.
            Defaults to `True`.
        strategy: where to train: `"auto"`, `"default"`, `"one_device"`,
            `"mirrored"`, `"multi_worker"` (the cluster in `TF_CONFIG`; run
            the same call on every worker), `"tpu"`, or a
            `tf.distribute.Strategy`; see `nnrecipes.engine.get_strategy`.
            Only the chief exports. Defaults to `None` (the current device).
        mixed_precision: build the model with mixed precision
            (`"mixed_float16"` on a GPU, `"mixed_bfloat16"` on a TPU; the
            head stays float32). An error on a machine with neither.
            Defaults to `False`.
        export_formats: also export `"onnx"` (`model.onnx`) and/or
            `"litert"` (`model.tflite`); see `nnrecipes.export.formats`.
            Defaults to `()`.
        patience: stop after this many epochs without a better `monitor`;
            `None` runs every epoch but still keeps the best one; `0` turns
            early stopping off (the last epoch is kept). Defaults to `"auto"`:
            5 epochs, or 200 optimizer steps when those take more epochs
            (`nnrecipes.engine.patience_for`).
        monitor: the validation metric early stopping watches, e.g.
            `"val_accuracy"`. Defaults to `"val_loss"`.
        time_budget: seconds for all of `auto`'s candidates together.
            Defaults to `None`: `nnrecipes.engine.portfolio.DEFAULT_BUDGET_SECONDS`.
        **hyperparameters: the recipe's hyperparameters.

    Returns:
        A `TrainResult`.

    Example:
    ```python
    result = nnrecipes.train("cnn", epochs=5)
    print(result.test_metrics, result.export_path)
    ```
    """
    _check_run_options(epochs, batch_size, seed, export, version, overwrite)
    if name is not None:
        export_lib.claims.check_name(name)
    asked_auto, own_values = auto.is_auto(recipe), dict(hyperparameters)
    recipe, splits, choice, hyperparameters = _recipe_and_data(
        recipe, dataset, data_dir, seed, hyperparameters)
    export_formats = _check_export(export, export_dir, export_formats)
    if verbose == "auto":  # a progress bar on a terminal, a line per epoch in a log
        verbose = 1 if sys.stdout.isatty() else 2
    if asked_auto and not own_values:  # auto's portfolio (nnrecipes.engine.portfolio)
        return _train_portfolio(splits, choice, locals())
    if time_budget is not None:
        raise ValueError("`time_budget` is the time of `auto`'s portfolio, which trains "
                         "when recipe='auto' is given no hyperparameters. Received: "
                         f"recipe={recipe.name!r}, time_budget={time_budget!r}")
    model_dir = os.path.join(export_dir, export_lib.model_name(recipe.name, splits.name, name))
    _check_version_free(model_dir, export, version, overwrite, export_dir)
    run = engine.Run(recipe, splits, hyperparameters, model_dir=model_dir, epochs=epochs,
                     batch_size=batch_size, seed=seed, deterministic=deterministic,
                     strategy=strategy, mixed_precision=mixed_precision, patience=patience,
                     monitor=monitor, diagnostics=diagnostics)
    return run.execute(resume=resume, export=export, version=version, overwrite=overwrite,
                       formats=export_formats, callbacks=callbacks, verbose=verbose,
                       manifest={"auto": None if choice is None else choice.to_dict()})


def _train_portfolio(splits, choice, call):
    """`auto`'s portfolio for a `train` call (`call`: its arguments by name)."""
    from nnrecipes.engine import portfolio
    from nnrecipes.families import portfolio as declared

    if call["resume"]:
        raise ValueError("`auto`'s portfolio trains its candidates without a resumable "
                         "checkpoint; resume a run of one recipe (pass its name), or start "
                         "over. Received: recipe='auto', resume=True")
    model_dir = os.path.join(call["export_dir"], export_lib.model_name(
        auto.NAME, splits.name, call["name"]))
    _check_version_free(model_dir, call["export"], call["version"], call["overwrite"],
                        call["export_dir"])
    task = engine.task_of(splits, forecasting=False)
    options = portfolio.Options(
        model_dir=model_dir, epochs=call["epochs"], batch_size=call["batch_size"],
        seed=call["seed"], deterministic=call["deterministic"], strategy=call["strategy"],
        mixed_precision=call["mixed_precision"], patience=call["patience"],
        monitor=call["monitor"], diagnostics=call["diagnostics"],
        callbacks=call["callbacks"], verbose=call["verbose"])
    budget = call["time_budget"] or portfolio.DEFAULT_BUDGET_SECONDS
    record = dict(choice.to_dict(), portfolio_reason=declared.reason_for(splits.kind, task))
    # The rule's recipe gets the rule's defaults (its size rules) in the portfolio too.
    candidates = [dataclasses.replace(c, hyperparameters={**choice.hyperparameters,
                                                          **c.hyperparameters})
                  if c.name == choice.recipe else c
                  for c in declared.candidates_for(splits.kind, task)]
    return portfolio.train_portfolio(
        splits, candidates, options=options, budget=budget,
        export=call["export"], version=call["version"], overwrite=call["overwrite"],
        formats=call["export_formats"], auto=record)


def _recipe_and_data(recipe, dataset, data_dir, seed, hyperparameters):
    """The `Recipe`, the `Splits`, `auto`'s choice (or None) and the
    hyperparameters (the user's over `auto`'s defaults) of a `train` call."""
    choice = None
    splits = dataset if isinstance(dataset, data.Splits) else None
    if auto.is_auto(recipe):
        if splits is None:
            splits = data.load(dataset or DEFAULT_DATASET, data_dir=data_dir, seed=seed)
        choice = auto.choose_for(splits)
        recipe, hyperparameters = choice.recipe, {**choice.hyperparameters, **hyperparameters}
    recipe = get_recipe(recipe)  # an unknown name fails before the data loads
    if splits is None:
        splits = data.load(dataset or DEFAULT_DATASET, data_dir=data_dir, seed=seed)
    return recipe, splits, choice, hyperparameters


def _check_export(export, export_dir, export_formats):
    export_formats = export_lib.formats.check_formats(export_formats)
    if export_formats and not export:
        raise ValueError(
            "`export_formats` adds files to the export, but export=False (--no-export) "
            f"turns the export off. Received: export_formats={export_formats}")
    if export:
        export_lib.check_export_dir(export_dir)
    return export_formats


def _check_version_free(model_dir, export, version, overwrite, export_dir):
    if export and version is not None and not overwrite and os.path.exists(
            os.path.join(model_dir, str(version))):
        raise FileExistsError(
            f"Export version {version} of {os.path.basename(model_dir)!r} already exists in "
            f"{export_dir!r} and is never overwritten; pass overwrite=True "
            f"(--overwrite) to replace it. Received: version={version}"
        )


def lr_find(recipe, dataset=None, *, data_dir=None, batch_size=None, seed=0, num_steps=100,
            start_lr=1e-7, end_lr=10.0, plot_path=None, **hyperparameters):
    """Runs the LR range test on a recipe, built and fed as `nnrecipes.train` does.

    It is an `nnrecipes.engine.Run`, as a training run is: the dataset is
    viewed and checked and the hyperparameters resolved the same way; the
    model gets the same preprocessing layers (adapted on the training split)
    and the recipe's optimizer; the test runs on the shuffled training
    pipeline (`Run.lr_find`).

    Args:
        recipe: a recipe name, e.g. `"cnn"`.
        dataset: a dataset name or a `nnrecipes.data.Splits`. Defaults to
            `"digits"`.
        data_dir: folder of file-based datasets. Defaults to
            `$NNRECIPES_DATA_DIR`.
        batch_size: examples per step. Defaults to `None`: as `train`.
        seed: seeds the model and the shuffling. Defaults to `0`.
        num_steps: most steps of the test. Defaults to `100`.
        start_lr: first learning rate. Defaults to `1e-7`.
        end_lr: last learning rate. Defaults to `10.0`.
        plot_path: where to save the loss-vs-LR PNG. Defaults to `None`.
        **hyperparameters: the recipe's hyperparameters.

    Returns:
        An `LRFinderResult`.

    Example:
    ```python
    result = nnrecipes.lr_find("mlp", "digits", plot_path="lr.png")
    nnrecipes.train("mlp", "digits", learning_rate=result.suggestion)
    ```
    """
    recipe = get_recipe(recipe)
    if isinstance(dataset, data.Splits):
        splits = dataset
    else:
        splits = data.load(dataset or DEFAULT_DATASET, data_dir=data_dir, seed=seed)
    run = engine.Run(recipe, splits, hyperparameters, batch_size=batch_size, seed=seed)
    return run.lr_find(num_steps=num_steps, start_lr=start_lr, end_lr=end_lr,
                       plot_path=plot_path)
