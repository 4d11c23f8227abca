"""The main job: train a recipe on a real dataset, evaluate it, export it."""

import dataclasses
import os
import time

import keras
import numpy as np

from nnrecipes import data
from nnrecipes import export as export_lib
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
    """

    model: keras.Model
    history: keras.callbacks.History
    test_metrics: dict
    export_path: str
    manifest: dict


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


def train(recipe, dataset=None, *, data_dir=None, epochs=DEFAULT_EPOCHS, batch_size=64,
          seed=0, export=True, export_dir=DEFAULT_EXPORT_DIR, callbacks=None,
          verbose="auto", diagnostics=True, **hyperparameters):
    """Trains a recipe on a real dataset, evaluates it on held-out data, exports it.

    Args:
        recipe: a recipe name, e.g. `"cnn"`.
        dataset: a name from `nnrecipes.data.list_datasets()`. Defaults to
            `"digits"` (bundled with scikit-learn, no download).
        data_dir: folder of file-based datasets. Defaults to
            `$NNRECIPES_DATA_DIR`.
        epochs: passes over the training split. Defaults to `20`.
        batch_size: examples per step. Defaults to `64`.
        seed: seeds Python, NumPy and TensorFlow, and the validation split.
            Defaults to `0`.
        export: whether to export the trained model. Defaults to `True`.
        export_dir: exports go to `export_dir/<recipe>/<version>/`. Defaults
            to `"saved_models"`.
        callbacks: extra Keras callbacks for `fit`. Defaults to `None`.
        verbose: Keras's `fit` verbosity (`"auto"` shows the progress bar).
        diagnostics: watch the run with `nnrecipes.diagnostics.TrainingDiagnostics`
            (gradient norms in the logs, dead/saturated units on validation
            examples), store its health report in the manifest under
            `"health"` and save its plots in the export's `plots/` folder.
            Defaults to `True`.
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
    _positive_int("epochs", epochs)
    _positive_int("batch_size", batch_size)
    dataset = dataset or DEFAULT_DATASET
    splits = data.load(dataset, data_dir=data_dir, seed=seed)
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

    if values["lr_schedule"] != "constant" and "decay_steps" not in hyperparameters:
        # A schedule spans the whole run unless the user says otherwise.
        hyperparameters = dict(hyperparameters, decay_steps=max(
            2, epochs * -(-len(splits.x_train) // batch_size)))
        values = resolve_hyperparameters(recipe, hyperparameters, task)
    keras.utils.set_random_seed(seed)
    # Normalization, text vectorization and column encodings are adapted on
    # the training split only and become the model's first layers, so the
    # exports take raw input.
    model = build(recipe.name, num_classes=splits.num_classes,
                  num_outputs=splits.num_outputs, **data.preprocessing_for(splits),
                  **hyperparameters)
    train_data, val_data, test_data = data.as_datasets(splits, batch_size=batch_size,
                                                       seed=seed)
    if values.get("lsuv"):
        from nnrecipes.initializers import lsuv_init

        lsuv_init(model, data.make_dataset(splits.x_train[:512], batch_size=512,
                                           cache=False).get_single_element(), seed=seed)
    callbacks = list(callbacks or [])
    watcher = None
    if diagnostics:
        from nnrecipes.diagnostics import TrainingDiagnostics

        watcher = TrainingDiagnostics(probe=splits.x_val)
        callbacks.insert(0, watcher)
    start = time.perf_counter()
    history = model.fit(train_data, validation_data=val_data, epochs=epochs, shuffle=False,
                        callbacks=callbacks, verbose=verbose)
    train_seconds = time.perf_counter() - start
    test_metrics = model.evaluate(test_data, verbose=0, return_dict=True)
    test_metrics = {k: float(v) for k, v in test_metrics.items()}
    manifest = {
        "recipe": recipe.name,
        "task": task,
        "hyperparameters": values,
        "dataset": splits.summary(),
        "class_names": splits.class_names,
        "training": {"epochs": epochs, "batch_size": batch_size, "seed": seed,
                     "seconds": round(train_seconds, 2)},
        "metrics": {
            "test": test_metrics,
            "final_epoch": {k: float(v[-1]) for k, v in history.history.items()},
        },
    }
    if watcher is not None:
        manifest["health"] = watcher.report.to_dict()
    export_path = None
    if export:
        export_path = export_lib.export_model(model, os.path.join(export_dir, recipe.name),
                                              manifest)
        if watcher is not None:
            watcher.save_plots(os.path.join(export_path, "plots"))
    return TrainResult(model, history, test_metrics, export_path, manifest)
