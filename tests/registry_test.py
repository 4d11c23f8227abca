"""The registry and `build`: names, declarations, overrides and clear errors."""

import keras
import keras_tuner
import numpy as np
import pytest

import nnrecipes
from nnrecipes import registry

RECIPES = nnrecipes.list_recipes()

# A shape of each input kind, to probe what a family accepts.
SHAPES = {
    "tabular": dict(input_shape=(10,)),
    "sequence": dict(input_shape=(12, 5)),
    "image": dict(input_shape=(8, 8, 1)),
    "tokens": dict(input_shape=(20,), vocab_size=50),
}


def test_the_six_families_are_registered():
    assert {"mlp", "cnn", "rnn", "lstm", "gru", "transformer"} <= set(RECIPES)
    assert nnrecipes.get_recipe("dnn") is nnrecipes.get_recipe("mlp")
    assert nnrecipes.get_recipe("FNN") is nnrecipes.get_recipe("mlp")
    assert "dnn" in nnrecipes.list_recipes(include_aliases=True)


def test_recipe_lives_in_families_base_as_the_readme_says():
    import pathlib

    from nnrecipes.families import base

    assert nnrecipes.Recipe is registry.Recipe is base.Recipe
    assert base.Recipe.__module__ == "nnrecipes.families.base"
    assert registry.get_recipe("mlp") is base.RECIPES["mlp"]
    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "`Recipe` lives here, not in registry.py" in readme


def test_registering_a_name_twice_is_an_error():
    with pytest.raises(ValueError, match="already registered"):
        nnrecipes.register_recipe("lstm")(type("Again", (nnrecipes.Recipe,), {}))
    with pytest.raises(ValueError, match="already registered"):
        nnrecipes.register_recipe("brand_new", aliases=("dnn",))(
            type("Again", (nnrecipes.Recipe,), {}))
    assert "brand_new" not in nnrecipes.list_recipes()


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_describes_itself(name):
    recipe = nnrecipes.get_recipe(name)
    assert recipe.description and recipe.input_kinds
    assert set(recipe.input_kinds) <= set(registry.INPUT_KINDS)
    space = recipe.hyperparameters()
    # The knobs of the subject, in every family.
    for knob in ("activation", "dropout", "batch_norm", "l1", "l2", "kernel_initializer",
                 "optimizer", "learning_rate", "loss"):
        assert knob in space, knob
    assert {"sgd", "adam", "rmsprop", "adagrad"} <= set(space["optimizer"]["values"])
    assert {"crossentropy", "hinge"} <= set(space["loss"]["values"])
    regression = recipe.hyperparameters("regression")["loss"]["values"]
    assert {"mse", "mae", "huber"} <= set(regression)
    for info in space.values():
        assert "default" in info
        if info["type"] in ("Int", "Float"):
            assert info["min"] <= info["default"] <= info["max"]


@pytest.mark.parametrize("name", RECIPES)
def test_defaults_come_from_the_one_declaration(name):
    recipe = nnrecipes.get_recipe(name)
    hp = keras_tuner.HyperParameters()
    values = recipe.search_space(hp, "classification")
    assert values == {k: v["default"] for k, v in recipe.hyperparameters().items()}
    assert values == registry.resolve_hyperparameters(recipe, {})


@pytest.mark.parametrize("name", RECIPES)
def test_builds_a_compiled_functional_model_with_defaults(name):
    recipe = nnrecipes.get_recipe(name)
    kind = recipe.input_kinds[0]
    model = nnrecipes.build(name, num_classes=4, **SHAPES[kind])
    assert isinstance(model, keras.Model)
    # A functional graph; tabm's is a Functional subclass that trains on the
    # mean of its members' losses (`nnrecipes.layers.MemberLossModel`).
    assert "layers" in model.get_config()  # a functional graph's config
    assert type(model).__name__ == ("MemberLossModel" if name == "tabm" else "Functional")
    assert model.compiled and model.optimizer is not None
    assert model.output_shape == (None, 4)
    logs = model.evaluate(np.zeros((2, *SHAPES[kind]["input_shape"]), model.input.dtype),
                          np.zeros(2, "int32"), verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}, logs
    regressor = nnrecipes.build(name, num_outputs=2, **SHAPES[kind])
    assert regressor.output_shape == (None, 2)
    assert isinstance(regressor.loss, keras.losses.MeanSquaredError)


