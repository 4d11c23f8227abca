"""`auto`: the one rule that picks a recipe from the data, and every path to it."""

import json

import numpy as np
import pytest

import nnrecipes
from nnrecipes import cli
from nnrecipes.families import auto


@pytest.mark.parametrize("kind, task, shape, expected", [
    ("image", "classification", (8, 8, 1), auto.RULES["image"][0]),
    ("image", "classification", (28, 28, 1), auto.RULES["image"][0]),
    ("tabular", "classification", (14,), auto.RULES["tabular"][0]),
    ("tabular", "regression", (11,), auto.RULES["tabular"][0]),
    ("sequence", "regression", (30, 1), auto.RULES["series"][0]),
    ("sequence", "classification", (30, 3), auto.RULES["sequence"][0]),
    ("text", "classification", None, auto.RULES["text"][0]),
    ("tokens", "classification", (64,), auto.RULES["tokens"][0]),
    ("bag", "classification", (500,), auto.RULES["text"][0]),
])
def test_the_rule_picks_by_kind(kind, task, shape, expected):
    choice = auto.choose(kind, task=task, input_shape=shape, examples=1000)
    assert choice.recipe == expected
    assert f"-> {expected} for " in choice.reason
    assert "1,000 training examples" in choice.reason
    # every kind's recipe really takes that kind of input
    takes = nnrecipes.get_recipe(choice.recipe).input_kinds
    assert {"text": "bag" if expected == "mlp" else "tokens"}.get(kind, kind) in takes


def test_the_measured_families():
    # The table in auto's docstring: images -> cnn, tables -> mlp, text and
    # series -> what validation picked (see RULES' reasons).
    assert auto.RULES["image"][0] == "cnn"
    assert auto.RULES["tabular"][0] == "mlp"
    assert auto.RULES["series"][0] in ("rnn", "gru", "lstm")


def test_bad_kind_and_task_are_named():
    with pytest.raises(ValueError, match=r"one of \['image'.*Received: kind='graph'"):
        auto.choose("graph")
    with pytest.raises(ValueError, match="Received: task='ranking'"):
        auto.choose("tabular", task="ranking")


def test_choose_for_reads_the_data():
    choice = auto.choose_for(nnrecipes.data.load("digits"))
    assert choice.recipe == "cnn"
    assert "images of 8x8 pixels" in choice.reason
    series = nnrecipes.data.from_arrays(np.random.rand(200, 12, 1).astype("float32"),
                                        np.random.rand(200, 1).astype("float32"))
    assert auto.choose_for(series).recipe == auto.RULES["series"][0]
    assert auto.choose_for(nnrecipes.data.load("wine")).to_dict()["recipe"] == "mlp"


def test_build_auto_follows_the_rule():
    image = nnrecipes.build("auto", input_shape=(8, 8, 1), num_classes=10)
    assert any(type(layer).__name__ == "Conv2D" for layer in image.layers)
    table = nnrecipes.build("auto", input_shape=(30,), num_outputs=1, units=16)
    kinds = {type(layer).__name__ for layer in table.layers}
    assert "Dense" in kinds and not kinds & {"Conv2D", "Conv1D", "GRU", "SimpleRNN"}
    assert table.get_layer("block1_dense").units == 16  # the user's value wins


def test_build_auto_without_an_input_says_what_to_pass():
    with pytest.raises(ValueError, match=r"`auto` picks the recipe from the input.*"
                                         r"input_shape.*Received: input_shape=None"):
        nnrecipes.build("auto", num_classes=2)


def test_auto_is_not_a_recipe_name_elsewhere():
    with pytest.raises(ValueError, match="'auto' is not one recipe.*Received: name='auto'"):
        nnrecipes.get_recipe("auto")


def test_train_auto_records_the_choice(tmp_path):
    # Without hyperparameters `auto` trains its portfolio; a tiny budget keeps
    # it to the first (linear) candidate, cross-validated (wine is small).
    result = nnrecipes.train("auto", "wine", epochs=1, export=False, diagnostics=False,
                             verbose=0, time_budget=0.01)
    auto = result.manifest["auto"]
    assert result.manifest["recipe"] == "mlp" and auto["recipe"] == "mlp"
    assert "a table of 13 columns" in auto["rule"]["reason"]
    assert [c["name"] for c in auto["candidates"]] == ["linear", "mlp"]
    assert auto["picked"] == ["linear"] and auto["budget_seconds"] == 0.01
    assert auto["scored_by"].startswith("3-fold cross-validation")
    assert result.manifest["hyperparameters"]["num_layers"] == 0


def test_train_auto_with_hyperparameters_trains_the_rule_and_refuses_a_budget():
    with pytest.raises(ValueError, match=r"`time_budget` is the time of `auto`'s portfolio.*"
                                         r"Received: recipe='mlp', time_budget=5"):
        nnrecipes.train("auto", "wine", units=8, time_budget=5, export=False)
    with pytest.raises(ValueError, match=r"without a resumable checkpoint.*resume=True"):
        nnrecipes.train("auto", "wine", resume=True, export=False)


def test_cli_train_auto(tmp_path, capsys):
    assert cli.main(["train", "auto", "--dataset", "digits", "--epochs", "1",
                     "--export-dir", str(tmp_path), "--no-diagnostics", "--verbose", "0",
                     "--filters", "8"]) == 0
    out = capsys.readouterr().out
    assert "auto: cnn (images of 8x8 pixels" in out
    manifest = json.loads((tmp_path / "cnn_digits" / "1" / "manifest.json").read_text())
    assert manifest["auto"]["recipe"] == "cnn"
    assert manifest["hyperparameters"]["filters"] == 8  # the chosen recipe's flags work


def test_cli_train_auto_bad_dataset():
    with pytest.raises(SystemExit, match="(?i)unknown dataset 'digitz'. Did you mean 'digits'"):
        cli.main(["train", "auto", "--dataset", "digitz"])


def test_tune_auto_searches_the_chosen_family(tmp_path):
    result = nnrecipes.tune("auto", "wine", tuner="random", max_trials=1, epochs=1,
                            directory=str(tmp_path), space={"units": [16]}, tune_all=False)
    assert result.settings["recipe"] == "mlp"
    assert result.settings["auto"]["recipe"] == "mlp"
