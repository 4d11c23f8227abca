"""Export a trained model as TensorFlow Serving reads it, plus `.keras` and a manifest.

Layout: `BASE/<version>/` (`BASE` is one model's folder,
`saved_models/<name>/`, see `nnrecipes.export.claims`) with the SavedModel
(`saved_model.pb`, `variables/`), `model.keras`, `manifest.json`, a model
card (`README.md`) and, on request, `model.onnx` and `model.tflite`. A
version is written to a hidden staging folder beside it (its name carries
the process id) and renamed into place when complete, so a server never
sees a half-written version; the version number is picked and the rename
done under the model's publish lock, so two exports never take one number.
"""

import contextlib
import datetime
import json
import os
import platform
import shutil

import keras

from nnrecipes import storage
from nnrecipes.export import claims
from nnrecipes.export import manifest as manifest_lib
from nnrecipes.export.card import model_card
from nnrecipes.export.claims import existing_versions
from nnrecipes.export.formats import check_formats
from nnrecipes.export.formats import write_formats
from nnrecipes.export.load import KERAS_FILE
from nnrecipes.export.load import load_model

# Where `nnrecipes train` and `refit` export by default: `saved_models/<name>/<version>/`.
DEFAULT_EXPORT_DIR = "saved_models"
MANIFEST = "manifest.json"
MODEL_CARD = "README.md"
CLASSIFY_SIGNATURE = "classify"
STAGING = ".tmp-"


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
    # On JAX, Keras converts the endpoint with jax2tf into a `tf.function`.
    serve = archive.add_endpoint("serve", lambda x: model(x, training=False),
                                 input_signature=[spec])
    if class_names:
        width = model.outputs[0].shape[-1]
        if len(class_names) != width:
            raise ValueError(
                f"`class_names` must name each of the model's {width} outputs. "
                f"Received: class_names={list(class_names)}")
        names = tf.constant([str(c) for c in class_names])

        # A TensorFlow function around the `serve` endpoint, so the string
        # classes stay out of the model's own (maybe JAX) computation.
        @tf.function(input_signature=[spec], autograph=False)
        def classify(x):
            scores = serve(x)
            return {"classes": tf.broadcast_to(names, tf.shape(scores)), "scores": scores}

        classify.get_concrete_function()
        archive.add_endpoint(CLASSIFY_SIGNATURE, classify)
    archive.write_out(folder, verbose=False)


def serving_inputs(model, manifest=None):
    """What an export of `model` takes (see `nnrecipes.export.claims.serving_inputs`)."""
    record = dict(manifest or {}, serving={"input_shape": [None, *model.input_shape[1:]],
                                           "input_dtype": str(model.inputs[0].dtype)})
    return claims.serving_inputs(record)


def check_inputs(base_dir, model, manifest=None, *, replacing=None):
    """Raises `ValueError` when `model` takes other inputs than the latest version
    under `base_dir` (its serving shape and dtype, and the table's columns when
    `manifest`'s dataset names them); call it before training to fail early.

    Example:
    ```python
    nnrecipes.export.check_inputs("saved_models/mlp_wine", model)
    ```
    """
    claims.check_same_inputs(base_dir, serving_inputs(model, manifest), replacing=replacing)


def export_model(model, base_dir, manifest=None, *, version=None, overwrite=False,
                 before_publish=None, formats=()):
    """Exports `model` as the next integer version under `base_dir`.

    Two processes may export under one `base_dir` at once: each gets its own
    version. A version whose inputs differ from the latest one's is refused
    (`base_dir` holds one served model). A write that fails (a full disk)
    raises `nnrecipes.storage.WriteError` naming the folder and the file,
    and leaves nothing behind.

    Args:
        model: a built `keras.Model`.
        base_dir: the model's folder, e.g. `"saved_models/cnn_digits"`.
        manifest: a JSON-serializable dict stored as `manifest.json`, with the
            version, the export time and the library versions added.
            Defaults to `None` (only those).
        version: the integer version to write. Defaults to one more than the
            highest existing version, picked when the export is complete.
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
    path = nnrecipes.export.export_model(model, "saved_models/cnn_digits")
    loaded = tf.saved_model.load(path)  # keep it in a name while serving
    served = loaded.serve(x)
    ```
    """
    import tensorflow as tf

    formats = check_formats(formats)
    check_export_dir(base_dir)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                or version < 1):
        raise ValueError(f"`version` must be a positive integer. Received: version={version!r}")
    record = dict(manifest or {})
    manifest_lib.check(record)  # a run's record matches the schema of its version
    _check_free(base_dir, version, overwrite)
    check_inputs(base_dir, model, record, replacing=version if overwrite else None)
    staging = None
    try:
        with storage.writing(base_dir, "a new version's staging folder"):
            storage.remove_dead_staging(base_dir, STAGING)
            staging = storage.make_staging(base_dir, STAGING)
        classify = record.get("task") == "classification" and record.get("class_names")
        with storage.writing(base_dir, "the SavedModel", errors=(OSError, tf.errors.OpError)):
            with without_optimizer(model):
                write_saved_model(model, staging,
                                  record.get("class_names") if classify else None)
        with storage.writing(base_dir, KERAS_FILE):
            save_for_serving(model, os.path.join(staging, KERAS_FILE))
        extra = {}
        if formats:
            with storage.writing(base_dir, f"the {' and '.join(formats)} files"):
                extra = write_formats(keras.saving.load_model(
                    os.path.join(staging, KERAS_FILE), compile=False), staging, formats)
        record.update(
            model_name=os.path.basename(os.path.abspath(base_dir)),
            files={"saved_model": ".", "keras": KERAS_FILE,
                   **{name: info["file"] for name, info in extra.items()}},
            serving={"signature": "serving_default", "endpoint": "serve",
                     "input_shape": [None, *model.input_shape[1:]],
                     "input_dtype": str(model.inputs[0].dtype),
                     **({"classify_signature": CLASSIFY_SIGNATURE} if classify else {})},
            formats=extra,
            **environment(),
        )
        if before_publish is not None:
            with storage.writing(base_dir, "the export's extra files"):
                before_publish(staging)
        with claims.publish_lock(base_dir):
            final = _publish(model, base_dir, staging, record, version, overwrite)
        staging = None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return final


