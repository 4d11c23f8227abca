"""Cross-validation folds for tuning: k-fold, stratified k-fold, and
forward-chaining splits for time series.

Each fold is a pair `(train_index, validation_index)` of integer arrays into
the examples. Stratified folds keep every class's share in each fold. For a
time series the examples are windows in time order: fold `i` trains on the
windows before a cut and validates on the next block after it, so no
training window or target lies in the validation block's future.
"""

import numpy as np

from nnrecipes.families.knobs import task_of


def _check_folds(cv, n):
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise ValueError(f"`cv` must be an integer >= 2 (the number of folds), or None. "
                         f"Received: cv={cv!r}")
    if cv > n:
        raise ValueError(f"`cv` cannot exceed the number of examples ({n}). Received: cv={cv}")


def kfold_indices(y, cv, *, stratify=False, seed=0):
    """Splits `len(y)` examples into `cv` shuffled folds.

    Every example is validated on exactly once, and never trained on in the
    same fold.

    Args:
        y: the targets (only their length matters unless `stratify`).
        cv: number of folds, >= 2.
        stratify: keep each class's share in every fold (classification).
            Defaults to `False`.
        seed: seed of the shuffle. Defaults to `0`.

    Returns:
        A list of `cv` pairs `(train_index, validation_index)`.

    Example:
    >>> folds = nnrecipes.tuning.kfold_indices(np.arange(10) % 2, 5, stratify=True)
    >>> [len(v) for _, v in folds]
    [2, 2, 2, 2, 2]
    """
    y = np.asarray(y)
    n = len(y)
    _check_folds(cv, n)
    if stratify:
        from sklearn.model_selection import StratifiedKFold

        labels = y.reshape(n, -1)[:, 0]
        counts = np.unique(labels, return_counts=True)[1]
        if counts.min() < cv:
            raise ValueError(
                f"Stratified {cv}-fold cross-validation needs at least {cv} examples of "
                f"every class; the rarest class has {counts.min()}. Use fewer folds. "
                f"Received: cv={cv}")
        splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
        return [(t.astype("int64"), v.astype("int64"))
                for t, v in splitter.split(np.zeros(n), labels)]
    from sklearn.model_selection import KFold

    splitter = KFold(n_splits=cv, shuffle=True, random_state=seed)
    return [(t.astype("int64"), v.astype("int64")) for t, v in splitter.split(np.zeros(n))]


def forward_chaining_indices(n, cv, *, gap=0):
    """Time-ordered folds: train on the past, validate on the block after it.

    The `n` examples are cut into `cv + 1` consecutive blocks; fold `i`
    trains on blocks `0..i` and validates on block `i + 1`. With windows of
    a series, set `gap` to `window + horizon - 1` so that no training window
    overlaps the time span of the first validation target.

    Args:
        n: number of examples, in time order.
        cv: number of folds, >= 2.
        gap: examples left out between the training part and the validation
            block. Defaults to `0`.

    Returns:
        A list of `cv` pairs `(train_index, validation_index)`, where every
        training index is smaller than every validation index.

    Example:
    >>> folds = nnrecipes.tuning.forward_chaining_indices(9, 2)
    >>> [(t.tolist(), v.tolist()) for t, v in folds]
    [([0, 1, 2], [3, 4, 5]), ([0, 1, 2, 3, 4, 5], [6, 7, 8])]
    """
    _check_folds(cv, n)
    if isinstance(gap, bool) or not isinstance(gap, int) or gap < 0:
        raise ValueError(f"`gap` must be a non-negative integer. Received: gap={gap!r}")
    bounds = np.linspace(0, n, cv + 2).round().astype("int64")
    folds = []
    for i in range(cv):
        train_end = max(int(bounds[i + 1]) - gap, 0)
        start, stop = int(bounds[i + 1]), int(bounds[i + 2])
        if train_end == 0 or stop <= start:
            raise ValueError(
                f"{n} time-ordered examples are too few for {cv} forward-chaining folds "
                f"with gap={gap}: a fold would train or validate on nothing. Use fewer "
                f"folds. Received: cv={cv}, n={n}")
        folds.append((np.arange(train_end, dtype="int64"),
                      np.arange(start, stop, dtype="int64")))
    return folds


def folds_for(splits, cv, *, seed=0):
    """The folds `tune(..., cv=cv)` uses for a `Splits`: forward chaining for
    forecasting windows, stratified k-fold for classification, k-fold else.

    The folds index the examples of `splits.x_train` followed by
    `splits.x_val` (both are searched over; the test split is never used).
    """
    n = len(splits.x_train) + len(splits.x_val)
    info = splits.info or {}
    if "window" in info:  # windows of a series, in time order
        gap = int(info["window"]) + int(info.get("horizon", 1)) - 1
        return forward_chaining_indices(n, cv, gap=gap)
    y = np.concatenate([np.asarray(splits.y_train), np.asarray(splits.y_val)])
    return kfold_indices(y, cv, stratify=task_of(splits) == "classification", seed=seed)
