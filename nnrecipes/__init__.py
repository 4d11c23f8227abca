"""nnrecipes: ready, tested training recipes for Keras 3 on TensorFlow.

`import nnrecipes` imports every subpackage, which registers every component
and recipe with Keras, so a saved `.keras` file loads after it with no
`custom_objects`. The one exception is the `nnrecipes` command's own process
(`nnrecipes ...` or `python -m nnrecipes ...`): there the import stays light,
so `--help` answers without TensorFlow, and the command calls `register_all()`
before any subcommand that needs TensorFlow.

Example:
```python
import nnrecipes
model = nnrecipes.build("lstm", input_shape=(8, 8), num_classes=10)
model.fit(x_train, y_train, epochs=5)
```
"""

import importlib
import os
import sys

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
# Names of the module that runs the command, as `python -m NAME` takes them.
_COMMAND_MODULES = ("nnrecipes", "nnrecipes.__main__", "nnrecipes.cli")
_registered = False


def register_all():
    """Imports every subpackage: registers every component and recipe with Keras.

    `import nnrecipes` does this itself everywhere except in the process of
    the `nnrecipes` command, which calls it once it knows that the
    subcommand needs TensorFlow. Calling it again does nothing.

    Example:
    ```python
    nnrecipes.register_all()
    model = keras.saving.load_model("model.keras")
    ```
    """
    global _registered
    if _registered:
        return
    _registered = True  # first, so that a module importing nnrecipes does not loop
    try:
        for name, module in _EXPORTS.items():
            imported = importlib.import_module(module)
            globals()[name] = (imported if module == f"nnrecipes.{name}"
                               else getattr(imported, name))
        # nnrecipes.data imports its TensorFlow parts when first used; their
        # Keras layers register now, so a saved model holding one loads.
        for module in sorted(set(globals()["data"].TENSORFLOW_NAMES.values())):
            importlib.import_module(module)
    except BaseException:
        _registered = False
        raise


def __getattr__(name):
    # Reached for a name not bound yet: in the command's light import, or
    # while `register_all` runs (`from nnrecipes import engine` in a module
    # that it imports before `engine`).
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nnrecipes' has no attribute {name!r}")
    register_all()
    if name not in globals():
        module = importlib.import_module(_EXPORTS[name])
        globals()[name] = module if _EXPORTS[name] == f"nnrecipes.{name}" else getattr(
            module, name)
    return globals()[name]


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


def _is_the_command():
    """Whether this process was started as `nnrecipes` or `python -m nnrecipes`."""
    if os.path.basename(sys.argv[0]).removesuffix(".exe") == "nnrecipes":
        return True  # the console script
    # `python -m NAME`: sys.argv[0] is "-m" while NAME is located and imported.
    argv = getattr(sys, "orig_argv", [])
    pairs = zip(argv, [*argv[1:], None])
    return sys.argv[0] == "-m" and any(
        (flag == "-m" and module in _COMMAND_MODULES)
        or flag in [f"-m{name}" for name in _COMMAND_MODULES] for flag, module in pairs)


if not _is_the_command():
    register_all()

__all__ = sorted(["register_all", *_EXPORTS])
