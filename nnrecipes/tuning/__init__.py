"""Hyperparameter search with KerasTuner over a recipe's own search space.

`tune` runs random, grid, Bayesian or Hyperband search, optionally scoring
each trial by k-fold cross-validation, resumes a stopped search, and returns
a `TuneResult` (ranked table, plot, `refit`). `get_strategy` picks where
training runs (TPU, GPUs, several workers); `set_mixed_precision` switches
16-bit compute on or off.

On several machines (KerasTuner's distributed mode): one chief runs the
oracle and trains nothing; each worker pulls trials from it. Every process
runs the same command; the environment says which role it has:

    # chief, on 10.0.0.1 (the address and port the workers reach it at)
    KERASTUNER_TUNER_ID=chief KERASTUNER_ORACLE_IP=10.0.0.1 KERASTUNER_ORACLE_PORT=8000 \
        nnrecipes tune mlp --dataset digits --tuner random --max-trials 20 --directory DIR
    # each worker: a unique id, the chief's address, the same arguments
    KERASTUNER_TUNER_ID=tuner0 KERASTUNER_ORACLE_IP=10.0.0.1 KERASTUNER_ORACLE_PORT=8000 \
        nnrecipes tune mlp --dataset digits --tuner random --max-trials 20 --directory DIR

The chief prints the ranked table and the best trial when all trials are
done. With Hyperband, `DIR` must be shared by all processes (a continued
trial starts from its parent's weights, saved there).

Data-parallel training over several machines uses `strategy="multi_worker"`
with `TF_CONFIG` set on each worker (index 0 is the chief, which exports):

    TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]},
                "task": {"type": "worker", "index": 0}}' \
        python -c 'import nnrecipes; nnrecipes.train("mlp", "wine", strategy="multi_worker")'
"""

from nnrecipes.tuning.cv import folds_for
from nnrecipes.tuning.cv import forward_chaining_indices
from nnrecipes.tuning.cv import kfold_indices
from nnrecipes.engine.distribute import get_strategy
from nnrecipes.engine.distribute import is_chief
from nnrecipes.engine.distribute import set_mixed_precision
from nnrecipes.tuning.results import TuneResult
from nnrecipes.tuning.hypermodel import RecipeHyperModel
from nnrecipes.tuning.objective import make_objective
from nnrecipes.tuning.search import DEFAULT_DIRECTORY
from nnrecipes.tuning.search import as_splits
from nnrecipes.tuning.search import tune
from nnrecipes.tuning.trials import TUNERS
from nnrecipes.tuning.trials import BayesianOptimization
from nnrecipes.tuning.trials import GridSearch
from nnrecipes.tuning.trials import Hyperband
from nnrecipes.tuning.trials import RandomSearch
from nnrecipes.tuning.trials import make_tuner
from nnrecipes.tuning.space import narrowed_hyperparameters

__all__ = [
    "DEFAULT_DIRECTORY", "BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "RecipeHyperModel",
    "TUNERS", "TuneResult", "as_splits", "folds_for", "forward_chaining_indices",
    "get_strategy", "is_chief", "kfold_indices", "make_objective", "make_tuner",
    "narrowed_hyperparameters", "set_mixed_precision", "tune",
]
