"""The engine: the one place that builds, trains, evaluates and exports a recipe.

`nnrecipes.train`, every tuning trial and fold, `TuneResult.refit` and
`nnrecipes.lr_find` go through it, so each gets the same guarantees: the
strategy and mixed precision it asked for (`distribute`), preprocessing
adapted on training data only, LSUV, epoch-ordered resumable batches, a stop
at the first NaN, early stopping that keeps the best epoch, training-only
augmentation, weight EMA, diagnostics, and an atomic export with its
evaluation report.

Example:
```python
recipe = nnrecipes.get_recipe("mlp")
splits = nnrecipes.data.load("wine")
model = nnrecipes.engine.build_model(recipe, splits, {"units": 64})
fitted = nnrecipes.engine.fit(model, splits, epochs=30, patience=5)
print(fitted.early_stopping["kept_epoch"])
```
"""

from nnrecipes.engine.distribute import STRATEGIES
from nnrecipes.engine.distribute import get_strategy
from nnrecipes.engine.distribute import is_chief
from nnrecipes.engine.distribute import mixed_precision_scope
from nnrecipes.engine.distribute import set_mixed_precision
from nnrecipes.engine.outcome import TrainResult
from nnrecipes.engine.outcome import conclude
from nnrecipes.engine.run import BUDGET_EPOCHS
from nnrecipes.engine.run import BUDGET_STEPS
from nnrecipes.engine.run import DEFAULT_BATCH_SIZE
from nnrecipes.engine.run import DEFAULT_MONITOR
from nnrecipes.engine.run import DEFAULT_PATIENCE
from nnrecipes.engine.run import FitResult
from nnrecipes.engine.run import batch_size_for
from nnrecipes.engine.run import build_arguments
from nnrecipes.engine.run import build_model
from nnrecipes.engine.run import default_epochs
from nnrecipes.engine.run import epoch_budget_text
from nnrecipes.engine.run import evaluate
from nnrecipes.engine.run import recompute_batch_norm_statistics
from nnrecipes.engine.run import fit
from nnrecipes.engine.run import gradient_every
from nnrecipes.engine.run import patience_for
from nnrecipes.engine.run import run_hyperparameters
from nnrecipes.engine.run import steps_per_execution
from nnrecipes.engine.run import task_of
from nnrecipes.engine.session import Run
from nnrecipes.engine.session import beats_baseline
from nnrecipes.engine.session import prepare_data

__all__ = [
    "BUDGET_EPOCHS", "BUDGET_STEPS", "DEFAULT_MONITOR", "DEFAULT_PATIENCE", "FitResult",
    "Run", "STRATEGIES", "TrainResult", "beats_baseline", "build_arguments", "build_model",
    "conclude", "default_epochs",
    "epoch_budget_text", "evaluate", "fit", "get_strategy", "gradient_every", "is_chief",
    "recompute_batch_norm_statistics",
    "mixed_precision_scope", "patience_for", "prepare_data", "run_hyperparameters",
    "set_mixed_precision", "steps_per_execution", "task_of",
]
