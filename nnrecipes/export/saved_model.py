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


def _remove_stale_staging(base_dir):
    """Removes staging folders left by exports whose process has died."""
    for name in os.listdir(base_dir):
        if not name.startswith(".tmp-"):
            continue
        try:
            pid = int(name.split("-")[2])
            os.kill(pid, 0)  # raises if no such process
        except (IndexError, ValueError, ProcessLookupError):
            shutil.rmtree(os.path.join(base_dir, name), ignore_errors=True)
        except PermissionError:
            pass  # alive, another user's


def check_export_dir(base_dir):
    """Raises early when exports could not be written under `base_dir`."""
    probe = os.path.abspath(base_dir)
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise ValueError(
            f"Cannot export under {base_dir!r}: {probe!r} is a file, not a folder. "
            f"Received: export_dir={base_dir!r}"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise PermissionError(
            f"Cannot export under {base_dir!r}: the folder {probe!r} is not writable. "
            "Pick a writable export folder."
        )


def export_model(model, base_dir, manifest=None, *, version=None, overwrite=False,
                 before_publish=None):
    """Exports `model` as the next integer version under `base_dir`.

    Args:
        model: a built `keras.Model`.
        base_dir: the model's folder, e.g. `"saved_models/cnn"`.
        manifest: a JSON-serializable dict stored as `manifest.json`, with the
            version, the export time and the library versions added.
            Defaults to `None` (only those).
        version: the integer version to write. Defaults to one more than the
            highest existing version.
        overwrite: replace `version` if it exists. Defaults to `False`: an
            existing version is never overwritten, asking for one raises
            `FileExistsError`.
        before_publish: a function called with the staging folder once the
            model files are written and before the version appears, to add
            files of your own (e.g. plots). Defaults to `None`.

    Returns:
        The path of the exported version folder.

    Example:
    ```python
    path = nnrecipes.export.export_model(model, "saved_models/cnn")
    served = tf.saved_model.load(path).serve(x)
    ```
    """
    check_export_dir(base_dir)
    os.makedirs(base_dir, exist_ok=True)
    _remove_stale_staging(base_dir)
    if version is None:
        version = (existing_versions(base_dir) or [0])[-1] + 1
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"`version` must be a positive integer. Received: version={version!r}")
    final = os.path.join(base_dir, str(version))
    if os.path.exists(final) and not overwrite:
        raise FileExistsError(
            f"Export version {final!r} already exists and is never overwritten; "
            f"pick another version, leave version=None for the next free one, or pass "
            f"overwrite=True. "
            f"Received: version={version}"
        )
    staging = tempfile.mkdtemp(prefix=f".tmp-{version}-{os.getpid()}-", dir=base_dir)
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
        if before_publish is not None:
            before_publish(staging)
        if os.path.exists(final):  # overwrite=True: swap, then drop the old one
            retired = tempfile.mkdtemp(prefix=f".tmp-old-{os.getpid()}-", dir=base_dir)
            os.rename(final, os.path.join(retired, "old"))
            os.rename(staging, final)
            shutil.rmtree(retired, ignore_errors=True)
        else:
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

