"""Classical baselines: what a few lines of scikit-learn score on the same split.

A recipe earns its place only if it does at least as well as the simple,
strong model a practitioner would try first. `classical(splits)` trains those
models on `splits.x_train`, picks their one regularization strength on
`splits.x_val` (never on test) and scores them on `splits.x_<part>`:

- text: word 1-2-gram TF-IDF + logistic regression; character 2-5-gram
  TF-IDF + logistic regression when the texts are short (median at most
  `SHORT_TEXT_CHARS` characters);
- series (windows with a target feature): persistence; seasonal naive when a
  season is given and fits in the window; ridge autoregression on the window;
- tables: logistic regression (ridge for regression) on standardized
  numbers and one-hot categories; histogram gradient boosting;
- images: logistic regression on pixels; with `convnet_seconds`, the keras-io
  "Simple MNIST convnet" trained for that long;
- other sequences: logistic regression (ridge) on the flattened window.

Each result is a dict: `name`, `metric` (`"accuracy"`, larger is better, or
`"rmse"`, smaller is better), `score` (on `part`), `val_score`, `seconds`
(fitting and scoring, selection included) and `settings` (what validation
chose).

Example:
```python
splits = nnrecipes.data.load("wine")
results = nnrecipes.baselines.classical(splits)
print(nnrecipes.baselines.summary_line(results))
```
"""

import time

import keras
import numpy as np

from nnrecipes.families.knobs import task_of

# Texts whose median length is at most this many characters also get the
# character n-gram baseline: for short strings, spelling carries the class.
SHORT_TEXT_CHARS = 300
# Regularization strengths tried on the validation split.
LOGISTIC_C = (0.1, 1.0, 10.0)
RIDGE_ALPHA = (0.1, 1.0, 10.0, 100.0)
# The keras-io "Simple MNIST convnet": batch size and epochs; given a time
# budget it trains until the budget is spent, at most CONVNET_MAX_EPOCHS.
CONVNET_BATCH_SIZE = 128
CONVNET_EPOCHS = 15
CONVNET_MAX_EPOCHS = 1000


def classical(splits, *, part="test", season=None, convnet_seconds=None, seed=0):
    """Trains the classical baselines of `splits`' kind and scores them on `part`.

    Args:
        splits: a `nnrecipes.data.Splits`.
        part: `"val"` or `"test"`. Defaults to `"test"`.
        season: steps per season of a series (12 for monthly data with a
            yearly cycle, 24 for hourly data with a daily one), for the
            seasonal naive forecast. Defaults to `splits.info["season"]`
            when there is one, else no seasonal baseline.
        convnet_seconds: for images, also train the keras-io simple convnet
            for this many seconds (`simple_convnet`), e.g. the recipe's own
            training time. Defaults to `None` (not trained).
        seed: seeds the models that draw random numbers. Defaults to `0`.

    Returns:
        A list of result dicts (see the module docstring), strongest first.

    Example:
    >>> results = nnrecipes.baselines.classical(nnrecipes.data.load("breast_cancer"))
    >>> [r["name"] for r in results]  # doctest: +SKIP
    ['histogram gradient boosting', 'logistic regression']
    """
    if part not in ("val", "test"):
        raise ValueError(f"`part` must be 'val' or 'test'. Received: part={part!r}")
    if season is not None and (isinstance(season, bool) or not isinstance(season, int)
                               or season < 2):
        raise ValueError(f"`season` must be an integer >= 2. Received: season={season!r}")
    info = splits.info or {}
    if splits.kind == "text":
        results = _text(splits, part)
    elif splits.kind == "image":
        results = _images(splits, part, convnet_seconds, seed)
    elif splits.kind == "sequence" and "target_feature" in info:
        results = _series(splits, part, season or info.get("season"))
    elif splits.kind in ("tabular", "sequence"):
        results = _table(splits, part, seed)
    else:
        raise ValueError(
            f"No classical baseline for {splits.kind!r} data. Valid kinds: text, image, "
            f"sequence, tabular. Received: kind={splits.kind!r}")
    return sorted(results, key=_strength, reverse=True)


def best(results):
    """The strongest of `classical`'s results (highest accuracy, lowest RMSE)."""
    return max(results, key=_strength)


