"""The search space: the recipe's declaration, narrowed without a HyperModel."""

import keras_tuner
import pytest

from nnrecipes.tuning import narrowed_hyperparameters
from nnrecipes.tuning import space as space_lib


def _space(hp):
    return {p.name: p for p in hp.space}


def test_full_space_is_the_recipe_declaration():
    hp, tune_new = narrowed_hyperparameters("mlp", "classification")
    declared = space_lib.declared_space("mlp", "classification")
    params = _space(hp)
    assert set(params) == set(declared)
    assert tune_new is True
    assert type(params["units"]).__name__ == "Int"
    assert params["units"].max_value == declared["units"].max_value
    # Held by default: trials scored by val_loss must share one loss.
    for name in space_lib.HELD_BY_DEFAULT:
        if name in declared:
            assert type(params[name]).__name__ == "Fixed", name


def test_narrowing_choices_ranges_and_fixed_values():
    hp, _ = narrowed_hyperparameters(
        "mlp", "classification",
        {"units": [16, 32], "learning_rate": (1e-4, 1e-2), "activation": "gelu",
         "batch_size": [16, 32], "epochs": (1, 3)},
        {"num_layers": 1})
    params = _space(hp)
    assert list(params["units"].values) == [16, 32]
    assert params["learning_rate"].min_value == pytest.approx(1e-4)
    assert params["learning_rate"].max_value == pytest.approx(1e-2)
    assert params["learning_rate"].sampling == "log"  # kept from the declaration
    assert type(params["activation"]).__name__ == "Fixed"
    assert params["num_layers"].value == 1
    assert list(params["batch_size"].values) == [16, 32]
    assert (params["epochs"].min_value, params["epochs"].max_value) == (1, 3)
    # The recipe's own declaration keeps the first (narrowed) one.
    from nnrecipes.registry import get_recipe

    values = get_recipe("mlp").search_space(hp, "classification")
    assert values["units"] == 16 and values["num_layers"] == 1


def test_only_space_fixes_the_rest_at_defaults():
    hp, tune_new = narrowed_hyperparameters("mlp", "classification", {"units": [8, 16]},
                                            tune_all=False)
    params = _space(hp)
    assert tune_new is False
    tunable = [n for n, p in params.items() if type(p).__name__ != "Fixed"]
    assert tunable == ["units"]
    assert params["dropout"].value == 0.2


def test_hyperparameter_object_is_taken_as_is():
    hp = keras_tuner.HyperParameters()
    hp.Int("units", 8, 64, step=8)
    narrowed, _ = narrowed_hyperparameters("mlp", "classification", {"units": hp.space[0]})
    assert _space(narrowed)["units"].step == 8


@pytest.mark.parametrize("space, fixed, message", [
    ({"unitz": [1, 2]}, None, "Unknown hyperparameter"),
    ({"units": (4, 64)}, None, "out of range"),
    ({"activation": (0, 1)}, None, "not a number"),
    ({"units": [8]}, {"units": 16}, "both fixed"),
    ({"units": []}, None, "empty"),
    ({"units": (64, 8)}, None, "low <= high"),
    (None, {"dropout": 2.0}, "out of range"),
    ({"batch_size": 0}, None, "positive integer"),
])
def test_bad_space_says_what_and_what_is_valid(space, fixed, message):
    with pytest.raises(ValueError, match=message):
        narrowed_hyperparameters("mlp", "classification", space, fixed)


def test_hyperband_rejects_tuned_epochs():
    with pytest.raises(ValueError, match="Hyperband chooses"):
        narrowed_hyperparameters("mlp", "classification", {"epochs": (1, 3)},
                                 tuner_controls_epochs=True)
