"""Training diagnostics: see, in the run itself, why training goes wrong.

- `GradientMonitor`: global and per-layer gradient norms and update-to-weight
  ratios, measured inside the training step and put in `logs`.
- `activation_statistics` / `ActivationProbe`: dead ReLU and saturated
  sigmoid/tanh units per layer, on a fixed probe batch.
- `find_learning_rate`: the LR range test, with a suggestion and a plot.
- `diagnose` / `HealthReport`: findings with evidence and remedies.
- `TrainingDiagnostics`: all of it in one callback.
- `save_plots` and the `plot_*` functions: PNG curves.

Example:
```python
diagnostics = nnrecipes.diagnostics.TrainingDiagnostics(probe=x_val)
model.fit(x, y, validation_data=(x_val, y_val), epochs=10, callbacks=[diagnostics])
print(diagnostics.report.text())
```
"""

from nnrecipes.diagnostics.activations import ActivationProbe
from nnrecipes.diagnostics.activations import activation_kind
from nnrecipes.diagnostics.activations import activation_statistics
from nnrecipes.diagnostics.callback import TrainingDiagnostics
from nnrecipes.diagnostics.gradients import GradientMonitor
from nnrecipes.diagnostics.gradients import layer_groups
from nnrecipes.diagnostics.health import THRESHOLDS
from nnrecipes.diagnostics.health import Finding
from nnrecipes.diagnostics.health import HealthReport
from nnrecipes.diagnostics.health import diagnose
from nnrecipes.diagnostics.lr_finder import LRFinderResult
from nnrecipes.diagnostics.lr_finder import find_learning_rate
from nnrecipes.diagnostics.plots import plot_gradient_norms
from nnrecipes.diagnostics.plots import plot_learning_rate
from nnrecipes.diagnostics.plots import plot_training_curves
from nnrecipes.diagnostics.plots import save_plots

__all__ = [
    "THRESHOLDS",
    "ActivationProbe",
    "Finding",
    "GradientMonitor",
    "HealthReport",
    "LRFinderResult",
    "TrainingDiagnostics",
    "activation_kind",
    "activation_statistics",
    "diagnose",
    "find_learning_rate",
    "layer_groups",
    "plot_gradient_norms",
    "plot_learning_rate",
    "plot_training_curves",
    "save_plots",
]
