"""The recipe registry: declare a recipe once, build it by name.

A recipe declares its hyperparameters once, with KerasTuner `HyperParameters`
(`Recipe.search_space`). Everything else reads that declaration: the defaults
of `build()`, the checks on a user's overrides, the `nnrecipes train` flags and
the KerasTuner search space.
"""


import keras
import keras_tuner

# Importing the families registers every recipe; their base class and the
# registration decorator live with them.
from nnrecipes import names
from nnrecipes.data import backend as data_backend
from nnrecipes.families import auto
from nnrecipes.families import common
from nnrecipes.families.base import ALIASES as _ALIASES
from nnrecipes.families.base import RECIPES as _RECIPES
from nnrecipes.families.base import Recipe
from nnrecipes.families.base import register_recipe

# Input kinds a recipe may accept, decided from `input_shape` and `vocab_size`.
INPUT_KINDS = {
    "tabular": "(features,) float features",
    "tokens": "(sequence_length,) integer token ids, with vocab_size=...",
    "sequence": "(timesteps, features) numeric sequences",
    "image": "(height, width, channels) images",
    # Only from a leading TextVectorization(output_mode="tf_idf") (see `build`).
    "bag": "(vocabulary,) TF-IDF vector of a raw string, from a TextVectorization with "
           "output_mode='tf_idf' as `preprocessing`",
}

def input_kind(input_shape, vocab_size=None):
    """Names the kind of input that `input_shape` (and `vocab_size`) describe.

    Example:
    >>> nnrecipes.registry.input_kind((28, 28, 1))
    'image'
    """
    try:
        shape = tuple(input_shape)
    except TypeError:
        raise ValueError(
            "`input_shape` must be a tuple such as (features,), "
            "(timesteps, features) or (height, width, channels). "
            f"Received: input_shape={input_shape!r}"
        ) from None
    bad = [d for d in shape if not (d is None or (isinstance(d, int) and d > 0))]
    if not shape or bad:
        raise ValueError(
            "`input_shape` must be a non-empty tuple of positive integers "
            f"(None allowed for a variable length). Received: input_shape={input_shape!r}"
        )
    if vocab_size is not None:
        if not isinstance(vocab_size, int) or vocab_size < 2:
            raise ValueError(
                f"`vocab_size` must be an integer >= 2. Received: vocab_size={vocab_size!r}"
            )
        if len(shape) != 1:
            raise ValueError(
                "Token inputs take input_shape=(sequence_length,) together with "
                f"vocab_size. Received: input_shape={input_shape!r}, vocab_size={vocab_size}"
            )
        return "tokens"
    if len(shape) > 3:
        raise ValueError(
            "`input_shape` must have 1 to 3 dimensions (without the batch). "
            f"Received: input_shape={input_shape!r}"
        )
    return {1: "tabular", 2: "sequence", 3: "image"}[len(shape)]


def list_recipes(include_aliases=False):
    """Returns the names of the registered recipes, sorted.

    Example:
    >>> nnrecipes.list_recipes()
    ['cnn', 'gru', 'lstm', 'mlp', 'rnn', 'transformer']
    """
    names = list(_RECIPES)
    if include_aliases:
        names += list(_ALIASES)
    return sorted(names)


def aliases_of(name):
    """The other names the recipe `name` answers to, sorted.

    Example:
    >>> nnrecipes.registry.aliases_of("mlp")
    ['dense', 'dnn', 'feedforward', 'fnn']
    """
    canonical = get_recipe(name).name
    return sorted(alias for alias, target in _ALIASES.items() if target == canonical)


def get_recipe(name):
    """Returns the `Recipe` registered under `name` (or one of its aliases).

    Example:
    >>> recipe = nnrecipes.get_recipe("lstm")
    >>> recipe.hyperparameters()["units"]["default"]
    64
    """
    if isinstance(name, Recipe):
        return name
    if not isinstance(name, str):
        raise ValueError(
            f"A recipe name must be a string. Received: name={name!r}. "
            f"Valid names: {list_recipes(include_aliases=True)}"
        )
    key = name.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key in _RECIPES:
        return _RECIPES[key]
    if auto.is_auto(key):
        raise ValueError(
            "'auto' is not one recipe: it picks one from the data (the rule in "
            "nnrecipes.families.auto). `train`, `tune`, `build` and `nnrecipes train` take "
            f"it; here name a recipe. Valid names: {list_recipes(include_aliases=True)}. "
            f"Received: name={name!r}")
    valid = list_recipes(include_aliases=True)
    hint = names.did_you_mean(key, valid)
    raise ValueError(
        f"Unknown recipe {name!r}.{hint} Valid names: {valid}. Received: name={name!r}"
    )