@pytest.mark.parametrize("name", RECIPES)
def test_every_accepted_input_kind_builds_and_others_are_refused(name):
    recipe = nnrecipes.get_recipe(name)
    for kind, shape in SHAPES.items():
        if kind in recipe.input_kinds:
            model = nnrecipes.build(name, num_classes=3, **shape)
            assert model.input_shape == (None, *shape["input_shape"])
        else:
            with pytest.raises(ValueError, match=f"cannot take {kind} input") as info:
                nnrecipes.build(name, num_classes=3, **shape)
            assert "Valid inputs" in str(info.value) and "Received" in str(info.value)
    with pytest.raises(ValueError, match="1 to 3 dimensions"):
        nnrecipes.build(name, input_shape=(2, 3, 4, 5), num_classes=3)


@pytest.mark.parametrize("name", RECIPES)
def test_overrides_apply(name):
    recipe = nnrecipes.get_recipe(name)
    shape = SHAPES[recipe.input_kinds[0]]
    base = nnrecipes.build(name, num_classes=3, **shape)
    # The first declared hyperparameter is the family's depth or width knob.
    first, info = next(iter(recipe.hyperparameters().items()))
    assert info["type"] == "Int"
    other = info["default"] + 1 if info["default"] < info["max"] else info["default"] - 1
    changed = nnrecipes.build(name, num_classes=3, **shape, **{first: other})
    assert changed.count_params() != base.count_params()
    tuned = nnrecipes.build(name, num_classes=3, **shape, optimizer="sgd",
                            learning_rate=0.05, momentum=0.5, l2=0.01, loss="hinge")
    assert isinstance(tuned.optimizer, keras.optimizers.SGD)
    assert float(tuned.optimizer.learning_rate) == pytest.approx(0.05)
    assert float(tuned.optimizer.momentum) == pytest.approx(0.5)
    assert tuned.losses, "an L2 override adds weight-regularization losses"
    assert isinstance(tuned.loss, nnrecipes.losses.SparseCategoricalHinge)
    assert tuned.get_layer("head").activation.__name__ == "linear"
    assert base.get_layer("head").activation.__name__ == "softmax"


def test_wrong_recipe_name_suggests_a_close_match():
    with pytest.raises(ValueError, match=r"Unknown recipe 'lstn'\. Did you mean 'lstm'\?"):
        nnrecipes.build("lstn", input_shape=(4, 2), num_classes=2)
    with pytest.raises(ValueError, match="Valid names"):
        nnrecipes.get_recipe("resnet9000")
    with pytest.raises(ValueError, match="must be a string"):
        nnrecipes.get_recipe(3)


@pytest.mark.parametrize("name", RECIPES)
def test_bad_hyperparameters_raise_with_what_is_valid(name):
    recipe = nnrecipes.get_recipe(name)
    shape = SHAPES[recipe.input_kinds[0]]
    with pytest.raises(ValueError, match=r"Unknown hyperparameter\(s\) \['dropuot'\].*"
                                         r"'dropuot' -> 'dropout'"):
        nnrecipes.build(name, num_classes=2, dropuot=0.1, **shape)
    first, info = next(iter(recipe.hyperparameters().items()))
    with pytest.raises(ValueError, match=f"out of range.*Received: {first}={info['max'] + 1}"):
        nnrecipes.build(name, num_classes=2, **shape, **{first: info["max"] + 1})
    with pytest.raises(ValueError, match="must be an integer"):
        nnrecipes.build(name, num_classes=2, **shape, **{first: 2.5})
    with pytest.raises(ValueError, match=r"must be one of \[.*'adam'"):
        nnrecipes.build(name, num_classes=2, optimizer="adamm", **shape)
    with pytest.raises(ValueError, match="must be True or False"):
        nnrecipes.build(name, num_classes=2, batch_norm="yes", **shape)
    with pytest.raises(ValueError, match="must be one of"):
        nnrecipes.build(name, num_outputs=1, loss="crossentropy", **shape)
    with pytest.raises(ValueError, match="out of range"):
        nnrecipes.build(name, num_classes=2, learning_rate=0.0, **shape)


