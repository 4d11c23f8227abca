"""`make_objective`: a metric name and which way is better."""

import keras_tuner
import pytest

from nnrecipes.tuning import make_objective


@pytest.mark.parametrize("name, direction", [
    ("val_loss", "min"), ("val_accuracy", "max"), ("val_rmse", "min"), ("val_auc", "max"),
    ("val_grad_norm", "min"), ("val_dead_units", "min"), ("val_loss:max", "max"),
    (" val_f1:min ", "min")])
def test_the_direction_is_inferred_or_said(name, direction):
    objective = make_objective(name)
    assert objective.name == name.strip().partition(":")[0]
    assert objective.direction == direction


def test_an_objective_passes_through():
    given = keras_tuner.Objective("val_score", "max")
    assert make_objective(given) is given


@pytest.mark.parametrize("bad, match", [
    ("", "must be a metric name"), (3, "Received: objective=3"),
    ("val_loss:up", "must be 'min' or 'max'"),
    ("val_widgets", "Cannot tell whether 'val_widgets'.*'val_widgets:min'")])
def test_bad_objectives_say_what_to_write(bad, match):
    with pytest.raises(ValueError, match=match):
        make_objective(bad)
