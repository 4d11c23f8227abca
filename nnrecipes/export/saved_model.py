"""Export a trained model as TensorFlow Serving reads it, plus `.keras` and a manifest.

Layout: `BASE/<version>/` with the SavedModel (`saved_model.pb`,
`variables/`), `model.keras`, `manifest.json`, a model card (`README.md`)
and, on request, `model.onnx` and `model.tflite`. A version is written to a
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

from nnrecipes.export.formats import check_formats
from nnrecipes.export.formats import write_formats

# Where `nnrecipes train` and `refit` export by default: `saved_models/<recipe>/<version>/`.
DEFAULT_EXPORT_DIR = "saved_models"
MANIFEST = "manifest.json"
MODEL_CARD = "README.md"
KERAS_FILE = "model.keras"
CLASSIFY_SIGNATURE = "classify"


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


def write_saved_model(model, folder, class_names=None):
    """Writes `model` as a SavedModel with TensorFlow Serving's signatures.

    `serving_default` (endpoint `serve`) returns the model's outputs
    (probabilities for a softmax classifier). With `class_names`, a second
    signature, `classify` (endpoint `classify`), returns `classes` (the
    class names, string `(batch, num_classes)`) and `scores` (the outputs),
    the pair TensorFlow Serving's classification clients read.
    """
    import tensorflow as tf

    tensor = model.inputs[0]
    spec = tf.TensorSpec([None, *tensor.shape[1:]], tf.as_dtype(tensor.dtype), name="inputs")
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda x: model(x, training=False), input_signature=[spec])
    if class_names:
        width = model.outputs[0].shape[-1]
        if len(class_names) != width:
            raise ValueError(
                f"`class_names` must name each of the model's {width} outputs. "
                f"Received: class_names={list(class_names)}")
        names = tf.constant([str(c) for c in class_names])

        def classify(x):
            scores = model(x, training=False)
            return {"classes": tf.broadcast_to(names, tf.shape(scores)), "scores": scores}

        archive.add_endpoint(CLASSIFY_SIGNATURE, classify, input_signature=[spec])
    archive.write_out(folder, verbose=False)


def export_model(model, base_dir, manifest=None, *, version=None, overwrite=False,
                 before_publish=None, formats=()):
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
        formats: also write these files: `"onnx"` (`model.onnx`) and
            `"litert"` (`model.tflite`); see `nnrecipes.export.formats`.
            Defaults to `()`.

    Returns:
        The path of the exported version folder.

    Example:
    ```python
    path = nnrecipes.export.export_model(model, "saved_models/cnn")
    served = tf.saved_model.load(path).serve(x)
    ```
    """
    formats = check_formats(formats)
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
        record = dict(manifest or {})
        classify = record.get("task") == "classification" and record.get("class_names")
        write_saved_model(model, staging, record.get("class_names") if classify else None)
        model.save(os.path.join(staging, KERAS_FILE))
        extra = write_formats(keras.saving.load_model(os.path.join(staging, KERAS_FILE),
                                                      compile=False),
                              staging, formats) if formats else {}
        record.update(
            version=version,
            exported_at=datetime.datetime.now(datetime.timezone.utc).isoformat(),
            files={"saved_model": ".", "keras": KERAS_FILE,
                   **{name: info["file"] for name, info in extra.items()}},
            serving={"signature": "serving_default", "endpoint": "serve",
                     "input_shape": [None, *model.input_shape[1:]],
                     "input_dtype": str(model.inputs[0].dtype),
                     **({"classify_signature": CLASSIFY_SIGNATURE} if classify else {})},
            formats=extra,
            **environment(),
        )
        write_manifest(staging, record)
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


def add_formats(version_dir, formats):
    """Writes ONNX / LiteRT files into an existing export version folder.

    Each file appears atomically; `manifest.json` and the model card are
    then rewritten to list it.

    Args:
        version_dir: an export version folder, e.g. `"saved_models/cnn/1"`.
        formats: `"onnx"`, `"litert"`, a list of them, or `"onnx,litert"`.

    Returns:
        The manifest's `formats` entry.

    Example:
    ```python
    nnrecipes.export.add_formats("saved_models/cnn/1", ["onnx", "litert"])
    ```
    """
    formats = check_formats(formats)
    if not formats:
        raise ValueError(f"Name at least one format. Received: formats={formats}")
    if not os.path.isfile(os.path.join(version_dir, MANIFEST)):
        raise FileNotFoundError(
            f"{version_dir!r} is not an export version folder (no {MANIFEST}): give one such "
            f"as saved_models/cnn/1. Received: version_dir={version_dir!r}")
    from nnrecipes.export.load import load_model

    record = load_manifest(version_dir)
    extra = write_formats(load_model(version_dir), version_dir, formats)
    record.setdefault("files", {}).update({name: info["file"] for name, info in extra.items()})
    record["formats"] = dict(record.get("formats") or {}, **extra)
    write_manifest(version_dir, record)
    return record["formats"]


def write_manifest(version_dir, record):
    """Writes `manifest.json` and the model card `README.md`, each atomically."""
    from nnrecipes.export.card import model_card

    for name, text in ((MANIFEST, json.dumps(record, indent=2, default=_json_default)),
                       (MODEL_CARD, model_card(record))):
        staging = os.path.join(version_dir, f".tmp-{os.getpid()}-{name}")
        with open(staging, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(staging, os.path.join(version_dir, name))


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

