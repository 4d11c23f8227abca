"""One run of a recipe, from viewed data to its export: `engine.Run`.

`nnrecipes.train` and `TuneResult.refit` are short calls of `Run.execute`, so
they resolve the hyperparameters the same way, check a resumed checkpoint the
same way (naming what changed), keep the diagnostics' history across a resume,
write the same manifest (health report, plots, the baseline comparison) and
both warn when the model does not beat the baseline. Every tuning trial's fold
is a `Run.fit` (built from the trial's `hp`, no checkpoint, no test data) and
`nnrecipes.lr_find` a `Run.lr_find`: the data are viewed and checked
(`prepare_data`) and the hyperparameters resolved in this one place.
"""

import shutil
import tempfile
import warnings

import keras

from nnrecipes import data
from nnrecipes.data import backend as data_backend
from nnrecipes import export as export_lib
from nnrecipes.callbacks import EpochCheckpoint
from nnrecipes.engine import distribute
from nnrecipes.engine.outcome import conclude
from nnrecipes.engine.run import DEFAULT_MONITOR
from nnrecipes.engine.run import DEFAULT_PATIENCE
from nnrecipes.engine.run import batch_size_for
from nnrecipes.engine.run import build_model
from nnrecipes.engine.run import default_epochs
from nnrecipes.engine.run import epoch_budget_text
from nnrecipes.engine.run import fit
from nnrecipes.engine.run import run_hyperparameters
from nnrecipes.engine.run import task_of
from nnrecipes.families import knobs


def prepare_data(splits, recipe):
    """`splits` viewed in an input kind `recipe` takes (`nnrecipes.data.choose_view`)
    and checked (`nnrecipes.data.check_splits`, and off TensorFlow that it holds no
    strings): what every run trains on.

    Example:
    >>> nnrecipes.engine.prepare_data(nnrecipes.data.load("digits"),
    ...                               nnrecipes.get_recipe("mlp")).kind
    'tabular'
    """
    splits = data.choose_view(splits, recipe)
    data.check_splits(splits)
    data_backend.check_backend_takes(splits)  # strings: TensorFlow only
    return splits


def beats_baseline(report):
    """Whether an evaluation report's model beats its input-blind baseline:
    accuracy above the majority class's, or an RMSE below the baseline's.

    Returns:
        `True`, `False`, or `None` when the report has no baseline figure.

    Example:
    >>> nnrecipes.engine.beats_baseline({"accuracy": 0.9, "majority_accuracy": 0.4})
    True
    """
    if "accuracy" in report and "majority_accuracy" in report:
        return report["accuracy"] > report["majority_accuracy"]
    if "rmse_ratio" in report:
        return report["rmse_ratio"] < 1.0
    return None


