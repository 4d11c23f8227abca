"""What a search gives back: best hyperparameters, a ranked table of trials,
a plot of the objective per trial, and `refit`."""

import dataclasses
import json
import os

import numpy as np

from nnrecipes import engine
from nnrecipes import export as export_lib
from nnrecipes.export import DEFAULT_EXPORT_DIR
from nnrecipes.families import knobs
from nnrecipes.registry import get_recipe


def _clean(values, settings=None):
    """A trial's values without KerasTuner's bookkeeping (`tuner/...`) and,
    given the search's `settings`, without the knobs that do not apply to
    its data (held at their defaults)."""
    values = {k: v for k, v in values.items() if not k.startswith("tuner/")}
    if settings and settings.get("kind"):
        values = knobs.applicable_values(values, settings["kind"], settings["knob_task"])
    return values


class TuneResult:
    """The outcome of `nnrecipes.tune`.

    Attributes:
        tuner: the KerasTuner tuner (its project folder holds the state).
        trials_run_here: ids of the trials this process ran (in a
            distributed search, each worker's own share).
        splits: the data searched on (a `nnrecipes.data.Splits`).
        settings: the search's settings (recipe, tuner, objective, cv...).
        best_hyperparameters: the best trial's values, a dict.
        trials: every trial, best first: dicts with `rank`, `trial_id`,
            `status`, `score`, `std` (over the folds), `hyperparameters`,
            `metrics`, `epochs`, `batch_size`.
    """

    def __init__(self, tuner, splits, settings, strategy=None):
        self.tuner = tuner
        self.splits = splits
        self.settings = settings
        self.strategy = strategy
        self.trials = self._collect()
        self.trials_run_here = list(getattr(tuner, "_nn_ran", []))
        finished = [t for t in self.trials if t["score"] is not None]
        self.best_hyperparameters = dict(finished[0]["hyperparameters"]) if finished else None

    def _collect(self):
        oracle = self.tuner.oracle
        objective = self.settings["objective"]
        rows = []
        # A worker of a distributed search holds no trials: the chief's oracle
        # does (and reports the best); a worker knows the ones it ran.
        for trial in getattr(oracle, "trials", {}).values():
            record = {}
            path = os.path.join(self.tuner.project_dir, f"trial_{trial.trial_id}",
                                "nnrecipes.json")
            if os.path.isfile(path):
                with open(path) as f:
                    record = json.load(f)
            metrics = {name: trial.metrics.get_last_value(name)
                       for name in trial.metrics.metrics}
            values = trial.hyperparameters.values
            rows.append({
                "trial_id": trial.trial_id,
                "status": str(trial.status),
                "score": trial.score,
                "std": metrics.get(f"{objective}_std") if self.settings.get("cv") else None,
                "hyperparameters": _clean(values, self.settings),
                "metrics": metrics,
                "epochs": int(values.get("tuner/epochs", record.get("epochs",
                                                                    self.settings["epochs"]))),
                "batch_size": int(values.get("batch_size", self.settings["batch_size"])),
                "best_epoch": record.get("best_epoch"),
                "tuner_id": record.get("tuner_id"),
                "folds": record.get("folds"),
            })
        sign = 1.0 if self.settings["direction"] == "min" else -1.0
        rows.sort(key=lambda r: (r["score"] is None,
                                 sign * r["score"] if r["score"] is not None else 0.0,
                                 r["trial_id"]))
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return rows

    @property
    def best_trial(self):
        """The best finished trial's row (see `trials`)."""
        return self.trials[0] if self.best_hyperparameters is not None else None

    def varying(self):
        """Names of the hyperparameters whose value differs between trials."""
        names = sorted({k for t in self.trials for k in t["hyperparameters"]})
        return [n for n in names
                if len({repr(t["hyperparameters"].get(n)) for t in self.trials}) > 1]

    def table(self, top=None, columns=None):
        """The trials ranked by the objective, as text.

        Args:
            top: show only the best `top` trials. Defaults to all.
            columns: hyperparameters to show. Defaults to the ones that vary.

        Returns:
            A string: one line per trial with rank, trial id, objective
            (mean +/- std over folds with `cv`), epochs and the values.
        """
        objective = self.settings["objective"]
        columns = self.varying() if columns is None else list(columns)
        head = ["rank", "trial", objective, "std", "epochs", *columns]
        lines = [head]
        for row in self.trials[:top]:
            score = "-" if row["score"] is None else f"{row['score']:.4f}"
            std = "-" if row["std"] is None else f"{row['std']:.4f}"
            cells = [str(row["rank"]), row["trial_id"], score, std, str(row["epochs"])]
            for name in columns:
                value = row["hyperparameters"].get(name, "")
                cells.append(f"{value:.4g}" if isinstance(value, float) else str(value))
            lines.append(cells)
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip()
                         for line in lines)

    def to_csv(self, path):
        """Writes the ranked table (every hyperparameter) as CSV; returns `path`."""
        import csv

        names = sorted({k for t in self.trials for k in t["hyperparameters"]})
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["rank", "trial_id", "status", self.settings["objective"], "std",
                             "epochs", "batch_size", *names])
            for t in self.trials:
                writer.writerow([t["rank"], t["trial_id"], t["status"], t["score"], t["std"],
                                 t["epochs"], t["batch_size"],
                                 *[t["hyperparameters"].get(n, "") for n in names]])
        return path

    def plot(self, path=None):
        """Plots the objective of each trial, in the order they ran, with the
        spread over folds and the best so far.

        Args:
            path: a file to save the figure to (e.g. `"trials.png"`).
                Defaults to `None` (not saved).

        Returns:
            The `matplotlib.figure.Figure`.
        """
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        rows = sorted((t for t in self.trials if t["score"] is not None),
                      key=lambda t: t["trial_id"])
        x = np.arange(1, len(rows) + 1)
        y = np.array([t["score"] for t in rows], dtype="float64")
        err = np.array([t["std"] or 0.0 for t in rows], dtype="float64")
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.errorbar(x, y, yerr=err, fmt="o", capsize=3, label="trial (mean +/- std)")
        if len(y):
            best = (np.minimum.accumulate(y) if self.settings["direction"] == "min"
                    else np.maximum.accumulate(y))
            ax.step(x, best, where="post", label="best so far")
        ax.set_xlabel("trial")
        ax.set_ylabel(self.settings["objective"])
        ax.set_title(f"{self.settings['recipe']}: {self.settings['tuner']} search")
        ax.legend()
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=100)
            plt.close(fig)
        return fig

    def summary(self):
        """A dict for logs and manifests: settings, best values, trial count."""
        best = self.best_trial
        return {"settings": self.settings, "trials": len(self.trials),
                "best": None if best is None else {
                    "trial_id": best["trial_id"], "score": best["score"], "std": best["std"],
                    "epochs": best["epochs"], "batch_size": best["batch_size"],
                    "hyperparameters": best["hyperparameters"]}}

    def refit(self, *, epochs=None, batch_size=None, export=True,
              export_dir=DEFAULT_EXPORT_DIR, name=None, resume=False, verbose=0):
        """Trains the best configuration on the training plus validation data,
        evaluates it on the test split and exports it, through the same
        engine as `nnrecipes.train` (stop on NaN, LSUV, the search's
        strategy and mixed precision, a checkpoint after every epoch).

        There is no validation data left to stop early on, so it trains for
        the epochs at which the best trial's objective was best (the mean
        over its folds), and a learning-rate schedule spans those epochs on
        the full data.

        Args:
            epochs: epochs of the final training. Defaults to the best
                trial's best epoch.
            batch_size: Defaults to the best trial's batch size.
            export: export the model. Defaults to `True`.
            export_dir: exports go to `export_dir/<name>/<version>/`.
                Defaults to `"saved_models"`.
            name: the model's name (see `nnrecipes.train`). Defaults to
                `None`: `"<recipe>_<dataset>"`.
            resume: continue an interrupted refit of the same configuration
                from its checkpoint (`export_dir/<name>/.refit-checkpoint`).
                Defaults to `False` (such a checkpoint is then an error).
                A refit holds its model folder's run lock as `train` does:
                a live run of the same model there refuses it.
            verbose: Keras `fit` verbosity. Defaults to `0`.

        Returns:
            A `nnrecipes.engine.TrainResult`.
        """
        best = self.best_trial
        if best is None:
            raise ValueError("The search has no finished trial to refit. Received: "
                             f"{len(self.trials)} trials, none finished")
        epochs = epochs or best.get("best_epoch") or best["epochs"]
        batch_size = batch_size or best["batch_size"]
        seed = self.settings["seed"]
        splits = self.splits
        recipe = get_recipe(self.settings["recipe"])
        # Train and validation parts together, in their order (time order for
        # series); the test part stays held out.
        full = dataclasses.replace(
            splits, x_train=np.concatenate([splits.x_train, splits.x_val]),
            y_train=np.concatenate([splits.y_train, splits.y_val]))
        values = dict(best["hyperparameters"])
        values.pop("batch_size", None)
        values.pop("epochs", None)
        if values.get("lr_schedule", "constant") != "constant" and \
                "decay_steps" not in self.settings.get("fixed", {}):
            values.pop("decay_steps", None)  # recomputed for this run's length
        base = os.path.join(export_dir, export_lib.model_name(recipe.name, splits.name, name))
        run = engine.Run(recipe, full, values, model_dir=base, epochs=epochs,
                         batch_size=batch_size, seed=seed, strategy=self.strategy,
                         mixed_precision=self.settings.get("mixed_precision", False),
                         validate=False, refit=True, key={"trial_id": best["trial_id"]})
        return run.execute(resume=resume, export=export, verbose=verbose,
                           manifest={"tuning": self.summary(), "dataset": splits.summary()})
