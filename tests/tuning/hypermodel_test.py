"""`RecipeHyperModel`: a recipe's own declaration is the search space, and
`batch_size` and `epochs` are read from `hp` when it holds them."""

import keras
import keras_tuner
import numpy as np

from nnrecipes.tuning import RecipeHyperModel


def test_the_space_is_the_recipes_declaration_and_builds_a_compiled_model():
    hypermodel = RecipeHyperModel("dense", {"input_shape": (4,), "num_classes": 3})
    assert hypermodel.recipe.name == "mlp" and hypermodel.task == "classification"
    hp = keras_tuner.HyperParameters()
    hypermodel.declare_hyperparameters(hp)
    assert {"units", "num_layers", "learning_rate"} <= set(hp.values)
    hp.Fixed("units", 8)
    model = hypermodel.build(hp)
    assert isinstance(model, keras.Model) and model.optimizer is not None
    assert model.output_shape == (None, 3)
    assert RecipeHyperModel("mlp", {"input_shape": (4,), "num_outputs": 1}).task == "regression"


def test_fit_reads_batch_size_and_epochs_from_hp():
    hypermodel = RecipeHyperModel("mlp", {"input_shape": (2,), "num_outputs": 1},
                                  batch_size=4, epochs=1)
    hp = keras_tuner.HyperParameters()
    hp.Fixed("epochs", 3)
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    history = hypermodel.fit(hp, model, np.ones((8, 2)), y=np.ones((8, 1)), verbose=0)
    assert len(history.history["loss"]) == 3
