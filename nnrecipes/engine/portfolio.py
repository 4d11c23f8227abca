"""`auto`'s portfolio at run time: train the declared candidates fastest first
within a time budget, pick one on validation (or average the top members
when validation says the average is better), and evaluate and export the
pick as one plain Keras model.

Each candidate is one `engine.Run` without export. On small data (fewer than
`SMALL_DATA_ROWS` training and validation examples together)
cross-validation decides: each candidate is scored on `CV_FOLDS` folds of
train + validation (out-of-fold predictions; forward-chaining folds for the
windows of a series), and the pick is then refit on train + validation for
the mean of its folds' kept epochs. The candidates come from
`nnrecipes.families.portfolio`.

Example:
```python
splits = nnrecipes.data.load("wine")
result = nnrecipes.engine.portfolio.train_portfolio(
    splits, nnrecipes.families.portfolio.candidates_for("tabular"),
    model_dir="saved_models/auto_wine", epochs=5, export=False)
print(result.manifest["auto"]["candidates"])
```
"""

import dataclasses
import time
import warnings

import keras
import numpy as np

from nnrecipes import data
from nnrecipes import export as export_lib
from nnrecipes.engine.outcome import conclude
from nnrecipes.engine.run import DEFAULT_MONITOR
from nnrecipes.engine.run import DEFAULT_PATIENCE
from nnrecipes.engine.run import FitResult
from nnrecipes.engine.run import task_of
from nnrecipes.engine.session import Run
from nnrecipes.registry import get_recipe

# Fewer training + validation examples than this: cross-validation decides.
SMALL_DATA_ROWS = 2000
CV_FOLDS = 3
# The default time budget of all candidates together, in seconds. A
# candidate still training at the deadline stops at the end of its batch
# (its best epoch so far is kept); later candidates are not started. The
# first (linear) candidate always trains. Not yet sized against issue 23's
# ratios (text within 3x a TF-IDF + LR grid, tables within 5x gradient
# boosting), which a single default mlp already misses (RESULTS.md, "Recipe
# speed"); it caps the portfolio at 10 minutes on any data.
DEFAULT_BUDGET_SECONDS = 600.0
# How many of the best members the average may hold.
AVERAGE_TOP = 2


class Deadline(keras.callbacks.Callback):
    """Stops training at a `time.monotonic()` deadline (after the current batch)."""

    def __init__(self, deadline):
        super().__init__()
        self.deadline = deadline
        self.hit = False

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() >= self.deadline:
            self.hit = True
            self.model.stop_training = True


class LinearStart(keras.callbacks.Callback):
    """Starts a linear classifier (a softmax `head` right on the preprocessed
    features) at scikit-learn's logistic regression on the same features,
    its penalty `C` chosen on validation, as a forecaster's autoregressive
    path starts at its ridge fit: training then starts from the classical
    linear baseline. Does nothing where the features are wider than
    `max_features` (a TF-IDF vector) or the model has no softmax head.

    Args:
        x_train, y_train: the training examples (raw) and labels.
        x_val, y_val: the validation examples and labels.
        max_features: the widest features it fits. Defaults to `2048`.
        max_examples: it fits on at most this many training examples (a
            seeded sample). Defaults to `20000`.
    """

    C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)

    def __init__(self, x_train, y_train, x_val, y_val, max_features=2048,
                 max_examples=20000):
        super().__init__()
        if len(x_train) > max_examples:
            keep = np.sort(np.random.default_rng(0).permutation(len(x_train))[:max_examples])
            x_train, y_train = x_train[keep], np.asarray(y_train)[keep]
        self.parts = (x_train, y_train, x_val, y_val)
        self.max_features = max_features
        self.chosen = None

    def on_train_begin(self, logs=None):
        names = [layer.name for layer in self.model.layers]
        if "head" not in names or names[-1] != "head":
            return
        head = self.model.get_layer("head")
        if head.get_config().get("activation") != "softmax" or \
                head.kernel.shape[0] > self.max_features:
            return
        from sklearn.linear_model import LogisticRegression

        features = keras.Model(self.model.inputs, head.input)
        x_train, y_train, x_val, y_val = self.parts
        f_train, f_val = outputs_of(features, x_train), outputs_of(features, x_val)
        y_train, y_val = np.asarray(y_train).reshape(-1), np.asarray(y_val).reshape(-1)
        best = None
        for c in self.C_GRID:
            fitted = LogisticRegression(C=c, max_iter=1000).fit(f_train, y_train)
            accuracy = float(np.mean(fitted.predict(f_val) == y_val))
            if best is None or accuracy > best[0]:
                best = (accuracy, c, fitted)
        kernel, bias = _softmax_weights(best[2], head.kernel.shape[1])
        head.set_weights([kernel.astype("float32"), bias.astype("float32")])
        self.chosen = best[1]


