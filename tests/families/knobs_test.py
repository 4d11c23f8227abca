"""Each knob's facts, written once in nnrecipes.families.knobs."""

import numpy as np
import pytest

import nnrecipes
from nnrecipes import data
from nnrecipes.families import knobs
from nnrecipes.tuning import space as space_lib


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("recipe", nnrecipes.list_recipes())
def test_every_declared_knob_has_facts(recipe, task):
    declared = space_lib.declared_space(recipe, task)
    missing = sorted(set(declared) - set(knobs.KNOBS))
    assert not missing, missing
    for name in declared:
        fact = knobs.knob(name)
        assert fact.group and fact.help, name
        assert set(fact.kinds) <= set(knobs.KINDS) and set(fact.tasks) <= set(knobs.TASKS)


def test_the_kinds_are_the_data_layers_kinds():
    assert set(knobs.KINDS) == set(data.sources.KINDS)


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("recipe", nnrecipes.list_recipes())
def test_search_ranges_lie_within_the_declaration(recipe, task):
    for name, param in space_lib.declared_space(recipe, task).items():
        search = knobs.knob(name).search
        if search is None:
            continue
        if type(param).__name__ == "Choice":
            assert set(search) & set(param.values), name
        else:
            assert search[0] < param.max_value and search[1] > param.min_value, name


def test_a_knob_with_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown kinds"):
        knobs.Knob("text", "a knob", kinds=("strings",))


def test_an_unknown_name_has_no_facts():
    with pytest.raises(ValueError, match="no facts"):
        knobs.knob("not_a_knob")


def test_applicable_keeps_only_the_knobs_of_the_kind_and_task():
    names = ["units", "char_ngrams", "text_bag", "numeric_embedding", "cutmix", "revin"]
    assert knobs.applicable(names, "tabular", "classification") == [
        "units", "numeric_embedding"]
    assert knobs.applicable(names, "text", "classification") == [
        "units", "char_ngrams", "text_bag"]
    assert knobs.applicable(names, "image", "classification") == ["units", "cutmix"]
    assert knobs.applicable(names, "sequence", "forecasting") == ["units", "revin"]


def test_text_values_are_the_vectorizer_knobs():
    values = {"units": 8, "char_ngrams": 3, "text_units": "char", "max_tokens": 10,
              "word_ngrams": 2, "text_bag": "tf_idf", "embedding_dropout": 0.1}
    assert knobs.text_values(values) == {"char_ngrams": 3, "text_units": "char",
                                         "max_tokens": 10, "word_ngrams": 2,
                                         "text_bag": "tf_idf"}


def test_task_of_tells_forecasts_apart_and_is_the_engines():
    x = np.zeros((12, 4, 1), "float32")
    splits = data.catalog.Splits("s", "sequence", x, np.zeros(12), x, np.zeros(12), x,
                                 np.zeros(12), num_outputs=1, info={"target_feature": 0})
    assert knobs.task_of(splits) == "forecasting"
    # What a model is built and compiled for: a forecast is a regression.
    assert knobs.task_of(splits, forecasting=False) == "regression"
    splits.info = None
    assert knobs.task_of(splits) == "regression"
    splits.num_classes = 2
    assert knobs.task_of(splits) == "classification"
    from nnrecipes import engine

    assert engine.task_of is knobs.task_of  # one place derives the task


def test_augmentation_values_keep_what_applies_and_warn_for_what_was_asked():
    values = {"units": 8, "augment": "translate", "random_erasing": 0.2, "mixup": 0.3,
              "cutmix": 0.5}
    assert knobs.augmentation_values(values, "image", "classification") == {
        "augment": "translate", "random_erasing": 0.2, "mixup": 0.3, "cutmix": 0.5}
    # Defaults of knobs that do not apply are dropped silently...
    assert knobs.augmentation_values(values, "tabular", "classification") == {"mixup": 0.3}
    assert knobs.augmentation_values(values, "text", "classification") == {}
    assert knobs.augmentation_values(values, "tabular", "regression") == {}
    # ...the ones the user asked for, with a warning naming their facts.
    with pytest.warns(UserWarning, match=r"mixup=0.3 \(kinds \['tabular', 'image', "
                                         r"'sequence'\].*not applicable to text data"):
        assert knobs.augmentation_values(values, "text", "classification",
                                         asked={"mixup": 0.3}) == {}


def test_a_tables_manifest_lists_no_text_knob():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 3)).astype("float32")
    splits = data.from_arrays(x, (x[:, 0] > 0).astype("int64"), seed=0)
    result = nnrecipes.train("mlp", splits, epochs=1, export=False, diagnostics=False,
                             verbose=0, units=8)
    listed = set(result.manifest["hyperparameters"])
    assert not {"char_ngrams", "max_tokens", "text_bag", "text_units", "augment"} & listed
    assert {"units", "num_layers", "numeric_embedding", "learning_rate"} <= listed


def test_info_gives_each_knobs_facts():
    info = nnrecipes.get_recipe("mlp").hyperparameters("classification")
    assert info["char_ngrams"]["kinds"] == ["text"]
    assert info["char_ngrams"]["searched"] is False
    assert info["units"]["group"] == "architecture" and info["units"]["help"]
