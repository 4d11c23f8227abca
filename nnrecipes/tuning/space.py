"""The search space of a recipe, narrowed by the user without a HyperModel.

The recipe declares its hyperparameters once (`Recipe.search_space`). A
user narrows that space with a plain dict; each entry is declared on a
`keras_tuner.HyperParameters` *before* the recipe declares its own, and
KerasTuner keeps the first declaration of a name:

- a single value fixes it: `{"units": 64}`;
- a list makes a choice: `{"activation": ["relu", "gelu"]}`;
- a `(low, high)` pair, or a dict `{"min": .., "max": .., "step": ..,
  "sampling": ..}`, changes a numeric range: `{"learning_rate": (1e-4, 1e-2)}`;
- a `keras_tuner` hyperparameter object is taken as it is.

`batch_size` and `epochs` may be tuned the same way (they are read in
`RecipeHyperModel.fit`).

Every name the user leaves out is searched only where its facts
(`nnrecipes.families.knobs`) say so: it applies to the data's kind and
task, and tuning searches it by default; it is then drawn from its `search`
range when it has one. The others stay at their default (fixed).
"""

import keras_tuner

from nnrecipes.families import knobs
from nnrecipes.registry import check_value
from nnrecipes.registry import get_recipe
from nnrecipes.registry import resolve_hyperparameters

# Entries of the space that belong to `fit`, not to the recipe.
FIT_HYPERPARAMETERS = ("batch_size", "epochs")

def declared_space(recipe, task):
    """The recipe's own declaration: a dict name -> hyperparameter object."""
    hp = keras_tuner.HyperParameters()
    get_recipe(recipe).search_space(hp, task)
    return {p.name: p for p in hp.space}


def _declare(hp, name, spec, param):
    """Declares one user entry on `hp`."""
    kind = type(param).__name__ if param is not None else None
    if isinstance(spec, keras_tuner.engine.hyperparameters.HyperParameter):
        if spec.name != name:
            raise ValueError(f"The hyperparameter object given for {name!r} is named "
                             f"{spec.name!r}. Received: {name}={spec!r}")
        hp.merge([spec])
        return
    if isinstance(spec, list):
        if not spec:
            raise ValueError(f"The list of values for {name!r} is empty. Received: {name}=[]")
        values = [check_value(param, v) if param is not None else v for v in spec]
        if param is not None and kind == "Boolean" and len(values) == 2:
            hp.Boolean(name, default=param.default)
            return
        default = param.default if param is not None and param.default in values else values[0]
        hp.Choice(name, values, default=default)
        return
    if isinstance(spec, (tuple, dict)):
        if isinstance(spec, tuple):
            if len(spec) != 2:
                raise ValueError(f"A range for {name!r} is a pair (low, high). "
                                 f"Received: {name}={spec!r}")
            low, high, step, sampling = spec[0], spec[1], None, None
        else:
            unknown = set(spec) - {"min", "max", "step", "sampling"}
            if unknown or not {"min", "max"} <= set(spec):
                raise ValueError(f"A range for {name!r} is a dict with 'min', 'max' and "
                                 f"optionally 'step' and 'sampling'. Received: {name}={spec!r}")
            low, high = spec["min"], spec["max"]
            step, sampling = spec.get("step"), spec.get("sampling")
        if kind is not None and kind not in ("Int", "Float"):
            raise ValueError(
                f"Hyperparameter {name!r} is a {kind}, not a number: narrow it with a list "
                f"of values instead of a range. Received: {name}={spec!r}")
        if param is not None:
            low, high = check_value(param, low), check_value(param, high)
        if low > high:
            raise ValueError(f"The range of {name!r} must have low <= high. "
                             f"Received: {name}={spec!r}")
        is_int = kind == "Int" or (kind is None and all(isinstance(v, int) for v in (low, high)))
        if param is not None:
            sampling = sampling or param.sampling
            if step is None and param.step is not None and (
                    sampling == "log" or high - low >= param.step):
                step = param.step
            default = min(max(param.default, low), high)
        else:
            sampling, default = sampling or "linear", low
        if is_int:
            hp.Int(name, int(low), int(high), step=step or 1, sampling=sampling,
                   default=int(default))
        else:
            hp.Float(name, float(low), float(high), step=step, sampling=sampling,
                     default=float(default))
        return
    hp.Fixed(name, check_value(param, spec) if param is not None else spec)