def check_value(param, value):
    """Checks `value` against a declared hyperparameter; returns it, coerced.

    Raises:
        ValueError: naming the hyperparameter, the value and what is valid.
    """
    kind = type(param).__name__
    name = param.name
    if kind == "Boolean":
        if isinstance(value, bool):
            return value
        raise ValueError(
            f"Hyperparameter {name!r} must be True or False. Received: {name}={value!r}"
        )
    if kind == "Choice":
        for allowed in param.values:
            if value == allowed and type(value) is type(allowed):
                return value
            if isinstance(allowed, (int, float)) and isinstance(value, (int, float)) \
                    and not isinstance(value, bool) and value == allowed:
                return allowed
        raise ValueError(
            f"Hyperparameter {name!r} must be one of {list(param.values)}."
            f"{names.did_you_mean(value, param.values)} Received: {name}={value!r}"
        )
    if kind in ("Int", "Float"):
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "Int" and numeric and float(value).is_integer():
            value = int(value)
        elif kind == "Int" or not numeric:
            what = "an integer" if kind == "Int" else "a number"
            raise ValueError(
                f"Hyperparameter {name!r} must be {what} in "
                f"[{param.min_value}, {param.max_value}]. Received: {name}={value!r}"
            )
        if not param.min_value <= value <= param.max_value:
            raise ValueError(
                f"Hyperparameter {name!r} is out of range: valid values lie in "
                f"[{param.min_value}, {param.max_value}]. Received: {name}={value!r}"
            )
        return float(value) if kind == "Float" else value
    return value  # Fixed


def resolve_hyperparameters(recipe, overrides, task="classification", hp=None):
    """Fixes each override on `hp` and returns the recipe's full set of values.

    Unknown names and values out of range raise `ValueError`. This is the one
    path from a declaration to values: `build()` and the tuner both take it.
    """
    recipe = get_recipe(recipe)
    hp = hp if hp is not None else keras_tuner.HyperParameters()
    declared = keras_tuner.HyperParameters()
    recipe.search_space(declared, task)
    params = {p.name: p for p in declared.space}
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        hints = []
        for bad in unknown:
            close = names.did_you_mean(bad, params)
            if close:
                hints.append(f"{bad!r} -> {close.split(' ')[-1]}")
        hint = f" Did you mean: {', '.join(hints)}" if hints else ""
        raise ValueError(
            f"Unknown hyperparameter(s) {unknown} for recipe {recipe.name!r}.{hint} "
            f"Valid: {sorted(params)}"
        )
    for key, value in overrides.items():
        hp.Fixed(key, check_value(params[key], value))
    return recipe.search_space(hp, task)


