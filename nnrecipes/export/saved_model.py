"""Export a trained model as TensorFlow Serving reads it, plus `.keras` and a manifest.

Layout: `BASE/<version>/` with the SavedModel (`saved_model.pb`,
`variables/`), `model.keras` and `manifest.json`. A version is written to a
hidden temporary folder beside it and renamed into place when complete, so a
server never sees a half-written version.
"""

import datetime
import json
import os
import platform
import shutil
import tempfile

import keras

MANIFEST = "manifest.json"
KERAS_FILE = "model.keras"


def existing_versions(base_dir):
    """Integer versions already exported under `base_dir`, sorted."""
    if not os.path.isdir(base_dir):
        return []
    return sorted(int(n) for n in os.listdir(base_dir) if n.isdigit())


def environment():
    """Library versions and hardware, for the manifest."""
    import keras_tuner
    import numpy
    import tensorflow as tf

    from nnrecipes import __version__

    gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
    return {
        "versions": {
            "nnrecipes": __version__, "tensorflow": tf.__version__,
            "keras": keras.__version__, "keras_tuner": keras_tuner.__version__,
            "numpy": numpy.__version__, "python": platform.python_version(),
        },
        "hardware": {
            "platform": platform.platform(), "machine": platform.machine(),
            "cpu_count": os.cpu_count(), "gpus": gpus,
        },
    }


def export_model(model, base_dir, manifest=None, *, version=None):
    """Exports `model` as the next integer version under `base_dir`.

    Args:
        model: a built `keras.Model`.
        base_dir: the model's folder, e.g. `"saved_models/cnn"`.
        manifest: a JSON-serializable dict stored as `manifest.json`, with the
            version, the export time and the library versions added.
            Defaults to `None` (only those).
        version: the integer version to write. Defaults to one more than the
            highest existing version. An existing version is never
            overwritten: asking for one raises `FileExistsError`.

    Returns:
        The path of the exported version folder.

    Example:
    ```python
    path = nnrecipes.export.export_model(model, "saved_models/cnn")
    served = tf.saved_model.load(path).serve(x)
    ```
    """
    os.makedirs(base_dir, exist_ok=True)
    if version is None:
        version = (existing_versions(base_dir) or [0])[-1] + 1
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"`version` must be a positive integer. Received: version={version!r}")
    final = os.path.join(base_dir, str(version))
    if os.path.exists(final):
        raise FileExistsError(
            f"Export version {final!r} already exists and is never overwritten; "
            f"pick another version or leave version=None for the next free one. "
            f"Received: version={version}"
        )
    staging = tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=base_dir)
    try:
        model.export(staging, format="tf_saved_model", verbose=False)
        model.save(os.path.join(staging, KERAS_FILE))
        record = dict(manifest or {})
        record.update(
            version=version,
            exported_at=datetime.datetime.now(datetime.timezone.utc).isoformat(),
            files={"saved_model": ".", "keras": KERAS_FILE},
            serving={"signature": "serving_default", "endpoint": "serve",
                     "input_shape": [None, *model.input_shape[1:]],
                     "input_dtype": str(model.inputs[0].dtype)},
            **environment(),
        )
        with open(os.path.join(staging, MANIFEST), "w") as f:
            json.dump(record, f, indent=2, default=_json_default)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def load_manifest(version_dir):
    """Reads `manifest.json` of an exported version."""
    with open(os.path.join(version_dir, MANIFEST)) as f:
        return json.load(f)


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)

