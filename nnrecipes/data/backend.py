"""What each Keras backend can train on.

Raw strings (a text dataset's documents, a table's categorical cells) enter
a model through string layers (`TextVectorization`, `TabularEncoder`) that
only the TensorFlow backend runs: JAX and PyTorch arrays hold numbers. On
those backends such data is refused before anything is adapted or trained,
with an error that names the backend it needs.
"""

import keras
import numpy as np

STRING_BACKEND = "tensorflow"


def takes_strings():
    """Whether the current Keras backend runs models with string inputs."""
    return keras.backend.backend() == STRING_BACKEND


def string_refusal(what):
    """The error for string inputs on a backend that cannot run them."""
    return ValueError(
        f"{what} reaches the model as raw strings, through string layers "
        "(TextVectorization, TabularEncoder) that only Keras's TensorFlow backend runs; "
        f"this process runs Keras on {keras.backend.backend()!r}. Train it with "
        "KERAS_BACKEND=tensorflow (numeric tables, images and series train on every "
        f"backend). Received: KERAS_BACKEND={keras.backend.backend()!r}")


def check_backend_takes(splits):
    """Raises `ValueError` when the current backend cannot train on `splits`.

    Example:
    ```python
    nnrecipes.data.backend.check_backend_takes(nnrecipes.data.load("digits"))
    ```
    """
    if takes_strings():
        return
    x = splits.x_train
    strings = isinstance(x, np.ndarray) and x.dtype.kind in "OSU"
    if splits.kind == "text" or strings:
        raise string_refusal(f"Dataset {splits.name!r} ({splits.kind})")