def build(name, *, input_shape=None, num_classes=None, num_outputs=None, vocab_size=None,
          preprocessing=None, input_dtype=None, raw_input_shape=None, postprocessing=None,
          target_feature=None, compile=True, **hyperparameters):
    """Builds a recipe's model by name: a compiled, plain `keras.Model`.

    Args:
        name: a recipe name from `nnrecipes.list_recipes()` (or an alias),
            or `"auto"`: the recipe and defaults that
            `nnrecipes.families.auto.choose` picks for the input's kind.
        input_shape: `(features,)` for tabular data, `(timesteps, features)`
            for numeric sequences, `(height, width, channels)` for images, or
            `(sequence_length,)` for token ids together with `vocab_size`.
            May be left out when `preprocessing` starts with an adapted
            `TextVectorization`: the model then takes one raw string per
            example, and `input_shape`, `vocab_size`, `raw_input_shape=()` and
            `input_dtype="string"` are read from the layer.
        num_classes: makes an N-way classifier trained on integer labels
            0..N-1, with an accuracy metric. Defaults to `None`.
        num_outputs: makes a K-output regressor instead. Defaults to `None`.
        vocab_size: size of the token vocabulary (ids 0..vocab_size-1, 0 is
            padding) for token inputs. Defaults to `None` (numeric inputs).
        preprocessing: a Keras layer, or a list of them, applied to the raw
            input before the recipe's body, e.g. an adapted
            `keras.layers.Normalization`. It becomes part of the model and of
            its exports. Defaults to `None`.
        input_dtype: dtype of the `keras.Input`. Defaults to `"int32"` for
            token inputs and `"float32"` otherwise.
        raw_input_shape: shape of the `keras.Input` when `preprocessing`
            changes it, e.g. `()` for one raw string per example that a
            `TextVectorization` turns into `input_shape=(sequence_length,)`
            token ids. Defaults to `None` (the input has `input_shape`).
        postprocessing: a Keras layer, or a list of them, applied to the
            head's output, e.g. one mapping normalized regression outputs back
            to the target's units. Defaults to `None`.
        target_feature: for a one-step forecast of a series from windows of
            it `(timesteps, features)`, the feature that holds the series
            itself. The forecasting hyperparameters (`revin`,
            `residual_forecast`, `autoregressive`) then apply; the head's
            output must be in that feature's units as the body sees it
            (`nnrecipes.data.preprocessing_for` sets both). Defaults to
            `None` (not a forecast).
        compile: whether to compile the model. Defaults to `True`.
        **hyperparameters: values for the recipe's hyperparameters; see
            `nnrecipes.get_recipe(name).hyperparameters()`.

    Returns:
        A `keras.Model` (Functional), compiled unless `compile=False`.

    Example:
    ```python
    model = nnrecipes.build("lstm", input_shape=(24, 8), num_classes=3, units=32)
    model.fit(x, y, epochs=2)

    vectorizer = keras.layers.TextVectorization(output_sequence_length=32)
    vectorizer.adapt(texts)
    model = nnrecipes.build("gru", num_classes=2, preprocessing=vectorizer)
    model.fit(tf.constant(texts), labels)  # raw strings in
    ```
    """
    if not auto.is_auto(name):
        get_recipe(name)  # an unknown name is the first error
    text = _text_input(preprocessing, input_shape=input_shape, vocab_size=vocab_size,
                       raw_input_shape=raw_input_shape, input_dtype=input_dtype)
    if text:
        input_shape, vocab_size = text["input_shape"], text["vocab_size"]
        raw_input_shape, input_dtype = text["raw_input_shape"], text["input_dtype"]
    if input_shape is None:
        why = "`auto` picks the recipe from the input, so `input_shape` is required" if \
            auto.is_auto(name) else "`input_shape` is required"
        raise ValueError(
            f"{why} (the shape of one example: (features,), (timesteps, features), "
            "(height, width, channels), or (sequence_length,) with vocab_size), unless "
            "`preprocessing` starts with an adapted `TextVectorization`. "
            "Received: input_shape=None")
    if auto.is_auto(name):
        choice = auto.choose(text.get("kind") or input_kind(input_shape, vocab_size),
                             task="classification" if num_outputs is None else "regression",
                             input_shape=input_shape)
        name, hyperparameters = choice.recipe, {**choice.hyperparameters, **hyperparameters}
    recipe = get_recipe(name)
    if (num_classes is None) == (num_outputs is None):
        raise ValueError(
            "Give exactly one of `num_classes` (classification) or `num_outputs` "
            f"(regression). Received: num_classes={num_classes!r}, num_outputs={num_outputs!r}"
        )
    target = num_classes if num_classes is not None else num_outputs
    arg = "num_classes" if num_classes is not None else "num_outputs"
    low = 2 if num_classes is not None else 1
    if isinstance(target, bool) or not isinstance(target, int) or target < low:
        raise ValueError(f"`{arg}` must be an integer >= {low}. Received: {arg}={target!r}")
    task = "classification" if num_classes is not None else "regression"
    kind = text.get("kind") or input_kind(input_shape, vocab_size)
    if kind not in recipe.input_kinds:
        valid = ", ".join(f"{k} {INPUT_KINDS[k]}" for k in recipe.input_kinds)
        raise ValueError(
            f"Recipe {recipe.name!r} cannot take {kind} input. Valid inputs: {valid}. "
            f"Received: input_shape={tuple(input_shape)!r}, vocab_size={vocab_size!r}"
        )
    input_dtype = _check_input_dtype(input_dtype, kind, preprocessing)
    if input_dtype == "string" and not data_backend.takes_strings():
        raise data_backend.string_refusal("This model's input")
    values = resolve_hyperparameters(recipe, hyperparameters, task)
    return common.assemble(
        recipe, values, kind=kind, task=task, input_shape=tuple(input_shape),
        num_targets=target, vocab_size=vocab_size, preprocessing=preprocessing,
        input_dtype=input_dtype, compile=compile, raw_input_shape=raw_input_shape,
        postprocessing=postprocessing, target_feature=_check_target_feature(
            target_feature, input_shape, kind),
    )


