"""Cross-validation folds: no overlap, no leakage, time order for series."""

import numpy as np
import pytest

from nnrecipes import data
from nnrecipes.data import timeseries
from nnrecipes.tuning import folds_for
from nnrecipes.tuning import forward_chaining_indices
from nnrecipes.tuning import kfold_indices
from nnrecipes.tuning import make_objective


@pytest.mark.parametrize("stratify", [False, True])
def test_kfold_validates_each_example_once_without_overlap(stratify):
    y = np.repeat(np.arange(3), [30, 20, 10])
    folds = kfold_indices(y, 5, stratify=stratify, seed=1)
    assert len(folds) == 5
    seen = np.concatenate([v for _, v in folds])
    assert sorted(seen.tolist()) == list(range(len(y)))
    for train, val in folds:
        assert not set(train) & set(val)
        assert len(train) + len(val) == len(y)
        if stratify:
            # Each class keeps its share in every validation fold.
            assert np.bincount(y[val], minlength=3).tolist() == [6, 4, 2]


def test_stratified_kfold_needs_enough_of_each_class():
    with pytest.raises(ValueError, match="rarest class has 2"):
        kfold_indices(np.array([0] * 10 + [1] * 2), 3, stratify=True)


def test_forward_chaining_trains_on_the_past_only():
    folds = forward_chaining_indices(100, 4, gap=5)
    assert len(folds) == 4
    previous_end = -1
    for train, val in folds:
        assert train.max() < val.min() - 5  # the gap lies between them
        assert train.min() == 0 and np.all(np.diff(train) == 1)
        assert val.min() > previous_end  # validation blocks move forward
        previous_end = val.max()
    assert folds[-1][1].max() == 99


def test_forward_chaining_rejects_too_many_folds():
    with pytest.raises(ValueError, match="too few"):
        forward_chaining_indices(6, 5, gap=3)


def test_series_folds_never_put_future_values_in_training():
    # A series whose value is its time step: a window's values say where it lies.
    steps = np.arange(400, dtype="float32")
    splits = timeseries.chronological_splits("ramp", steps[:, None], steps, window=6,
                                             horizon=2)
    folds = folds_for(splits, 3)
    x = np.concatenate([splits.x_train, splits.x_val])
    y = np.concatenate([splits.y_train, splits.y_val])
    for train, val in folds:
        latest_train = max(x[train].max(), y[train].max())
        earliest_val = min(x[val].min(), y[val].min())
        assert latest_train < earliest_val


def test_classification_folds_are_stratified():
    splits = data.load("wine")
    folds = folds_for(splits, 3, seed=0)
    y = np.concatenate([splits.y_train, splits.y_val])
    shares = np.bincount(y) / len(y)
    for _, val in folds:
        assert np.allclose(np.bincount(y[val], minlength=3) / len(val), shares, atol=0.05)


@pytest.mark.parametrize("name, direction", [
    ("val_loss", "min"), ("val_accuracy", "max"), ("val_rmse", "min"), ("val_auc", "max"),
    ("val_grad_norm", "min"), ("val_custom:max", "max"), ("score:min", "min"),
])
def test_objective_direction(name, direction):
    assert make_objective(name).direction == direction


def test_objective_with_unknown_direction_asks_for_it():
    with pytest.raises(ValueError, match="val_wiggle:min"):
        make_objective("val_wiggle")