def summary_line(results):
    """One line for a terminal: each baseline's score, the strongest first.

    Example:
    >>> nnrecipes.baselines.summary_line([{"name": "persistence", "metric": "rmse",
    ...                                    "score": 2.5}])
    'persistence: RMSE 2.5'
    """
    return "; ".join(f"{r['name']}: {_format(r)}" for r in sorted(results, key=_strength,
                                                                      reverse=True))


def _format(result):
    if result["metric"] == "accuracy":
        return f"accuracy {result['score']:.4f}"
    return f"RMSE {result['score']:.4g}"


def _strength(result):
    return result["score"] if result["metric"] == "accuracy" else -result["score"]


def _result(name, metric, score, val_score, start, settings=None):
    return {"name": name, "metric": metric, "score": float(score),
            "val_score": float(val_score), "seconds": round(time.perf_counter() - start, 2),
            "settings": settings or {}}


def _rmse(y, prediction):
    y = np.asarray(y, "float64").reshape(len(y), -1)
    return float(np.sqrt(np.mean((np.asarray(prediction, "float64").reshape(y.shape) - y) ** 2)))


def _accuracy(y, prediction):
    return float(np.mean(np.asarray(prediction).ravel() == np.asarray(y).ravel()))


def _select(make, grid, key, x_train, y_train, x_val, y_val, x_part, y_part, metric):
    """Fits `make(value)` for each value of `grid` on train, keeps the best on
    validation; returns (score on part, val score, chosen value)."""
    score = _accuracy if metric == "accuracy" else _rmse
    sign = 1 if metric == "accuracy" else -1
    chosen = None
    for value in grid:
        model = make(value).fit(x_train, _target(y_train, metric))
        val = score(y_val, model.predict(x_val))
        if chosen is None or sign * val > sign * chosen[1]:
            chosen = (model, val, value)
    model, val, value = chosen
    return score(y_part, model.predict(x_part)), val, {key: value}


def _target(y, metric):
    y = np.asarray(y)
    if metric == "accuracy":
        return y.ravel().astype("int64")
    return y.reshape(len(y), -1)[:, 0] if y.reshape(len(y), -1).shape[1] == 1 else y


def _linear_model(metric):
    from sklearn import linear_model

    if metric == "accuracy":
        return "C", LOGISTIC_C, lambda c: linear_model.LogisticRegression(
            C=c, solver="newton-cg", max_iter=1000)
    return "alpha", RIDGE_ALPHA, lambda a: linear_model.Ridge(alpha=a)


def _parts(splits, part):
    return (splits.x_train, splits.y_train, splits.x_val, splits.y_val,
            getattr(splits, f"x_{part}"), getattr(splits, f"y_{part}"))


def _text(splits, part):
    from sklearn.feature_extraction.text import TfidfVectorizer

    x_train, y_train, x_val, y_val, x_part, y_part = _parts(splits, part)
    texts = [np.asarray(x, dtype=object).astype(str) for x in (x_train, x_val, x_part)]
    vectorizers = [("word 1-2-gram TF-IDF + logistic regression",
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))]
    median_chars = float(np.median([len(t) for t in texts[0]]))
    if median_chars <= SHORT_TEXT_CHARS:
        vectorizers.append(("character 2-5-gram TF-IDF + logistic regression",
                            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                            sublinear_tf=True, min_df=2)))
    key, grid, make = _linear_model("accuracy")
    results = []
    for name, vectorizer in vectorizers:
        start = time.perf_counter()
        train = vectorizer.fit_transform(texts[0])
        val, other = vectorizer.transform(texts[1]), vectorizer.transform(texts[2])
        score, val_score, chosen = _select(make, grid, key, train, y_train, val, y_val,
                                           other, y_part, "accuracy")
        results.append(_result(name, "accuracy", score, val_score, start, chosen))
    return results