def default_searched(param, knob, default):
    """`param` as a default search draws it: its knob's `search` range or
    values within the declared ones, or `param` itself without one."""
    if knob.search is None:
        return param
    kind = type(param).__name__
    hp = keras_tuner.HyperParameters()
    if kind == "Choice":
        values = [v for v in param.values if v in knob.search]
        hp.Choice(param.name, values, default=default if default in values else values[0])
    elif kind in ("Int", "Float"):
        low = max(param.min_value, knob.search[0])
        high = min(param.max_value, knob.search[1])
        default = min(max(default, low), high)
        step = param.step if param.sampling == "log" or (
            param.step is not None and high - low >= param.step) else None
        if kind == "Int":
            hp.Int(param.name, low, high, step=step or 1, sampling=param.sampling,
                   default=default)
        else:
            hp.Float(param.name, low, high, step=step, sampling=param.sampling,
                     default=default)
    else:
        return param
    return hp.space[0]


def narrowed_hyperparameters(recipe, task, space=None, fixed=None, *, tune_all=True,
                             held_values=None, tuner_controls_epochs=False, kind=None):
    """A `keras_tuner.HyperParameters` that pre-declares the user's choices.

    Args:
        recipe: a recipe name or `Recipe`.
        task: `"classification"`, `"regression"` or `"forecasting"`.
        space: a dict name -> value, list, range or hyperparameter object
            (see the module docstring). Defaults to `None`.
        fixed: a dict name -> value of hyperparameters fixed for the whole
            search, checked against the declaration. Defaults to `None`.
        tune_all: when `True`, every declared hyperparameter not named in
            `space` or `fixed` that applies to `kind` and `task` and that
            tuning searches by default (`nnrecipes.families.knobs`) is
            searched, over its knob's `search` range where it has one; when
            `False`, only the ones named in `space` are. Defaults to `True`.
        held_values: values for the names held at a fixed value, e.g. the
            training length for `decay_steps`. Defaults to the declared
            defaults.
        tuner_controls_epochs: `True` for Hyperband, which sets the epochs
            itself: tuning `epochs` is then an error. Defaults to `False`.
        kind: the data's kind (`nnrecipes.data.KINDS`); knobs that do not
            apply to it and to `task` are fixed at their defaults (and
            `nnrecipes.tune`'s trial rows leave them out). Defaults to
            `None` (any kind).

    Returns:
        `(hp, tune_new_entries)` for a KerasTuner tuner.

    Example:
    ```python
    hp, _ = nnrecipes.tuning.narrowed_hyperparameters(
        "mlp", "classification", {"units": [32, 64], "learning_rate": (1e-4, 1e-2)})
    ```
    """
    recipe = get_recipe(recipe)
    space = dict(space or {})
    fixed = dict(fixed or {})
    declared_task = "regression" if task == "forecasting" else task
    params = declared_space(recipe, declared_task)
    recipe_fixed = {k: v for k, v in fixed.items() if k not in FIT_HYPERPARAMETERS}
    resolve_hyperparameters(recipe, recipe_fixed, declared_task)  # names and values checked
    unknown = sorted(set(space) - set(params) - set(FIT_HYPERPARAMETERS))
    if unknown:
        raise ValueError(
            f"Unknown hyperparameter(s) {unknown} in `space` for recipe {recipe.name!r}. "
            f"Valid: {sorted([*params, *FIT_HYPERPARAMETERS])}")
    both = sorted(set(space) & set(fixed))
    if both:
        raise ValueError(f"Hyperparameter(s) {both} are both fixed and given a space; "
                         "give each in one place only.")
    if tuner_controls_epochs and "epochs" in space:
        raise ValueError(
            "Hyperband chooses each trial's epochs itself (up to `max_epochs`); `epochs` "
            "cannot be tuned with it. Received: space['epochs']=" + repr(space["epochs"]))
    for name in ("batch_size", "epochs"):
        value = fixed.get(name, space.get(name))
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    hp = keras_tuner.HyperParameters()
    for name, value in fixed.items():
        if name in FIT_HYPERPARAMETERS:
            continue  # read from `fit`'s own arguments
        hp.Fixed(name, check_value(params[name], value))
    for name, spec in space.items():
        _declare(hp, name, spec, params.get(name))
    # Every name is declared here, so the oracle's space is complete from the
    # start (KerasTuner recognizes a repeated set of values only then).
    held = dict(held_values or {})
    for name, param in params.items():
        if name in space or name in fixed:
            continue
        knob = knobs.knob(name)
        applies = task in knob.tasks and (kind is None or kind in knob.kinds)
        if not (knob.searched and applies and tune_all):
            hp.Fixed(name, check_value(param, held.get(name, param.default)))
        else:
            hp.merge([default_searched(param, knob, param.default)])
    return hp, bool(tune_all)