def save_for_serving(model, path):
    """Saves `model` as a `.keras` file without its optimizer's state.

    A served model only predicts: Adam's two slots per weight would triple
    the file. Keras 3 ignores `include_optimizer=False` for `.keras` files,
    so the optimizer is detached for the save and put back after it; the
    compile config is kept (a reload still compiles, with a fresh
    optimizer). A checkpoint meant to resume training
    (`nnrecipes.callbacks.EpochCheckpoint`) keeps its optimizer.

    Args:
        model: a Keras model, compiled or not.
        path: the `.keras` file to write.

    Example:
    ```python
    nnrecipes.export.save_for_serving(model, "model.keras")
    ```
    """
    with without_optimizer(model):
        model.save(path)


@contextlib.contextmanager
def without_optimizer(model):
    """Detaches `model.optimizer` for the `with` block, then puts it back.

    What is written inside the block (a `.keras` file, a SavedModel) holds
    the model's weights only, not the optimizer's slots.

    Example:
    ```python
    with nnrecipes.export.without_optimizer(model):
        model.save("model.keras")
    ```
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        yield model
        return
    model.optimizer = None
    try:
        yield model
    finally:
        model.optimizer = optimizer


def _check_free(base_dir, version, overwrite):
    final = os.path.join(base_dir, str(version))
    if version is not None and os.path.exists(final) and not overwrite:
        raise FileExistsError(
            f"Export version {final!r} already exists and is never overwritten; "
            f"pick another version, leave version=None for the next free one, or pass "
            f"overwrite=True. "
            f"Received: version={version}"
        )


def _publish(model, base_dir, staging, record, version, overwrite):
    """Under the publish lock: picks the version, writes the manifest, renames."""
    if version is None:
        version = (existing_versions(base_dir) or [0])[-1] + 1
    _check_free(base_dir, version, overwrite)
    check_inputs(base_dir, model, record, replacing=version if overwrite else None)
    record.update(version=version,
                  exported_at=datetime.datetime.now(datetime.timezone.utc).isoformat())
    final = os.path.join(base_dir, str(version))
    with storage.writing(base_dir, f"the manifest of version {version}"):
        write_manifest(staging, record)
    with storage.writing(base_dir, f"version {version}"):
        if os.path.exists(final):  # overwrite=True: swap, then drop the old one
            retired = storage.make_staging(base_dir, STAGING)
            os.rename(final, os.path.join(retired, "old"))
            try:
                os.rename(staging, final)
            except BaseException:
                os.rename(os.path.join(retired, "old"), final)  # the old one stays
                raise
            finally:
                shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(staging, final)
    return final


def add_formats(version_dir, formats):
    """Writes ONNX / LiteRT files into an existing export version folder.

    Each file appears atomically; `manifest.json` and the model card are
    then rewritten to list it.

    Args:
        version_dir: an export version folder, e.g. `"saved_models/cnn_digits/1"`.
        formats: `"onnx"`, `"litert"`, a list of them, or `"onnx,litert"`.

    Returns:
        The manifest's `formats` entry.

    Example:
    ```python
    nnrecipes.export.add_formats("saved_models/cnn_digits/1", ["onnx", "litert"])
    ```
    """
    formats = check_formats(formats)
    if not formats:
        raise ValueError(f"Name at least one format. Received: formats={formats}")
    if not os.path.isfile(os.path.join(version_dir, MANIFEST)):
        raise FileNotFoundError(
            f"{version_dir!r} is not an export version folder (no {MANIFEST}): give one such "
            f"as saved_models/cnn_digits/1. Received: version_dir={version_dir!r}")
    folder = os.path.abspath(version_dir)
    with storage.writing(version_dir, f"the {' and '.join(formats)} files"):
        extra = write_formats(load_model(version_dir), version_dir, formats)
    # Another process may add a format to this version at the same time: the
    # manifest is read, updated and written under the model's publish lock.
    with claims.publish_lock(os.path.dirname(folder)), \
            storage.writing(version_dir, MANIFEST):
        record = load_manifest(version_dir)
        record.setdefault("files", {}).update(
            {name: info["file"] for name, info in extra.items()})
        record["formats"] = dict(record.get("formats") or {}, **extra)
        write_manifest(version_dir, record)
    return record["formats"]


def write_manifest(version_dir, record):
    """Writes `manifest.json` and the model card `README.md`, each atomically."""
    for name, text in ((MANIFEST, json.dumps(record, indent=2, default=_json_default)),
                       (MODEL_CARD, model_card(record))):
        staging = os.path.join(version_dir, f".tmp-{os.getpid()}-{name}")
        try:
            with open(staging, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(staging, os.path.join(version_dir, name))
        finally:
            if os.path.exists(staging):
                os.remove(staging)


def load_manifest(version_dir):
    """Reads `manifest.json` of an exported version, checked against its schema
    (`nnrecipes.export.manifest`; one without `manifest_version` is version 1)."""
    with open(os.path.join(version_dir, MANIFEST)) as f:
        return manifest_lib.read(json.load(f))


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)

