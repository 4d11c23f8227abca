"""The facts the `nnrecipes` command answers from without TensorFlow.

`nnrecipes list`, `info`, `--help` and the argument checks of `train`,
`tune` and `lr-find` read `cli_index.json`, a file generated from the recipe
declarations (`generate()`), so they answer before TensorFlow is imported.
It is no second copy kept by hand: `tests/cli_index_test.py` regenerates it
and checks it equal to the committed file. After changing a declaration:

    python -m nnrecipes.cli_index --write

Reading it (`load`) needs the standard library only; `generate` imports
every recipe (and so TensorFlow).
"""

import difflib
import functools
import json
import os
import sys

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli_index.json")
AUTO = "auto"


def generate():
    """Builds the index from the declarations (imports TensorFlow).

    Returns:
        A JSON-ready dict: every recipe's description, aliases, input kinds
        and hyperparameters (per task), and the defaults the flags show.

    Example:
    ```python
    index = nnrecipes.cli_index.generate()
    index["recipes"]["lstm"]["hyperparameters"]["classification"]["units"]
    ```
    """
    from nnrecipes import data
    from nnrecipes import engine
    from nnrecipes import training
    from nnrecipes import tuning
    from nnrecipes.engine import distribute
    from nnrecipes.registry import aliases_of
    from nnrecipes.registry import get_recipe
    from nnrecipes.registry import list_recipes

    recipes = {}
    for name in list_recipes():
        recipe = get_recipe(name)
        recipes[name] = {
            "description": recipe.description, "aliases": aliases_of(name),
            "input_kinds": list(recipe.input_kinds),
            "hyperparameters": {task: recipe.hyperparameters(task)
                                for task in ("classification", "regression")}}
    defaults = {"dataset": training.DEFAULT_DATASET, "data_dir_env": data.DATA_DIR_ENV,
                "epoch_budget": engine.epoch_budget_text(),
                "export_dir": training.DEFAULT_EXPORT_DIR, "tuners": list(tuning.TUNERS),
                "tune_directory": tuning.DEFAULT_DIRECTORY,
                "strategies": list(distribute.STRATEGIES)}
    # A round trip through JSON, so that the result compares equal to `load()`.
    return json.loads(json.dumps({"recipes": recipes, "defaults": defaults}))


@functools.lru_cache(maxsize=1)
def load():
    """The committed index (standard library only).

    Returns:
        The dict `generate()` returned when the file was written.
    """
    with open(PATH, encoding="utf-8") as f:
        return json.load(f)


def write(path=PATH):
    """Regenerates the index file; returns its path."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(generate(), f, indent=1, sort_keys=True)
        f.write("\n")
    return path


def names(include_aliases=False):
    """The recipe names, sorted, as `nnrecipes.list_recipes` gives them."""
    recipes = load()["recipes"]
    found = list(recipes)
    if include_aliases:
        found += [alias for info in recipes.values() for alias in info["aliases"]]
    return sorted(found)


def resolve(name):
    """The canonical recipe name for `name` or an alias, as `get_recipe` finds it.

    Returns:
        `(name, None)`, `("auto", None)` for the `auto` rule, or
        `(None, message)` with the error `get_recipe` would raise.
    """
    key = name.strip().lower().replace("-", "_")
    if key == AUTO:
        return AUTO, None
    for canonical, info in load()["recipes"].items():
        if key == canonical or key in info["aliases"]:
            return canonical, None
    valid = names(include_aliases=True)
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return None, f"Unknown recipe {name!r}.{hint} Valid names: {valid}. Received: name={name!r}"


class IndexedRecipe:
    """A recipe as the index describes it: what the command's parsers read.

    Args:
        name: a canonical recipe name of the index.
    """

    def __init__(self, name):
        info = load()["recipes"][name]
        self.name = name
        self.description = info["description"]
        self.input_kinds = tuple(info["input_kinds"])
        self._hyperparameters = info["hyperparameters"]

    def hyperparameters(self, task="classification"):
        """The declared hyperparameters for `task`, as `Recipe.hyperparameters` gives them."""
        return self._hyperparameters[task]


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m nnrecipes.cli_index --write")
    print(f"Wrote {write()}")