def _softmax_weights(fitted, classes):
    """A softmax layer's kernel and bias equal to a fitted `LogisticRegression`
    (a binary one's single score split as -s/2, +s/2 over the two classes)."""
    coef, intercept = np.asarray(fitted.coef_, "float64"), np.asarray(fitted.intercept_)
    kernel = np.zeros((coef.shape[1], classes))
    bias = np.zeros(classes)
    labels = np.asarray(fitted.classes_, "int64")
    if coef.shape[0] == 1:  # binary: p(class 1) = sigmoid(s)
        kernel[:, labels[0]], kernel[:, labels[1]] = -coef[0] / 2, coef[0] / 2
        bias[labels[0]], bias[labels[1]] = -intercept[0] / 2, intercept[0] / 2
    else:
        kernel[:, labels], bias[labels] = coef.T, intercept
        bias[np.setdiff1d(np.arange(classes), labels)] = -1e3  # unseen in training
    return kernel, bias


def _starts(candidate, splits):
    """The callbacks that start `candidate` (the linear start for a linear classifier)."""
    if candidate.hyperparameters.get("num_layers") != 0 or splits.num_classes is None:
        return []
    return [LinearStart(splits.x_train, splits.y_train, splits.x_val, splits.y_val)]


@dataclasses.dataclass
class Options:
    """What every candidate's `engine.Run` takes (as `nnrecipes.train` passes it)."""

    model_dir: str
    epochs: int = None
    batch_size: int = None
    seed: int = 0
    deterministic: bool = False
    strategy: object = None
    mixed_precision: bool = False
    patience: object = DEFAULT_PATIENCE
    monitor: str = DEFAULT_MONITOR
    diagnostics: bool = True
    callbacks: list = None
    verbose: int = 0

    def run(self, candidate, splits, **changes):
        """The `engine.Run` of `candidate` on `splits`."""
        arguments = dict(model_dir=self.model_dir, epochs=self.epochs,
                         batch_size=self.batch_size, seed=self.seed,
                         deterministic=self.deterministic, strategy=self.strategy,
                         mixed_precision=self.mixed_precision, patience=self.patience,
                         monitor=self.monitor, diagnostics=self.diagnostics)
        arguments.update(changes)
        return Run(get_recipe(candidate.recipe), splits, dict(candidate.hyperparameters),
                   **arguments)


@dataclasses.dataclass
class Scored:
    """A trained candidate: its validation outputs and score."""

    candidate: object
    outputs: np.ndarray
    error: float
    seconds: float
    result: object = None  # the TrainResult (None after cross-validation until refit)
    view: object = None  # the Splits its model was trained on (viewed for its recipe)
    epochs: int = None  # the mean kept epoch of its folds (cross-validation)
    stopped_at_deadline: bool = False


def outputs_of(model, x, batch_size=256):
    """The model's outputs on raw inputs `x` (probabilities or forecasts)."""
    return np.asarray(model.predict(data.make_dataset(x, batch_size=batch_size), verbose=0),
                      "float64")


def error_of(splits, outputs, y):
    """The validation error that picks: 1 - accuracy (classes) or RMSE."""
    y = np.asarray(y)
    if splits.num_classes is not None:
        return float(np.mean(np.argmax(outputs, axis=-1) != y.reshape(-1)))
    return float(np.sqrt(np.mean((outputs.reshape(y.shape) - y) ** 2)))


