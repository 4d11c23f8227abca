"""Hyperparameter search with KerasTuner over a recipe's own search space.

`tune` runs random, grid, Bayesian or Hyperband search, optionally scoring
each trial by k-fold cross-validation, resumes a stopped search, and returns
a `TuneResult` (ranked table, plot, `refit`). `get_strategy` picks where
training runs (TPU, GPUs, several workers); `set_mixed_precision` switches
16-bit compute on or off.
"""

from nnrecipes.tuning.cv import folds_for
from nnrecipes.tuning.cv import forward_chaining_indices
from nnrecipes.tuning.cv import kfold_indices
from nnrecipes.tuning.distribute import get_strategy
from nnrecipes.tuning.distribute import is_chief
from nnrecipes.tuning.distribute import set_mixed_precision
from nnrecipes.tuning.results import TuneResult
from nnrecipes.tuning.search import TUNERS
from nnrecipes.tuning.search import BayesianOptimization
from nnrecipes.tuning.search import GridSearch
from nnrecipes.tuning.search import Hyperband
from nnrecipes.tuning.search import RandomSearch
from nnrecipes.tuning.search import RecipeHyperModel
from nnrecipes.tuning.search import as_splits
from nnrecipes.tuning.search import make_objective
from nnrecipes.tuning.search import make_tuner
from nnrecipes.tuning.search import tune
from nnrecipes.tuning.space import narrowed_hyperparameters

__all__ = [
    "BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "RecipeHyperModel",
    "TUNERS", "TuneResult", "as_splits", "folds_for", "forward_chaining_indices",
    "get_strategy", "is_chief", "kfold_indices", "make_objective", "make_tuner",
    "narrowed_hyperparameters", "set_mixed_precision", "tune",
]
