"""Load a `.keras` file with errors that say what is wrong with it."""

import json
import os
import zipfile

import keras

from nnrecipes.families.common import restore_weight_decay_exclusions

# The `.keras` file of an export version folder.
KERAS_FILE = "model.keras"


def _class_names(config):
    if isinstance(config, dict):
        if "class_name" in config:
            yield config["class_name"]
        for value in config.values():
            yield from _class_names(value)
    elif isinstance(config, list):
        for value in config:
            yield from _class_names(value)


def load_model(path, *, safe_mode=True):
    """Loads a `.keras` file, or the `model.keras` of an export version folder.

    Before handing the file to Keras it checks that it is a complete
    `.keras` archive, and, in safe mode, that it holds no `Lambda` layer
    (whose code would run on load).

    Args:
        path: a `.keras` file, or a folder such as `saved_models/cnn_digits/1`.
        safe_mode: refuse files that would run arbitrary code on load.
            Defaults to `True`; pass `False` only for files you trust.

    Returns:
        The `keras.Model`.

    Example:
    ```python
    model = nnrecipes.export.load_model("saved_models/cnn_digits/1")
    ```
    """
    file = os.path.join(path, KERAS_FILE) if os.path.isdir(path) else path
    if not os.path.isfile(file):
        raise FileNotFoundError(
            f"No model file at {file!r}: give a `.keras` file or an export version folder "
            f"holding {KERAS_FILE!r}. Received: path={path!r}"
        )
    if not file.endswith(".keras"):
        raise ValueError(
            f"{file!r} is not a `.keras` file (Keras 3 saves models as `name.keras`; "
            f"`.h5` and SavedModel folders are not `.keras` files). Received: path={path!r}"
        )
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            broken = archive.testzip()
            config = json.loads(archive.read("config.json")) if "config.json" in names else None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise ValueError(
            f"{file!r} is corrupt or truncated: it is not a readable `.keras` archive "
            f"({error}). Export the model again."
        ) from None
    missing = {"config.json", "model.weights.h5"} - names
    if broken is not None or missing or config is None:
        what = f"member {broken!r} is damaged" if broken else f"it lacks {sorted(missing)}"
        raise ValueError(
            f"{file!r} is corrupt or truncated: {what}. Export the model again."
        )
    if safe_mode and "Lambda" in set(_class_names(config)):
        raise ValueError(
            f"{file!r} contains a Lambda layer, whose Python code would run when it loads; "
            "refused in safe mode. If you trust the file, load it with safe_mode=False."
        )
    model = keras.saving.load_model(file, safe_mode=safe_mode)
    restore_weight_decay_exclusions(model)  # Keras does not save them
    return model