def _series(splits, part, season):
    from nnrecipes.data.timeseries import fit_ridge
    from nnrecipes.data.timeseries import seasonal_naive_predictions
    from nnrecipes.evaluation import baseline_forecast

    x_train, y_train, x_val, y_val, x_part, y_part = _parts(splits, part)
    info = splits.info
    window, horizon = x_train.shape[1], info.get("horizon", 1)
    results = []
    start = time.perf_counter()
    persistence, name = baseline_forecast(splits, part)
    results.append(_result(name, "rmse", _rmse(y_part, persistence),
                           _rmse(y_val, baseline_forecast(splits, "val")[0]), start))
    if season is not None and window - 1 - (season - horizon) >= 0 and season > horizon:
        start = time.perf_counter()
        results.append(_result(f"seasonal naive (season {season})", "rmse",
                               _rmse(y_part, seasonal_naive_predictions(splits, season, part)),
                               _rmse(y_val, seasonal_naive_predictions(splits, season, "val")),
                               start, {"season": season}))
    # Ridge on every channel of the window (the forecasters' own linear path,
    # `fit_autoregressive_path`, reads the target's channel only), fitted by
    # the same `fit_ridge`, the penalty chosen on validation.
    start = time.perf_counter()
    train, val, other = [np.asarray(x, "float64").reshape(len(x), -1)
                         for x in (x_train, x_val, x_part)]
    coefficients, intercept, alpha = fit_ridge(train, _target(y_train, "rmse"), val,
                                               _target(y_val, "rmse"))
    results.append(_result(f"ridge autoregression ({window} steps)", "rmse",
                           _rmse(y_part, other @ coefficients + intercept),
                           _rmse(y_val, val @ coefficients + intercept), start,
                           {"alpha": alpha}))
    return results


def _table_columns(splits):
    """(numeric column indices, categorical column indices) of a table."""
    width = int(np.prod(splits.input_shape))
    categorical = sorted((splits.info or {}).get("categorical") or [])
    if splits.x_train.dtype != object:
        categorical = []
    return [c for c in range(width) if c not in categorical], categorical


def _numbers(x, columns):
    """The `columns` of `x` as float64, with missing cells as NaN."""
    from nnrecipes.data.tabular import MISSING

    x = np.asarray(x)
    if x.dtype != object:
        return np.asarray(x, "float64").reshape(len(x), -1)[:, columns]
    out = np.empty((len(x), len(columns)))
    for j, c in enumerate(columns):
        cells = x[:, c]
        out[:, j] = [np.nan if (isinstance(v, str) and v in MISSING) else float(v)
                     for v in cells]
    return out


def _table(splits, part, seed):
    from sklearn import compose
    from sklearn import ensemble
    from sklearn import impute
    from sklearn import pipeline
    from sklearn import preprocessing

    x_train, y_train, x_val, y_val, x_part, y_part = _parts(splits, part)
    metric = "accuracy" if task_of(splits) == "classification" else "rmse"
    numeric, categorical = _table_columns(splits)
    flat = [np.asarray(x).reshape(len(x), -1) for x in (x_train, x_val, x_part)]
    # Numbers first (NaN where missing), categories after, as strings.
    frames = []
    for x in flat:
        parts = [_numbers(x, numeric).astype(object)]
        if categorical:
            parts.append(x[:, categorical].astype(str))
        frames.append(np.concatenate(parts, axis=1))
    n_num = len(numeric)
    cat_idx = list(range(n_num, n_num + len(categorical)))
    num_idx = list(range(n_num))

    def linear_features():
        steps = [("numbers", pipeline.make_pipeline(
            impute.SimpleImputer(strategy="mean"), preprocessing.StandardScaler()), num_idx)]
        if cat_idx:
            steps.append(("categories", preprocessing.OneHotEncoder(handle_unknown="ignore"),
                          cat_idx))
        return compose.ColumnTransformer(steps)

    results = []
    start = time.perf_counter()
    key, grid, make = _linear_model(metric)
    name = "logistic regression" if metric == "accuracy" else "ridge regression"
    score, val_score, chosen = _select(
        lambda v: pipeline.make_pipeline(linear_features(), make(v)), grid, key,
        frames[0], y_train, frames[1], y_val, frames[2], y_part, metric)
    results.append(_result(name, metric, score, val_score, start, chosen))

    start = time.perf_counter()
    steps = [("numbers", "passthrough", num_idx)]
    if cat_idx:
        steps.append(("categories", preprocessing.OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan,
            encoded_missing_value=np.nan), cat_idx))
    encode = compose.ColumnTransformer(steps)
    booster = (ensemble.HistGradientBoostingClassifier if metric == "accuracy"
               else ensemble.HistGradientBoostingRegressor)(
        categorical_features=[n_num + i for i in range(len(categorical))] or None,
        random_state=seed)
    model = pipeline.make_pipeline(encode, booster)
    model.fit(frames[0], _target(y_train, metric))
    score_of = _accuracy if metric == "accuracy" else _rmse
    results.append(_result("histogram gradient boosting", metric,
                           score_of(y_part, model.predict(frames[2])),
                           score_of(y_val, model.predict(frames[1])), start))
    if metric == "rmse":
        start = time.perf_counter()
        mean = np.asarray(y_train, "float64").mean(axis=0)
        results.append(_result("training mean", "rmse", _rmse(y_part, np.broadcast_to(
            mean, np.shape(y_part))), _rmse(y_val, np.broadcast_to(mean, np.shape(y_val))),
            start))
    return results


