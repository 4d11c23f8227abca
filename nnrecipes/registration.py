"""Registers nnrecipes' Keras components with Keras once Keras is loaded.

Keras finds a custom class named in a `.keras` file only when the module that
defines it has been imported. `import nnrecipes` must not import Keras itself:
importing Keras loads its backend (TensorFlow by default, many seconds), and
the `nnrecipes` command answers `--help`, `list` and `info` without it. So
`import nnrecipes` calls `watch()`, which does the same in every process:

- when Keras is already imported, it imports the component modules at once;
- otherwise it waits for Keras: right after the import that loads Keras
  (and any nnrecipes module being imported around it) finishes, the
  component modules are imported.

Either way, once Keras is in the process, every nnrecipes activation, layer,
loss, metric, regularizer, schedule and preprocessing layer is registered, so
`keras.saving.load_model(path)` needs no `custom_objects`. None of these
modules imports TensorFlow, so this works on every Keras backend.

Example:
```python
import nnrecipes  # light: imports neither Keras nor TensorFlow
import keras      # nnrecipes' components register here
model = keras.saving.load_model("model.keras")
```
"""

import importlib
import sys

# The modules that register Keras objects; none imports TensorFlow.
COMPONENT_MODULES = (
    "nnrecipes.activations",
    "nnrecipes.layers",
    "nnrecipes.losses",
    "nnrecipes.metrics",
    "nnrecipes.regularizers",
    "nnrecipes.schedules",
    "nnrecipes.data.preprocessing",
)

_state = {"registered": False, "keras_loaded": False, "depth": 0}


def registered():
    """Whether the component modules have been imported in this process."""
    return _state["registered"]


def register_components():
    """Imports every module that registers a Keras component; then stops watching.

    Calling it again does nothing.
    """
    if _state["registered"]:
        return
    _state["registered"] = True  # first: the modules below import nnrecipes
    _stop_watching()
    try:
        for module in COMPONENT_MODULES:
            importlib.import_module(module)
    except BaseException:
        _state["registered"] = False
        raise


def watch():
    """Registers the components now if Keras is loaded, else once it is."""
    if _state["registered"]:
        return
    if "keras" in sys.modules:
        register_components()
    elif not any(isinstance(finder, _KerasWatch) for finder in sys.meta_path):
        sys.meta_path.insert(0, _KerasWatch())


def _stop_watching():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _KerasWatch)]


class _KerasWatch:
    """A `sys.meta_path` finder that sees Keras and nnrecipes modules load.

    It finds nothing itself: it asks the finders after it and wraps the
    loader of `keras` and of each `nnrecipes.*` module, to count the imports
    in progress. The components are imported when Keras has loaded and no
    such import is in progress, so none of them meets a half-imported module.
    """

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras" and not fullname.startswith("nnrecipes."):
            return None
        others = sys.meta_path[sys.meta_path.index(self) + 1:] if self in sys.meta_path else []
        for finder in others:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _CountingLoader(spec.loader, is_keras=fullname == "keras")
        return spec


class _CountingLoader:
    """Delegates to a module's own loader, counting the imports in progress."""

    def __init__(self, loader, is_keras):
        self.loader = loader
        self.is_keras = is_keras

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        _state["depth"] += 1
        try:
            self.loader.exec_module(module)
        finally:
            _state["depth"] -= 1
        _state["keras_loaded"] = _state["keras_loaded"] or self.is_keras
        if _state["keras_loaded"] and _state["depth"] == 0:
            register_components()

    def __getattr__(self, name):  # get_source, get_resource_reader, ...
        return getattr(self.loader, name)