class Run:
    """One run: hyperparameters resolved once, data viewed and checked, the
    checkpoint and resume, `fit`, evaluation, health report and export.

    `execute` is a whole run (`nnrecipes.train`, `TuneResult.refit`); `fit`
    trains without checkpoint, test data or export (each fold of a tuning
    trial); `lr_find` runs the learning-rate range test on the run's model
    (`nnrecipes.lr_find`).

    Args:
        recipe: a `Recipe`.
        splits: the `nnrecipes.data.Splits` to train on (viewed for the
            recipe and checked here).
        hyperparameters: the user's hyperparameters (resolved here, once).
            Defaults to `None` (the defaults).
        hp: a KerasTuner `HyperParameters` to build from instead (a tuning
            trial's). Defaults to `None`.
        model_dir: the model's folder, `export_dir/<name>`; needed by
            `execute` with `export` or `resume`. Defaults to `None`.
        epochs: most epochs. Defaults to `None`: `engine.default_epochs`.
        batch_size: Defaults to `None`: `engine.batch_size_for`.
        seed: Defaults to `0`.
        deterministic: turn on TensorFlow's op determinism. Defaults to `False`.
        strategy: a strategy name or `tf.distribute.Strategy`. Defaults to
            `None` (the current device).
        mixed_precision: Defaults to `False`.
        validate: validate (and stop early) on `x_val`. Defaults to `True`.
        patience, monitor: early stopping, as in `engine.fit`.
        diagnostics: watch the run with `TrainingDiagnostics`. Defaults to `True`.
        refit: a refit of a search (its own checkpoint folder and lock
            label). Defaults to `False`.
        key: more facts a resumed checkpoint must match, e.g. a trial id.

    Example:
    ```python
    run = nnrecipes.engine.Run(nnrecipes.get_recipe("mlp"), nnrecipes.data.load("wine"),
                               {"units": 32}, model_dir="saved_models/mlp_wine", epochs=3)
    result = run.execute(export=False)
    ```
    """

    def __init__(self, recipe, splits, hyperparameters=None, *, hp=None, model_dir=None,
                 epochs=None, batch_size=None, seed=0, deterministic=False, strategy=None,
                 mixed_precision=False, validate=True, patience=DEFAULT_PATIENCE,
                 monitor=DEFAULT_MONITOR, diagnostics=True, refit=False, key=None):
        self.recipe, self.model_dir, self.seed, self.hp = recipe, model_dir, seed, hp
        self.splits = prepare_data(splits, recipe)
        self.batch_size = batch_size_for(self.splits, batch_size)
        self.epochs_rule = None
        if epochs is None:
            epochs = default_epochs(len(self.splits.x_train), self.batch_size)
            self.epochs_rule = epoch_budget_text()
        self.epochs = epochs
        if hp is not None:  # a trial: its schedule's length is held in `hp`
            self.hyperparameters = None
            self.values = recipe.search_space(hp, task_of(self.splits, forecasting=False))
        else:
            self.hyperparameters, self.values = run_hyperparameters(
                recipe, self.splits, hyperparameters or {}, epochs=epochs,
                batch_size=self.batch_size)
        # Only the augmentation knobs that apply to this data reach the pipeline.
        self.augmentation = knobs.augmentation_values(
            self.values, self.splits.kind, task_of(self.splits), asked=hyperparameters or ())
        self.deterministic, self.strategy = bool(deterministic), strategy
        self.mixed_precision, self.validate = bool(mixed_precision), validate
        self.patience, self.monitor, self.diagnostics = patience, monitor, diagnostics
        self.refit = refit
        self.key = {"recipe": recipe.name, "dataset": self.splits.name,
                    "hyperparameters": self.values, "epochs": epochs,
                    "batch_size": self.batch_size, "seed": seed,
                    "deterministic": self.deterministic, "patience": patience,
                    "monitor": monitor, **(key or {})}

    def open_checkpoint(self, directory, resume):
        """The run's `EpochCheckpoint` in `directory` and its latest state
        (or None); refuses a checkpoint without `resume`, and one of a run
        with other arguments, naming them."""
        checkpoint = EpochCheckpoint(directory, self.key)
        state = checkpoint.latest()
        if state is not None and not resume:
            raise FileExistsError(
                f"An interrupted run left a checkpoint in {checkpoint.directory!r} (epoch "
                f"{state['epoch']} of {state['run'].get('epochs')}). Pass resume=True (--resume) "
                "to continue it, or delete that folder to start over.")
        if state is not None and state["run"] != self.key:
            changed = sorted(k for k in set(self.key) | set(state["run"])
                             if state["run"].get(k) != self.key.get(k))
            raise ValueError(
                f"The checkpoint in {checkpoint.directory!r} belongs to a run with other "
                f"arguments ({', '.join(changed)} differ); resume with the same arguments, or "
                f"delete that folder to start over. Received: "
                f"{ {k: self.key.get(k) for k in changed} }")
        return checkpoint, state

    def manifest(self, fitted, checkpoint, first_epoch, extra=None):
        """The run's manifest before evaluation (`engine.conclude` adds the rest)."""
        from nnrecipes.export import manifest as manifest_lib

        record = manifest_lib.Manifest(
            recipe=self.recipe.name, task=task_of(self.splits, forecasting=False),
            hyperparameters=knobs.applicable_values(self.values, self.splits.kind,
                                                    task_of(self.splits)),
            dataset=self.splits.summary(), class_names=self.splits.class_names,
            training={"epochs": self.epochs, "epochs_rule": self.epochs_rule,
                      "batch_size": self.batch_size, "seed": self.seed,
                      "deterministic": self.deterministic, "resumed_at_epoch": first_epoch,
                      "seconds": round(fitted.seconds, 2),
                      "mixed_precision": self.mixed_precision,
                      "data": "train+validation" if self.refit else "train"},
            history=checkpoint.history).to_dict()
        record.update(extra or {})
        if self.diagnostics and fitted.diagnostics is None:
            # Resumed after the last epoch: judge the recorded history.
            from nnrecipes.diagnostics import diagnose

            record["health"] = diagnose(checkpoint.diagnostics_history
                                        or checkpoint.history).to_dict()
        return record

    def execute(self, *, resume=False, export=True, version=None, overwrite=False,
                formats=(), manifest=None, callbacks=None, verbose=0):
        """Trains, evaluates and (with `export`) exports the run.

        Args:
            resume: continue the run's interrupted checkpoint. Defaults to `False`.
            export: export to `model_dir/<version>/`. Defaults to `True`.
            version, overwrite, formats: as in `nnrecipes.export.export_model`.
            manifest: more manifest entries, e.g. `{"tuning": ...}`.
            callbacks: extra Keras callbacks. Defaults to `None`.
            verbose: Keras `fit` verbosity. Defaults to `0`.

        Returns:
            A `nnrecipes.engine.TrainResult`.
        """
        if (export or resume) and self.model_dir is None:
            raise ValueError("A run that exports or resumes needs its `model_dir`. Received: "
                             f"model_dir=None, export={export}, resume={resume}")
        lock = None
        if export or resume:
            what = "a refit" if self.refit else "a training run"
            lock = export_lib.claims.RunLock(self.model_dir, what).acquire()  # or refused
            directory = export_lib.claims.checkpoint_dir(self.model_dir, refit=self.refit)
        else:  # nothing is to be written under export_dir
            directory = tempfile.mkdtemp(prefix=f"nnrecipes-{self.recipe.name}-checkpoint-")
        try:
            checkpoint, state = self.open_checkpoint(directory, resume)
            model, strategy = self._build(export, version if overwrite else None)
            first_epoch = checkpoint.restore(model)["epoch"] if state is not None else 0
            fitted = fit(model, self.splits, epochs=self.epochs, batch_size=self.batch_size,
                         seed=self.seed, strategy=strategy, initial_epoch=first_epoch,
                         validate=self.validate, patience=self.patience, monitor=self.monitor,
                         checkpoint=checkpoint, diagnostics=self.diagnostics,
                         augmentation=self.augmentation, callbacks=callbacks, verbose=verbose)
            record = self.manifest(fitted, checkpoint, first_epoch, manifest)
            result = conclude(model, self.splits, fitted, record, batch_size=self.batch_size,
                              strategy=strategy, export=export, export_base=self.model_dir,
                              version=version, overwrite=overwrite, formats=formats)
            shutil.rmtree(checkpoint.directory, ignore_errors=True)
        finally:
            if lock is not None:
                lock.release()
        self._warn_if_no_better_than_baseline(result)
        return result

    def fit(self, *, initial_epoch=0, weights=None, callbacks=None, verbose=0):
        """Builds and trains the run's model, with no checkpoint, test data or
        export: one fold of a tuning trial.

        Args:
            initial_epoch: epochs already done (a continued Hyperband trial).
                Defaults to `0`.
            weights: a `.weights.h5` file (weights and optimizer state) to
                start from. Defaults to `None`.
            callbacks: extra Keras callbacks. Defaults to `None`.
            verbose: Keras `fit` verbosity. Defaults to `0`.

        Returns:
            `(model, fitted)`: the trained model and its `engine.FitResult`.
        """
        model, strategy = self._build(False, None)
        if weights is not None:
            # The optimizer's slots are part of the saved state: build them
            # first so training goes on where the weights were saved.
            model.optimizer.build(model.trainable_variables)
            model.load_weights(weights)
        fitted = fit(model, self.splits, epochs=self.epochs, batch_size=self.batch_size,
                     seed=self.seed, strategy=strategy, initial_epoch=initial_epoch,
                     validate=self.validate, patience=self.patience, monitor=self.monitor,
                     diagnostics=self.diagnostics, augmentation=self.augmentation,
                     callbacks=callbacks, verbose=verbose)
        return model, fitted

    def lr_find(self, **kwargs):
        """The learning-rate range test on the run's model and shuffled
        training batches (`nnrecipes.diagnostics.find_learning_rate`, whose
        keyword arguments `kwargs` are); the model is built as `execute`
        builds it. Returns an `LRFinderResult`."""
        from nnrecipes.diagnostics import find_learning_rate

        model, _ = self._build(False, None)
        train_data, _, _ = data.as_datasets(self.splits, batch_size=self.batch_size,
                                            seed=self.seed)
        return find_learning_rate(model, train_data, seed=self.seed, **kwargs)

    def _build(self, export, replacing):
        if self.deterministic and keras.backend.backend() == "tensorflow":
            import tensorflow as tf  # here: the engine imports on every backend

            tf.config.experimental.enable_op_determinism()
        if self.refit:  # after a search's many models
            keras.backend.clear_session()
        strategy = distribute.get_strategy(self.strategy or "default")  # a Strategy as is
        model = build_model(self.recipe, self.splits, self.hyperparameters, hp=self.hp,
                            strategy=strategy, mixed_precision=self.mixed_precision,
                            seed=self.seed)
        if export:  # the name's versions take one kind of input: refuse now, not after training
            export_lib.check_inputs(self.model_dir, model, {"dataset": self.splits.summary()},
                                    replacing=replacing)
        return model, strategy

    def _warn_if_no_better_than_baseline(self, result):
        report = result.manifest.get("evaluation")
        if result.stopped or not report or beats_baseline(report) is not False:
            return
        from nnrecipes import evaluation

        warnings.warn(
            f"The {'refit ' if self.refit else ''}{self.recipe.name} model on "
            f"{self.splits.name!r} does not beat the input-blind baseline on the test split: "
            f"{evaluation.summary_line(report)}. Train longer, or check the data and "
            "hyperparameters.", UserWarning, stacklevel=4)
