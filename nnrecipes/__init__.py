"""nnrecipes: ready, tested training recipes for Keras 3.

`import nnrecipes` does the same in every process: it imports neither Keras
nor TensorFlow, so the `nnrecipes` command answers `--help` at once and the
package imports on a machine without TensorFlow (Keras on JAX or PyTorch).
Each public name (`nnrecipes.build`, `nnrecipes.layers`, ...) imports its
module when first used. Every Keras component registers itself with Keras as
soon as Keras is loaded in the process (see `nnrecipes.registration`), so a
saved `.keras` file loads with no `custom_objects`.

Example:
```python
import nnrecipes
model = nnrecipes.build("lstm", input_shape=(8, 8), num_classes=10)
model.fit(x_train, y_train, epochs=5)
```
"""

import importlib

from nnrecipes import registration

__version__ = "0.1.0"

# Public name -> the module that defines it, in the order they are imported;
# a name mapped to `nnrecipes.<name>` is a subpackage.
_EXPORTS = {
    "activations": "nnrecipes.activations",
    "callbacks": "nnrecipes.callbacks",
    "data": "nnrecipes.data",
    "diagnostics": "nnrecipes.diagnostics",
    "evaluation": "nnrecipes.evaluation",
    "baselines": "nnrecipes.baselines",
    "export": "nnrecipes.export",
    "predict": "nnrecipes.export.predict",
    "initializers": "nnrecipes.initializers",
    "layers": "nnrecipes.layers",
    "losses": "nnrecipes.losses",
    "metrics": "nnrecipes.metrics",
    "regularizers": "nnrecipes.regularizers",
    "schedules": "nnrecipes.schedules",
    "families": "nnrecipes.families",
    "Recipe": "nnrecipes.registry",
    "build": "nnrecipes.registry",
    "get_recipe": "nnrecipes.registry",
    "list_recipes": "nnrecipes.registry",
    "register_recipe": "nnrecipes.registry",
    "train": "nnrecipes.training",
    "lr_find": "nnrecipes.training",
    "engine": "nnrecipes.engine",
    "tuning": "nnrecipes.tuning",
    "tune": "nnrecipes.tuning",
}
_registered = False


def register_all():
    """Imports every subpackage, the TensorFlow-needing ones included.

    Not needed to load a `.keras` file (the components register once Keras
    is loaded); the `nnrecipes` command calls it before a subcommand that
    trains or exports, so that TensorFlow loads once, up front. Calling it
    again does nothing.

    Example:
    ```python
    nnrecipes.register_all()
    ```
    """
    global _registered
    if _registered:
        return
    _registered = True  # first, so that a module importing nnrecipes does not loop
    try:
        for name in _EXPORTS:
            __getattr__(name)
        for module in sorted(set(globals()["data"].TENSORFLOW_NAMES.values())):
            importlib.import_module(module)
    except BaseException:
        _registered = False
        raise


def __getattr__(name):
    # PEP 562: a public name imports its module when first used.
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nnrecipes' has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    value = module if _EXPORTS[name] == f"nnrecipes.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = sorted(["register_all", *_EXPORTS])

registration.watch()