def _images(splits, part, convnet_seconds, seed):
    from sklearn import linear_model

    x_train, y_train, x_val, y_val, x_part, y_part = _parts(splits, part)
    scale = float(np.max(x_train)) or 1.0
    flat = [np.asarray(x, "float32").reshape(len(x), -1) / scale
            for x in (x_train, x_val, x_part)]
    start = time.perf_counter()
    score, val_score, chosen = _select(
        lambda c: linear_model.LogisticRegression(C=c, solver="newton-cg", max_iter=300),
        LOGISTIC_C, "C",
        flat[0], y_train, flat[1], y_val, flat[2], y_part, "accuracy")
    results = [_result("logistic regression on pixels", "accuracy", score, val_score, start,
                       chosen)]
    if convnet_seconds is not None:
        results.append(simple_convnet(splits, part=part, seconds=convnet_seconds, seed=seed))
    return results


def simple_convnet(splits, *, part="test", seconds=None, seed=0):
    """The keras-io "Simple MNIST convnet" (F. Chollet) on `splits`' images.

    Two 3x3 convolutions (32, 64 filters) each followed by 2x2 max pooling,
    dropout 0.5 and a softmax layer; Adam, batch 128, the last epoch's
    weights, pixels scaled by the training maximum. Images smaller than 10x10
    pad their convolutions ("same") so that both poolings fit. Without
    `seconds` it trains keras-io's 15 epochs; with `seconds` (the training
    time of the model it is compared with) it trains epoch after epoch until
    the next one would end past that time (judged by the last epoch's
    length; at least one epoch runs), so both get the same wall time.

    Returns:
        A result dict as `classical` gives, with `settings` holding the
        epochs run.
    """
    x_train, y_train, x_val, y_val, x_part, y_part = _parts(splits, part)
    scale = float(np.max(x_train)) or 1.0
    x_train, x_val, x_part = (np.asarray(x, "float32") / scale for x in (x_train, x_val,
                                                                       x_part))
    start = time.perf_counter()
    keras.utils.set_random_seed(seed)
    padding = "valid" if min(x_train.shape[1:3]) >= 10 else "same"
    model = keras.Sequential([
        keras.Input(shape=x_train.shape[1:]),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu", padding=padding),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu", padding=padding),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(splits.num_classes, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    budget = _TimeBudget(seconds)
    epochs = CONVNET_EPOCHS if seconds is None else CONVNET_MAX_EPOCHS
    history = model.fit(x_train, y_train, batch_size=CONVNET_BATCH_SIZE, epochs=epochs,
                        callbacks=[budget], verbose=0)
    trained = time.perf_counter() - start

    def predict(x):
        return model.predict(x, batch_size=512, verbose=0).argmax(axis=-1)

    return _result("keras-io simple convnet", "accuracy", _accuracy(y_part, predict(x_part)),
                     _accuracy(y_val, predict(x_val)), start,
                     {"epochs": len(history.epoch), "training_seconds": round(trained, 2)})


class _TimeBudget(keras.callbacks.Callback):
    """Stops training before an epoch that would end past `seconds` since
    training began, judged by the last epoch's length (at least one epoch
    runs; no limit with `None`)."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = self.last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        took, self.last = now - self.last, now
        if self.seconds is not None and now - self.start + took > self.seconds:
            self.model.stop_training = True