def score_text(splits, error):
    """A validation error as the figure people read: accuracy or RMSE."""
    if splits.num_classes is not None:
        return f"validation accuracy {1.0 - error:.4f}"
    return f"validation RMSE {error:.4g}"


def small_data(splits):
    """Whether cross-validation decides (fewer than `SMALL_DATA_ROWS` examples)."""
    return len(splits.x_train) + len(splits.x_val) < SMALL_DATA_ROWS


def folds_of(splits, cv=CV_FOLDS, seed=0):
    """`cv` folds `(train_index, validation_index)` over train + validation:
    forward chaining for the windows of a series, stratified for classes."""
    from sklearn import model_selection

    n = len(splits.x_train) + len(splits.x_val)
    info = splits.info or {}
    if "window" in info:  # a validation block never precedes its training windows
        gap = int(info["window"]) + int(info.get("horizon", 1)) - 1
        return list(model_selection.TimeSeriesSplit(n_splits=cv, gap=gap).split(np.arange(n)))
    y = np.concatenate([np.asarray(splits.y_train), np.asarray(splits.y_val)])
    if splits.num_classes is not None and np.unique(y, return_counts=True)[1].min() >= cv:
        splitter = model_selection.StratifiedKFold(cv, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(n), y.reshape(n, -1)[:, 0]))
    return list(model_selection.KFold(cv, shuffle=True, random_state=seed).split(np.arange(n)))


