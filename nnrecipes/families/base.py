"""What every recipe is: the `Recipe` base class, and `register_recipe`, which
makes a recipe known by name to `nnrecipes.get_recipe` and `nnrecipes.build`."""

import keras_tuner

from nnrecipes.families import knobs

RECIPES = {}  # canonical name -> Recipe instance
ALIASES = {}  # alias -> canonical name


class Recipe:
    """Base class of a recipe: one architecture family, declared once.

    Subclasses set `name`, `description` and `input_kinds`, declare their
    hyperparameters in `search_space(hp, task)` and make the model's body in
    `build_body(inputs, kind, **hyperparameters)`. The shared input, output
    head and `compile` live in `nnrecipes.families.common`.
    """

    name = None
    description = ""
    input_kinds = ()
    aliases = ()

    def search_space(self, hp, task):
        """Declares every hyperparameter on `hp` and returns their values.

        Args:
            hp: a `keras_tuner.HyperParameters`.
            task: `"classification"` or `"regression"`.

        Returns:
            A dict name -> value (the default, a fixed value, or a tuner's pick).
        """
        raise NotImplementedError

    def build_body(self, inputs, kind, *, vocab_size=None, **hyperparameters):
        """Returns the feature tensor that the output head is put on."""
        raise NotImplementedError

    def data_defaults(self, splits):
        """Defaults that follow from the data (its shape, its size): a dict
        name -> value that the user's own values override. None here; the
        engine asks for them before it resolves a run's hyperparameters.

        Args:
            splits: the `nnrecipes.data.Splits` the run trains on.
        """
        return {}

    def finish_outputs(self, outputs):
        """What the head's output becomes before postprocessing: unchanged here;
        an ensemble (`tabm`) averages its members' outputs."""
        return outputs

    def make_model(self, inputs, outputs):
        """The model of `inputs` and `outputs`: a functional `keras.Model`
        here; an ensemble (`tabm`) trains on its members' losses."""
        import keras

        return keras.Model(inputs, outputs, name=self.name)

    def hyperparameters(self, task="classification"):
        """Every hyperparameter of the recipe: default, range or choices.

        Returns:
            A dict name -> {"type", "default", and "min"/"max"/"step"/"sampling"
            or "values"}, with the knob's facts (`nnrecipes.families.knobs`):
            "group", "help", "kinds", "tasks", "searched" (and "search").
        """
        hp = keras_tuner.HyperParameters()
        self.search_space(hp, task)
        return {p.name: {**_describe(p), **knobs.describe(p.name)} for p in hp.space}

    def __repr__(self):
        return (
            f"<Recipe {self.name!r}: {self.description} "
            f"inputs={list(self.input_kinds)}>"
        )


def _describe(param):
    kind = type(param).__name__
    info = {"type": kind, "default": param.default}
    if kind in ("Int", "Float"):
        info.update(min=param.min_value, max=param.max_value, step=param.step,
                    sampling=param.sampling)
    elif kind == "Choice":
        info["values"] = list(param.values)
    elif kind == "Boolean":
        info["values"] = [False, True]
    return info


def register_recipe(name, aliases=()):
    """Class decorator that registers a `Recipe` under `name` and its aliases.

    Registering a name twice is an error.

    Example:
    ```python
    @nnrecipes.register_recipe("tiny_mlp")
    class TinyMLP(nnrecipes.families.mlp.MLPRecipe):
        description = "An MLP with one small layer by default."
    ```
    """

    def decorator(cls):
        taken = [n for n in (name, *aliases) if n in RECIPES or n in ALIASES]
        if taken:
            raise ValueError(
                f"Recipe name(s) {taken} are already registered. "
                f"Registered: {sorted([*RECIPES, *ALIASES])}"
            )
        instance = cls()
        instance.name = name
        instance.aliases = tuple(aliases)
        RECIPES[name] = instance
        for alias in aliases:
            ALIASES[alias] = name
        return cls

    return decorator
