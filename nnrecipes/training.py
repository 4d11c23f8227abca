"""The main job: train a recipe on a real dataset, evaluate it, export it."""

import dataclasses
import os
import shutil
import sys
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

from nnrecipes import data
from nnrecipes import export as export_lib
from nnrecipes.callbacks import EpochCheckpoint
from nnrecipes.callbacks import StopOnNonFinite
from nnrecipes.data.pipeline import _tensor_ready
from nnrecipes.registry import build
from nnrecipes.registry import get_recipe
from nnrecipes.registry import resolve_hyperparameters

# The dataset each family trains on when none is given: real data that comes
# with scikit-learn's wheel, so it needs no download. The 8x8 digit images are
# read as images (CNN), flat pixels (MLP) or 8 rows of 8 pixels (recurrent
# families and the Transformer).
DEFAULT_DATASET = "digits"
DEFAULT_EPOCHS = 20
DEFAULT_EXPORT_DIR = "saved_models"
# Where a run keeps its resumable checkpoint: hidden, so TensorFlow Serving,
# which loads integer version folders, never sees it.
CHECKPOINT_FOLDER = ".checkpoint"


@dataclasses.dataclass
class TrainResult:
    """What `train` returns.

    Attributes:
        model: the trained `keras.Model`.
        history: the `keras.callbacks.History` of `fit`.
        test_metrics: metrics on the held-out test split, e.g.
            `{"loss": 0.08, "accuracy": 0.97}`.
        export_path: the exported version folder, or None without export.
        manifest: the run's record (also written as `manifest.json`).
        stopped: where training broke on a NaN or infinite loss, or None.
    """

    model: keras.Model
    history: keras.callbacks.History
    test_metrics: dict
    export_path: str
    manifest: dict
    stopped: dict = None


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")


def choose_view(splits, recipe):
    """Returns `splits` in the first input kind the recipe accepts.

    The dataset's own kind wins; images are otherwise flattened or read row by
    row as sequences.
    """
    if splits.kind in recipe.input_kinds:
        return splits
    for kind in recipe.input_kinds:
        try:
            return splits.as_kind(kind)
        except ValueError:
            continue
    raise ValueError(
        f"Recipe {recipe.name!r} takes {list(recipe.input_kinds)} input, and dataset "
        f"{splits.name!r} holds {splits.kind} data that cannot be viewed so. "
        f"Received: recipe={recipe.name!r}, dataset={splits.name!r}"
    )


def check_splits(splits):
    """Rejects data a model cannot learn from, before any training starts."""
    for part in ("train", "val", "test"):
        x, y = getattr(splits, f"x_{part}"), getattr(splits, f"y_{part}")
        if len(x) == 0:
            raise ValueError(f"Dataset {splits.name!r} has an empty {part} split.")
        if len(x) != len(y):
            raise ValueError(
                f"Dataset {splits.name!r}: the {part} split has {len(x)} inputs but "
                f"{len(y)} targets."
            )
        for what, values in (("inputs", x), ("targets", y)):
            if np.issubdtype(values.dtype, np.number) and not np.isfinite(values).all():
                raise ValueError(
                    f"Dataset {splits.name!r}: the {part} {what} hold NaN or infinite "
                    "values; drop or impute them first."
                )
        if splits.num_classes is not None:
            bad = (y < 0) | (y >= splits.num_classes)
            if bad.any():
                raise ValueError(
                    f"Dataset {splits.name!r}: {part} labels must lie in "
                    f"0..{splits.num_classes - 1}. Received: {np.unique(y[bad])[:10].tolist()}"
                )


def _epoch_ordered(splits, batch_size, seed, first_epoch, epochs):
    """The training batches of epochs `first_epoch..epochs-1`, in a fixed order.

    Epoch `e` is shuffled with a seed made from `(seed, e)`, so a run resumed
    at epoch `e` sees exactly the batches an uninterrupted run would.
    """
    x, y = _tensor_ready(splits.x_train), _tensor_ready(splits.y_train)
    examples = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    count = len(splits.x_train)

    batches = None
    for epoch in range(first_epoch, epochs):
        one = examples.shuffle(count, seed=seed * 1_000_003 + epoch).batch(batch_size)
        batches = one if batches is None else batches.concatenate(one)
    return batches.prefetch(tf.data.AUTOTUNE)


def _check_run_options(epochs, batch_size, seed, export, version, overwrite):
    _positive_int("epochs", epochs)
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


