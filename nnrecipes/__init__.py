"""nnrecipes: ready, tested training recipes for Keras 3 on TensorFlow.

Example:
```python
import nnrecipes
model = nnrecipes.build("lstm", input_shape=(8, 8), num_classes=10)
model.fit(x_train, y_train, epochs=5)
```
"""

__version__ = "0.1.0"

# Importing the subpackages registers every component and recipe, so a saved
# `.keras` file loads after `import nnrecipes` with no `custom_objects`.
from nnrecipes import activations
from nnrecipes import callbacks
from nnrecipes import data
from nnrecipes import diagnostics
from nnrecipes import export
from nnrecipes import initializers
from nnrecipes import layers
from nnrecipes import losses
from nnrecipes import regularizers
from nnrecipes import schedules
from nnrecipes import families
from nnrecipes.registry import Recipe
from nnrecipes.registry import build
from nnrecipes.registry import get_recipe
from nnrecipes.registry import list_recipes
from nnrecipes.registry import register_recipe
from nnrecipes.training import train
from nnrecipes import tuning
from nnrecipes.tuning import tune

__all__ = [
    "Recipe",
    "activations",
    "build",
    "callbacks",
    "data",
    "diagnostics",
    "export",
    "families",
    "get_recipe",
    "initializers",
    "layers",
    "list_recipes",
    "losses",
    "register_recipe",
    "regularizers",
    "schedules",
    "train",
    "tune",
    "tuning",
]
