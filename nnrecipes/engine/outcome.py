"""The end of every run: test metrics and the evaluation report beside their
baselines, the manifest, and the export, the same for `nnrecipes.train` and
`TuneResult.refit`."""

import dataclasses
import os

import keras
import numpy as np

from nnrecipes import data
from nnrecipes import evaluation
from nnrecipes import export as export_lib
from nnrecipes.engine import distribute
from nnrecipes.engine.run import evaluate


@dataclasses.dataclass
class TrainResult:
    """What `nnrecipes.train` and `TuneResult.refit` return.

    Attributes:
        model: the trained `keras.Model` (the kept epoch's weights).
        history: the `keras.callbacks.History` of `fit`.
        test_metrics: Keras metrics on the held-out test split, e.g.
            `{"loss": 0.08, "accuracy": 0.97}`.
        export_path: the exported version folder, or None without export.
        manifest: the run's record (also written as `manifest.json`); its
            `"evaluation"` holds per-class figures or errors beside their
            baseline.
        stopped: where training broke on a NaN or infinite loss, or None.
    """

    model: keras.Model
    history: keras.callbacks.History
    test_metrics: dict
    export_path: str
    manifest: dict
    stopped: dict = None

    def predict(self, x, *, batch_size=256):
        """The model's outputs on raw inputs `x`, as `nnrecipes.predict` gives
        them (a table's columns matched by name from this run's manifest).

        Example:
        ```python
        splits = nnrecipes.data.load("adult")
        probabilities = nnrecipes.train("mlp", splits, epochs=3).predict(splits.x_test)
        ```
        """
        return export_lib.predict.predict(self.model, x, batch_size=batch_size,
                                          manifest=self.manifest)


def conclude(model, splits, fitted, manifest, *, batch_size=64, strategy=None, export=True,
             export_base=None, version=None, overwrite=False, formats=()):
    """Evaluates a trained model on the test split and exports it.

    Args:
        model: the trained model.
        splits: its `nnrecipes.data.Splits`.
        fitted: the `nnrecipes.engine.FitResult` of its training.
        manifest: the run's record so far (recipe, hyperparameters, data,
            training); this adds `early_stopping`, `health`, `metrics`,
            `evaluation` and, after a NaN, `stopped`.
        batch_size: evaluation batch size. Defaults to `64`.
        strategy: where it trained. Defaults to `None`.
        export: export the model (on the chief only). Defaults to `True`.
        export_base: the recipe's export folder, `export_dir/<recipe>`.
        version, overwrite, formats: as in `nnrecipes.export.export_model`.

    Returns:
        A `TrainResult`.
    """
    if fitted.early_stopping is not None:
        manifest["early_stopping"] = fitted.early_stopping
    if fitted.diagnostics is not None:
        manifest["health"] = fitted.diagnostics.report.to_dict()
    if fitted.stopped:
        manifest["stopped"] = dict(fitted.stopped)
        return TrainResult(model, fitted.history, {}, None, manifest, fitted.stopped)
    test_metrics = evaluate(model, splits, batch_size=batch_size, strategy=strategy)
    predictions = distribute.predict(
        model, data.make_dataset(splits.x_test, batch_size=batch_size), strategy=strategy)
    report = evaluation.evaluate_predictions(splits, np.asarray(predictions))
    manifest["metrics"] = {"test": test_metrics,
                           "baseline": evaluation.baseline_metrics(splits),
                           "final_epoch": {k: v[-1] for k, v in fitted.history.history.items()
                                           if v}}
    manifest["evaluation"] = report
    export_path = None
    if export and distribute.is_chief():
        def plots(staging):
            folder = os.path.join(staging, "plots")
            if fitted.diagnostics is not None:
                fitted.diagnostics.save_plots(folder)
            if "confusion_matrix" in report:
                evaluation.plot_confusion_matrix(report,
                                                 os.path.join(folder, "confusion_matrix.png"))

        export_path = export_lib.export_model(model, export_base, manifest, version=version,
                                              overwrite=overwrite, formats=formats,
                                              before_publish=plots)
    return TrainResult(model, fitted.history, test_metrics, export_path, manifest)