def _check_target_feature(target_feature, input_shape, kind):
    if target_feature is None:
        return None
    features = input_shape[-1] if kind == "sequence" else None
    if (isinstance(target_feature, bool) or not isinstance(target_feature, int)
            or target_feature < 0 or (features is not None and target_feature >= features)):
        raise ValueError(
            "`target_feature` must index a feature of the numeric sequence input "
            f"(0..{features - 1 if features else '?'}), or be None. Received: "
            f"target_feature={target_feature!r}, input_shape={tuple(input_shape)!r}")
    return target_feature


def _text_input(preprocessing, **given):
    """What a leading `TextVectorization` fixes: token-id shape and vocabulary
    size (or, for TF-IDF output, the vector's size and kind `"bag"`), one raw
    string per example. Returns `{}` without one; a value the user gave that
    disagrees with the layer is an error here, not at `fit`."""
    first = preprocessing[0] if isinstance(preprocessing, (list, tuple)) and \
        preprocessing else preprocessing
    if not isinstance(first, keras.layers.TextVectorization):
        return {}
    config = first.get_config()
    bag = config["output_mode"] == "tf_idf"
    if not bag and (config["output_mode"] != "int" or not config["output_sequence_length"]):
        raise ValueError(
            "A `TextVectorization` used as `preprocessing` must give token ids of a fixed "
            "length (output_mode='int' and an output_sequence_length) or TF-IDF vectors "
            "(output_mode='tf_idf'). Received: "
            f"output_mode={config['output_mode']!r}, "
            f"output_sequence_length={config['output_sequence_length']!r}")
    if first.vocabulary_size() <= 2:
        raise ValueError("The `TextVectorization` given as `preprocessing` has no vocabulary: "
                         "call its `adapt(texts)` on the training texts first.")
    if bag:
        expected = {"input_shape": (first.vocabulary_size(),), "vocab_size": None}
    else:
        expected = {"input_shape": (config["output_sequence_length"],),
                    "vocab_size": first.vocabulary_size()}
    expected.update(raw_input_shape=(), input_dtype="string")
    for key, value in expected.items():
        received = given[key]
        if received is not None and (tuple(received) if key.endswith("shape")
                                     else received) != value:
            raise ValueError(
                f"`{key}` disagrees with the `TextVectorization` given as `preprocessing`, "
                f"which makes it {value!r}; leave it out to have it read from the layer. "
                f"Received: {key}={received!r}")
    return dict(expected, kind="bag") if bag else dict(expected, kind="tokens")


def _check_input_dtype(input_dtype, kind, preprocessing):
    if input_dtype is None:
        return None
    try:
        dtype = keras.backend.standardize_dtype(input_dtype)
    except ValueError:
        raise ValueError(
            "`input_dtype` must be a dtype name such as 'float32', 'int32' or 'string'. "
            f"Received: input_dtype={input_dtype!r}"
        ) from None
    if preprocessing is None:
        if kind == "tokens" and "int" not in dtype:
            raise ValueError(
                "Token inputs are integer ids: `input_dtype` must be an integer dtype "
                "(or give a TextVectorization as `preprocessing` for raw strings). "
                f"Received: input_dtype={input_dtype!r}"
            )
        if kind != "tokens" and dtype in ("string", "bool"):
            raise ValueError(
                f"{kind.capitalize()} inputs are numbers: `input_dtype` must be a numeric "
                "dtype (or give `preprocessing` layers that turn your values into numbers). "
                f"Received: input_dtype={input_dtype!r}"
            )
    return dtype


def hypermodel_build(name, hp, *, input_shape, num_classes=None, num_outputs=None,
                     **kwargs):
    """Builds from a tuner's `hp`: the same path as `build`, for KerasTuner."""
    recipe = get_recipe(name)
    task = "classification" if num_classes is not None else "regression"
    values = recipe.search_space(hp, task)
    return build(recipe.name, input_shape=input_shape, num_classes=num_classes,
                 num_outputs=num_outputs, **kwargs, **values)