def train(recipe, dataset=None, *, data_dir=None, epochs=DEFAULT_EPOCHS, batch_size=64,
          seed=0, deterministic=False, resume=False, export=True,
          export_dir=DEFAULT_EXPORT_DIR, version=None, overwrite=False, callbacks=None,
          verbose="auto", diagnostics=True, strategy=None, mixed_precision=False,
          export_formats=(), **hyperparameters):
    """Trains a recipe on a real dataset, evaluates it on held-out data, exports it.

    Every epoch end saves a checkpoint in `export_dir/<recipe>/.checkpoint/`
    (weights, optimizer state, random-generator states, history), so a run
    killed at any point continues from its last completed epoch with
    `resume=True`. Training stops at the first NaN or infinite loss, keeps
    the last good weights and does not export.

    Args:
        recipe: a recipe name, e.g. `"cnn"`.
        dataset: a name from `nnrecipes.data.list_datasets()`, a source such
            as `"csv:path"`, or your own `nnrecipes.data.Splits` (e.g. from
            `nnrecipes.data.from_arrays`). Defaults to `"digits"` (bundled
            with scikit-learn, no download).
        data_dir: folder of file-based datasets. Defaults to
            `$NNRECIPES_DATA_DIR`.
        epochs: passes over the training split. Defaults to `20`.
        batch_size: examples per step. Defaults to `64`.
        seed: seeds Python, NumPy and TensorFlow, the validation split and
            the order of each epoch. Defaults to `0`.
        deterministic: make TensorFlow's ops deterministic, so two runs with
            the same seed on the same machine give identical weights (slower;
            it stays on for the rest of the process). Defaults to `False`.
        resume: continue the interrupted run whose checkpoint is in
            `export_dir/<recipe>/.checkpoint/`; it must have been started with
            the same arguments. Without `resume`, such a checkpoint is an
            error rather than silently discarded. Defaults to `False`.
        export: whether to export the trained model. Defaults to `True`.
            Without an export (and without `resume`) the epoch checkpoints go
            to a temporary folder, so nothing is written under `export_dir`.
        export_dir: exports go to `export_dir/<recipe>/<version>/`. Defaults
            to `"saved_models"`.
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
            `tf.distribute.Strategy`; see `nnrecipes.tuning.get_strategy`.
            Only the chief exports. Defaults to `None` (the current device).
        mixed_precision: build the model with mixed precision
            (`"mixed_float16"` on a GPU, `"mixed_bfloat16"` on a TPU; the
            head stays float32). An error on a machine with neither.
            Defaults to `False`.
        export_formats: also export `"onnx"` (`model.onnx`) and/or
            `"litert"` (`model.tflite`); see `nnrecipes.export.formats`.
            Defaults to `()`.
        **hyperparameters: the recipe's hyperparameters.

    Returns:
        A `TrainResult`.

    Example:
    ```python
    result = nnrecipes.train("cnn", epochs=5)
    print(result.test_metrics, result.export_path)
    ```
    """
    recipe = get_recipe(recipe)
    _check_run_options(epochs, batch_size, seed, export, version, overwrite)
    export_formats = export_lib.formats.check_formats(export_formats)
    if export_formats and not export:
        raise ValueError(
            "`export_formats` adds files to the export, but export=False (--no-export) "
            f"turns the export off. Received: export_formats={export_formats}")
    if export:
        export_lib.check_export_dir(export_dir)
        if version is not None and not overwrite and os.path.exists(
                os.path.join(export_dir, recipe.name, str(version))):
            raise FileExistsError(
                f"Export version {version} of {recipe.name!r} already exists in "
                f"{export_dir!r} and is never overwritten; pass overwrite=True "
                f"(--overwrite) to replace it. Received: version={version}"
            )
    if isinstance(dataset, data.Splits):
        splits = dataset
    else:
        splits = data.load(dataset or DEFAULT_DATASET, data_dir=data_dir, seed=seed)
    task = "classification" if splits.num_classes is not None else "regression"
    # Check the hyperparameters before the expensive work.
    values = resolve_hyperparameters(recipe, hyperparameters, task)
    splits = choose_view(splits, recipe)
    check_splits(splits)
    if batch_size > len(splits.x_train):
        raise ValueError(
            f"`batch_size` is larger than the training split ({len(splits.x_train)} "
            f"examples of {splits.name!r}). Received: batch_size={batch_size}"
        )
    steps_per_epoch = -(-len(splits.x_train) // batch_size)
    if values["lr_schedule"] != "constant" and "decay_steps" not in hyperparameters:
        # A schedule spans the whole run unless the user says otherwise.
        hyperparameters = dict(hyperparameters, decay_steps=max(2, epochs * steps_per_epoch))
        values = resolve_hyperparameters(recipe, hyperparameters, task)

    run = {"recipe": recipe.name, "dataset": splits.name, "hyperparameters": values,
           "epochs": epochs, "batch_size": batch_size, "seed": seed,
           "deterministic": bool(deterministic)}
    if export or resume:
        checkpoint_dir = os.path.join(export_dir, recipe.name, CHECKPOINT_FOLDER)
    else:  # nothing is to be written under export_dir
        checkpoint_dir = tempfile.mkdtemp(prefix=f"nnrecipes-{recipe.name}-checkpoint-")
    checkpoint = EpochCheckpoint(checkpoint_dir, run)
    state = checkpoint.latest()
    if state is not None and not resume:
        raise FileExistsError(
            f"An interrupted run left a checkpoint in {checkpoint.directory!r} (epoch "
            f"{state['epoch']} of {state['run'].get('epochs')}). Pass resume=True (--resume) "
            "to continue it, or delete that folder to start over."
        )
    if state is not None and state["run"] != run:
        changed = sorted(k for k in run if state["run"].get(k) != run[k])
        raise ValueError(
            f"The checkpoint in {checkpoint.directory!r} belongs to a run with other "
            f"arguments ({', '.join(changed)} differ); resume with the same arguments, or "
            f"delete that folder to start over. Received: "
            f"{ {k: run[k] for k in changed} }"
        )

    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    # Normalization, text vectorization and column encodings are adapted on
    # the training split only and become the model's first layers, so the
    # exports take raw input.
    from nnrecipes.tuning import distribute

    strategy = distribute.get_strategy(strategy or "default")
    with distribute.mixed_precision_scope(mixed_precision), strategy.scope():
        model = build(recipe.name, num_classes=splits.num_classes,
                      num_outputs=splits.num_outputs, **data.preprocessing_for(splits),
                      **hyperparameters)
    _, val_data, test_data = data.as_datasets(splits, batch_size=batch_size, seed=seed)
    if values.get("lsuv"):
        from nnrecipes.initializers import lsuv_init

        lsuv_init(model, data.make_dataset(splits.x_train[:512], batch_size=512,
                                           cache=False).get_single_element(), seed=seed)
    first_epoch = 0
    if state is not None:
        first_epoch = checkpoint.restore(model)["epoch"]
    stop = StopOnNonFinite()
    callbacks = [stop, checkpoint, *(callbacks or [])]
    watcher = None
    if diagnostics and first_epoch < epochs:
        from nnrecipes.diagnostics import TrainingDiagnostics

        # Per-layer figures stay out of the progress bar; the report and the
        # plots read them from the callback's own history.
        watcher = TrainingDiagnostics(probe=splits.x_val, per_layer_logs=False)
        callbacks.insert(0, watcher)
    if verbose == "auto":  # a progress bar on a terminal, a line per epoch in a log
        verbose = 1 if sys.stdout.isatty() else 2
    start = time.perf_counter()
    history = keras.callbacks.History()  # stays empty when a resumed run had finished
    if first_epoch < epochs:
        history = distribute.fit(
            model, _epoch_ordered(splits, batch_size, seed, first_epoch, epochs),
            epochs=epochs, initial_epoch=first_epoch, steps_per_epoch=steps_per_epoch,
            validation_data=val_data, shuffle=False, callbacks=callbacks, verbose=verbose,
            strategy=strategy)
    train_seconds = time.perf_counter() - start
    manifest = {
        "recipe": recipe.name,
        "task": task,
        "hyperparameters": values,
        "dataset": splits.summary(),
        "class_names": splits.class_names,
        "training": {"epochs": epochs, "batch_size": batch_size, "seed": seed,
                     "deterministic": bool(deterministic), "resumed_at_epoch": first_epoch,
                     "seconds": round(train_seconds, 2)},
        "history": checkpoint.history,
    }
    if watcher is not None:
        manifest["health"] = watcher.report.to_dict()
    elif diagnostics:  # resumed after the last epoch: judge the recorded history
        from nnrecipes.diagnostics import diagnose

        manifest["health"] = diagnose(checkpoint.history).to_dict()
    if stop.stopped:
        shutil.rmtree(checkpoint.directory, ignore_errors=True)
        manifest["stopped"] = dict(stop.stopped, message=stop.message())
        return TrainResult(model, history, {}, None, manifest, stop.stopped)
    test_metrics = distribute.evaluate(model, test_data, strategy=strategy)
    test_metrics = {k: float(v) for k, v in test_metrics.items()}
    manifest["metrics"] = {
        "test": test_metrics,
        "baseline": export_lib.baseline_metrics(splits),
        "final_epoch": {k: v[-1] for k, v in checkpoint.history.items()},
    }
    export_path = None
    if export and distribute.is_chief():
        export_path = export_lib.export_model(
            model, os.path.join(export_dir, recipe.name), manifest, version=version,
            overwrite=overwrite, formats=export_formats,
            before_publish=watcher and (lambda staging: watcher.save_plots(
                os.path.join(staging, "plots"))))
    shutil.rmtree(checkpoint.directory, ignore_errors=True)
    return TrainResult(model, history, test_metrics, export_path, manifest)
