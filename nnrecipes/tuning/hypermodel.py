"""A recipe as a KerasTuner `HyperModel`: its search space is the recipe's own
declaration."""

import keras_tuner

from nnrecipes.engine import distribute
from nnrecipes.registry import get_recipe
from nnrecipes.registry import hypermodel_build


class RecipeHyperModel(keras_tuner.HyperModel):
    """A KerasTuner `HyperModel` of a registered recipe.

    `build(hp)` builds the recipe from `hp` (declared by the recipe itself);
    `fit(hp, model, ...)` reads `batch_size` and `epochs` from `hp` when the
    search space holds them, so they can be tuned too.

    Args:
        recipe: a recipe name, e.g. `"mlp"`.
        build_kwargs: keyword arguments of `nnrecipes.build` other than the
            hyperparameters: `input_shape`, `num_classes` or `num_outputs`,
            and the preprocessing from `nnrecipes.data.preprocessing_for`.
        batch_size: batch size when it is not tuned. Defaults to `64`.
        epochs: epochs when they are not tuned. Defaults to `10`.

    Example:
    ```python
    hypermodel = nnrecipes.tuning.RecipeHyperModel(
        "mlp", {"input_shape": (64,), "num_classes": 10})
    tuner = keras_tuner.RandomSearch(hypermodel, objective="val_loss", max_trials=5)
    ```
    """

    def __init__(self, recipe, build_kwargs, *, batch_size=64, epochs=10, strategy=None):
        recipe = get_recipe(recipe)
        super().__init__(name=recipe.name, tunable=True)
        self.recipe = recipe
        self.build_kwargs = dict(build_kwargs)
        self.task = "classification" if self.build_kwargs.get("num_classes") else "regression"
        self.batch_size = batch_size
        self.epochs = epochs
        self.strategy = strategy

    def declare_hyperparameters(self, hp):
        self.recipe.search_space(hp, self.task)

    def build(self, hp):
        strategy = self.strategy or distribute.get_strategy("default")
        with strategy.scope():
            return hypermodel_build(self.recipe.name, hp, **self.build_kwargs)

    def fit(self, hp, model, *args, **kwargs):
        kwargs.setdefault("batch_size", hp.values.get("batch_size", self.batch_size))
        kwargs.setdefault("epochs", hp.values.get("epochs", self.epochs))
        return distribute.fit(model, *args, strategy=self.strategy, **kwargs)
