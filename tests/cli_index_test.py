"""The command's index of the recipe declarations: generated, never kept by hand."""

import json

import nnrecipes
from nnrecipes import cli_index


def test_committed_index_equals_the_declarations():
    # Fails after a change to any declaration until the index is regenerated:
    #     python -m nnrecipes.cli_index --write
    assert cli_index.load() == cli_index.generate(), (
        "nnrecipes/cli_index.json is stale: run `python -m nnrecipes.cli_index --write`")


def test_index_answers_as_the_registry_does():
    assert cli_index.names() == nnrecipes.list_recipes()
    assert cli_index.names(include_aliases=True) == nnrecipes.list_recipes(include_aliases=True)
    for name in nnrecipes.list_recipes(include_aliases=True):
        assert cli_index.resolve(name) == (nnrecipes.get_recipe(name).name, None)
    recipe = cli_index.IndexedRecipe("lstm")
    assert recipe.hyperparameters("regression") == json.loads(json.dumps(
        nnrecipes.get_recipe("lstm").hyperparameters("regression")))
    assert cli_index.resolve("Auto") == ("auto", None)


def test_unknown_recipe_message_matches_get_recipe():
    canonical, message = cli_index.resolve("lstn")
    assert canonical is None
    try:
        nnrecipes.get_recipe("lstn")
    except ValueError as error:
        assert message == str(error)


def test_write_regenerates_the_file(tmp_path):
    path = cli_index.write(tmp_path / "index.json")
    assert json.loads(path.read_text()) == cli_index.load()
