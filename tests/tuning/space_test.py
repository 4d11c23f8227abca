"""The search space: the recipe's declaration, narrowed without a HyperModel."""

import keras_tuner
import pytest

import nnrecipes
from nnrecipes.families import knobs
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
    # A default search draws from the knob's own search range.
    assert params["units"].max_value == knobs.knob("units").search[1]
    assert params["learning_rate"].max_value == pytest.approx(1e-2)
    # Held by default: trials scored by val_loss must share one loss.
    for name in declared:
        if not knobs.knob(name).searched:
            assert type(params[name]).__name__ == "Fixed", name
    assert type(params["loss"]).__name__ == "Fixed"


@pytest.mark.parametrize("kind", ["image", "tabular", "text", "sequence"])
@pytest.mark.parametrize("recipe", ["mlp", "cnn", "lstm"])
def test_default_space_holds_only_knobs_of_the_data_kind(recipe, kind):
    hp, _ = narrowed_hyperparameters(recipe, "classification", kind=kind)
    searched = [p.name for p in hp.space if type(p).__name__ != "Fixed"]
    assert searched
    for name in searched:
        fact = knobs.knob(name)
        assert kind in fact.kinds and fact.searched, name
    # What does not apply stays at its declared default.
    declared = space_lib.declared_space(recipe, "classification")
    for p in hp.space:
        if not knobs.knob(p.name).applies(kind, "classification"):
            assert type(p).__name__ == "Fixed" and p.value == declared[p.name].default
    text = {"char_ngrams", "max_tokens", "text_bag", "text_units", "word_ngrams"}
    assert not text & set(searched) or kind == "text"
    if kind != "image":
        assert not {"augment", "random_erasing", "cutmix"} & set(searched)
    if kind != "tabular":
        assert not {"numeric_embedding", "numeric_scaling"} & set(searched)


def test_a_knob_named_in_space_is_searched_even_when_not_by_default():
    hp, _ = narrowed_hyperparameters("mlp", "classification",
                                     {"l1": (0.0, 0.01), "char_ngrams": [1, 3]},
                                     kind="image")
    params = _space(hp)
    assert type(params["l1"]).__name__ == "Float"
    assert params["l1"].max_value == pytest.approx(0.01)
    assert list(params["char_ngrams"].values) == [1, 3]
    assert type(params["group_lasso"]).__name__ == "Fixed"


def test_a_short_default_search_on_digits_is_above_chance(tmp_path):
    result = nnrecipes.tune("mlp", "digits", tuner="random", max_trials=2, epochs=2,
                            seed=0, directory=str(tmp_path))
    # Ten balanced classes: chance is 0.1.
    assert result.best_trial["metrics"]["val_accuracy"] > 0.5
    for trial in result.trials:
        drawn = trial["hyperparameters"]
        assert drawn["l1"] == 0.0 and drawn["group_lasso"] == 0.0
        # Trials store only the knobs that apply to images.
        assert not {"numeric_embedding", "char_ngrams", "max_tokens", "text_bag"} & set(drawn)


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