def test_target_arguments_are_checked():
    with pytest.raises(ValueError, match="exactly one of `num_classes`"):
        nnrecipes.build("mlp", input_shape=(4,))
    with pytest.raises(ValueError, match="exactly one of `num_classes`"):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=2, num_outputs=1)
    with pytest.raises(ValueError, match=r"`num_classes` must be an integer >= 2\. "
                                         r"Received: num_classes=1"):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=1)
    with pytest.raises(ValueError, match="positive integers"):
        nnrecipes.build("mlp", input_shape=(0,), num_classes=2)
    with pytest.raises(ValueError, match="must be a tuple"):
        nnrecipes.build("mlp", input_shape=5, num_classes=2)
    with pytest.raises(ValueError, match="vocab_size"):
        nnrecipes.build("lstm", input_shape=(5, 3), vocab_size=100, num_classes=2)


def test_transformer_checks_heads_divide_width():
    with pytest.raises(ValueError, match="divisible by `num_heads`"):
        nnrecipes.build("transformer", input_shape=(6, 3), num_classes=2, embed_dim=30,
                        num_heads=4)


def test_token_inputs_embed_and_mask_padding():
    model = nnrecipes.build("lstm", input_shape=(None,), vocab_size=30, num_classes=2)
    assert model.inputs[0].dtype == "int32"
    short = model(keras.ops.convert_to_tensor([[5, 7]]))
    padded = model(keras.ops.convert_to_tensor([[5, 7, 0, 0, 0, 0]]))
    # Id 0 is padding and masked: trailing padding does not change the output.
    assert keras.ops.convert_to_numpy(short) == pytest.approx(
        keras.ops.convert_to_numpy(padded), abs=1e-6)
    other = model(keras.ops.convert_to_tensor([[5, 7, 3, 0, 0, 0]]))
    assert not (keras.ops.convert_to_numpy(other) == pytest.approx(
        keras.ops.convert_to_numpy(padded), abs=1e-6))


def test_hypermodel_build_reads_the_tuners_hp():
    hp = keras_tuner.HyperParameters()
    hp.Fixed("units", 24)
    model = registry.hypermodel_build("gru", hp, input_shape=(5, 3), num_classes=2)
    assert model.get_layer("gru1").units == 24
    assert "learning_rate" in hp.values


def test_a_text_vectorization_makes_build_take_raw_strings():
    import tensorflow as tf

    texts = ["free prize call now", "see you at lunch", "win cash now", "call me later"]
    vectorizer = keras.layers.TextVectorization(output_sequence_length=5)
    vectorizer.adapt(texts)
    model = nnrecipes.build("gru", num_classes=2, preprocessing=vectorizer, units=8)
    assert model.input_shape == (None,) and model.inputs[0].dtype == "string"
    history = model.fit(tf.constant(texts), np.array([1, 0, 1, 0]), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(tf.constant(["unknown words only"]), verbose=0).shape == (1, 2)


def test_a_text_vectorization_that_disagrees_is_refused_at_build():
    vectorizer = keras.layers.TextVectorization(output_sequence_length=5)
    with pytest.raises(ValueError, match="no vocabulary"):
        nnrecipes.build("gru", num_classes=2, preprocessing=vectorizer)
    vectorizer.adapt(["a b c", "d e"])
    with pytest.raises(ValueError, match=r"`input_shape` disagrees .* Received: input_shape=\(7,\)"):
        nnrecipes.build("gru", num_classes=2, preprocessing=vectorizer, input_shape=(7,))
    with pytest.raises(ValueError, match="Received: input_dtype='int32'"):
        nnrecipes.build("gru", num_classes=2, preprocessing=vectorizer, input_dtype="int32")
    with pytest.raises(ValueError, match="`input_shape` is required"):
        nnrecipes.build("gru", num_classes=2)