def _train_quietly(run, options, deadline, candidate):
    """`run.execute(export=False)`; its warnings (a loser below the baseline) kept quiet."""
    stop = Deadline(deadline)
    starts = _starts(candidate, run.splits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = run.execute(export=False,
                             callbacks=[*starts, stop, *(options.callbacks or [])],
                             verbose=options.verbose)
    if starts and starts[0].chosen is not None:
        result.manifest["training"]["linear_start"] = {
            "from": "scikit-learn LogisticRegression on the same features",
            "C": starts[0].chosen}
    return result, stop.hit


def train_on_validation(candidate, splits, options, deadline):
    """Trains `candidate` on the training split and scores it on validation."""
    start = time.monotonic()
    run = options.run(candidate, splits)
    result, hit = _train_quietly(run, options, deadline, candidate)
    outputs = outputs_of(result.model, run.splits.x_val)
    return Scored(candidate, outputs, error_of(run.splits, outputs, run.splits.y_val),
                  time.monotonic() - start, result, run.splits, stopped_at_deadline=hit)


def cross_validate(candidate, splits, options, deadline, folds):
    """Scores `candidate` by its out-of-fold predictions on train + validation."""
    start = time.monotonic()
    x = np.concatenate([splits.x_train, splits.x_val])
    y = np.concatenate([splits.y_train, splits.y_val])
    outputs, kept, hit, scored = None, [], False, np.zeros(len(y), bool)
    for train_index, val_index in folds:
        fold = dataclasses.replace(splits, x_train=x[train_index], y_train=y[train_index],
                                   x_val=x[val_index], y_val=y[val_index])
        run = options.run(candidate, fold, diagnostics=False)
        result, fold_hit = _train_quietly(run, options, deadline, candidate)
        fold_outputs = outputs_of(result.model, run.splits.x_val)
        if outputs is None:
            outputs = np.zeros((len(y), *fold_outputs.shape[1:]))
        outputs[val_index], scored[val_index] = fold_outputs, True
        stopping = result.manifest.get("early_stopping") or {}
        kept.append(stopping.get("kept_epoch") or run.epochs)
        hit = hit or fold_hit
    # Forward-chaining folds leave the first block unscored: score the scored ones.
    outputs = outputs[scored]
    error = error_of(splits, outputs, y[scored])
    return Scored(candidate, outputs, error, time.monotonic() - start,
                  epochs=max(1, int(round(float(np.mean(kept))))), stopped_at_deadline=hit,
                  view=dataclasses.replace(splits, x_val=x[scored], y_val=y[scored]))


def refit(scored, splits, options):
    """Refits a cross-validated candidate on train + validation for its epochs."""
    full = dataclasses.replace(splits, x_train=np.concatenate([splits.x_train, splits.x_val]),
                               y_train=np.concatenate([splits.y_train, splits.y_val]))
    run = options.run(scored.candidate, full, epochs=scored.epochs, validate=False)
    result, _ = _train_quietly(run, options, float("inf"), scored.candidate)
    result.manifest["training"]["data"] = "train+validation"
    scored.result, scored.view = result, run.splits
    return scored


def same_inputs(models):
    """Whether `models` all take one input of one shape and dtype (so they average)."""
    specs = {(tuple(m.inputs[0].shape[1:]), str(m.inputs[0].dtype)) for m in models}
    return len(models) > 1 and all(len(m.inputs) == 1 for m in models) and len(specs) == 1


def average_model(models, name="portfolio_average"):
    """One plain Keras model whose output is the mean of `models`' outputs
    (the members' probabilities, or their forecasts), compiled as the first.

    Example:
    ```python
    average = nnrecipes.engine.portfolio.average_model([model_a, model_b])
    average.save("average.keras")
    ```
    """
    if not same_inputs(models):
        raise ValueError("Only models that take the same one input can be averaged. Received: "
                         f"inputs={[[tuple(i.shape) for i in m.inputs] for m in models]}")
    inputs = keras.Input(shape=models[0].inputs[0].shape[1:], dtype=models[0].inputs[0].dtype,
                         name="inputs")
    # Each member under a name of its own (two recipes' models share one name).
    members = [keras.Model(m.inputs[0], m.outputs[0], name=f"member_{i + 1}")
               for i, m in enumerate(models)]
    outputs = [member(inputs) for member in members]
    average = keras.Model(inputs, keras.layers.Average(name="average", dtype="float32")(outputs),
                          name=name)
    average.compile(loss=models[0].loss, metrics=_metrics_of(models[0]))
    return average


def _metrics_of(model):
    config = model.get_compile_config() or {}
    metrics = config.get("metrics")
    return keras.saving.deserialize_keras_object(metrics) if metrics else None


def train_candidates(splits, candidates, options, deadline):
    """Trains `candidates` in order until the deadline (the first always).

    Returns:
        `(trained, skipped)`: the `Scored` candidates and the ones not started.
    """
    folds = folds_of(splits, seed=options.seed) if small_data(splits) else None
    trained, skipped = [], []
    for candidate in candidates:
        if trained and time.monotonic() >= deadline:
            skipped.append(candidate)
        elif folds is not None:
            trained.append(cross_validate(candidate, splits, options, deadline, folds))
        else:
            trained.append(train_on_validation(candidate, splits, options, deadline))
    return trained, skipped


def pick(trained, splits):
    """The best candidate on validation and, when the mean of the top
    `AVERAGE_TOP` members' outputs has a lower validation error, those members.

    Returns:
        `(best, members, average_error)`: `members` is `[best]` when the
        average does not win; `average_error` is None when none was tried.
    """
    ranked = sorted(trained, key=lambda s: s.error)  # a tie goes to the faster (earlier)
    best, top = ranked[0], ranked[:AVERAGE_TOP]
    if len(top) < 2 or (best.result is not None
                        and not same_inputs([s.result.model for s in top])):
        return best, [best], None
    average_error = error_of(splits, np.mean([s.outputs for s in top], axis=0),
                             best.view.y_val)
    return best, (top if average_error < best.error else [best]), average_error


def describe(trained, skipped, best, members, average_error, splits, *, cross_validated):
    """The manifest's record of the candidates and why the pick won."""
    scored_by = (f"{CV_FOLDS}-fold cross-validation on train + validation (fewer than "
                 f"{SMALL_DATA_ROWS:,} examples), the pick refit on both" if cross_validated
                 else "the validation split")
    metric = "accuracy" if task_of(splits) == "classification" else "rmse"

    def figure(error):
        return round(1.0 - error if metric == "accuracy" else error, 6)

    rows = [dict(s.candidate.to_dict(), validation={metric: figure(s.error)},
                 seconds=round(s.seconds, 2), stopped_at_deadline=s.stopped_at_deadline,
                 status="averaged" if len(members) > 1 and s in members
                 else "picked" if s is best else "trained") for s in trained]
    rows += [dict(c.to_dict(), validation=None, seconds=0.0, stopped_at_deadline=False,
                  status="not trained: the time budget was spent") for c in skipped]
    others = ", ".join(f"{s.candidate.name} {score_text(splits, s.error).split()[-1]}"
                       for s in trained if s is not best)
    why = (f"{best.candidate.name} had the best {score_text(splits, best.error)} of "
           f"{len(trained)} trained candidate(s), scored by {scored_by}"
           + (f" ({others})" if others else ""))
    if average_error is not None:
        names = " and ".join(s.candidate.name for s in sorted(trained, key=lambda s: s.error)
                             [:AVERAGE_TOP])
        verdict = "better, so the average is the model" if len(members) > 1 else "not better"
        why += f"; the average of {names} reached {score_text(splits, average_error)}: {verdict}"
    return {"candidates": rows, "scored_by": scored_by, "why": why,
            "picked": [s.candidate.name for s in members],
            "average": None if average_error is None else {
                "members": [s.candidate.name for s in sorted(trained, key=lambda s: s.error)
                            [:AVERAGE_TOP]],
                "validation": {metric: figure(average_error)}, "used": len(members) > 1}}


def _check_budget(budget):
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0:
        raise ValueError("`time_budget` must be a number of seconds > 0. "
                         f"Received: time_budget={budget!r}")


def train_portfolio(splits, candidates, *, options=None, budget=DEFAULT_BUDGET_SECONDS,
                    export=True, version=None, overwrite=False, formats=(), auto=None,
                    **option_values):
    """Trains `candidates` fastest first within `budget` seconds, picks (or
    averages) on validation, evaluates the pick on the test split and exports it.

    Args:
        splits: the `nnrecipes.data.Splits`.
        candidates: `nnrecipes.families.portfolio.Candidate`s, in training order.
        options: an `Options` (or its fields as keyword arguments: `model_dir`,
            `epochs`, `batch_size`, `seed`, ...).
        budget: seconds for all candidates together. Defaults to
            `DEFAULT_BUDGET_SECONDS`.
        export, version, overwrite, formats: as in `engine.Run.execute`.
        auto: the `auto` record to extend (the rule's choice). Defaults to `None`.

    Returns:
        A `nnrecipes.engine.TrainResult` whose manifest's `"auto"` lists every
        candidate with its validation score and why the pick won.
    """
    _check_budget(budget)
    if not candidates:
        raise ValueError(f"A portfolio needs at least one candidate. Received: {candidates!r}")
    options = options or Options(**option_values)
    lock = export_lib.claims.RunLock(options.model_dir).acquire() if export else None
    try:
        start = time.monotonic()
        trained, skipped = train_candidates(splits, candidates, options, start + budget)
        best, members, average_error = pick(trained, splits)
        cross_validated = best.result is None
        if cross_validated:
            members = [refit(s, splits, options) for s in members]
            if len(members) > 1 and not same_inputs([s.result.model for s in members]):
                members, average_error = [best], None
        record = dict(best.result.manifest)
        found = describe(trained, skipped, best, members, average_error, splits,
                         cross_validated=cross_validated)
        record["auto"] = {**(auto or {}), "recipe": best.candidate.recipe,
                          "hyperparameters": dict(best.candidate.hyperparameters),
                          "reason": found["why"], "rule": auto,
                          "budget_seconds": budget,
                          "seconds": round(time.monotonic() - start, 2), **found}
        model = (average_model([s.result.model for s in members]) if len(members) > 1
                 else best.result.model)
        fitted = FitResult(best.result.history, sum(s.seconds for s in trained), None,
                           record.get("early_stopping"), None)
        return conclude(model, best.view, fitted, record, batch_size=options.batch_size or 64,
                        strategy=options.strategy, export=export,
                        export_base=options.model_dir, version=version, overwrite=overwrite,
                        formats=formats)
    finally:
        if lock is not None:
            lock.release()
