"""Which folder a model's versions go to, and the claims that keep runs apart.

TensorFlow Serving serves every integer folder under a model folder as a
version of one model, so `saved_models/<name>/` holds the versions of one
model only: its name is by default the recipe and the dataset
(`model_name("mlp", "wine")` is `"mlp_wine"`), and every version of a name
must take the same inputs (`check_same_inputs`).

Two processes that write under one model folder are kept apart by two OS
locks (`nnrecipes.storage.FileLock`, released by the kernel when a process
dies, so a killed run never leaves one stuck):

- the run lock (`RunLock`, file `.run.lock`), held by a training run from its
  start to its end: a second live run of the same model in the same folder
  is refused at its start with `ModelBusyError`, which names the live run;
  the run's checkpoint (`.checkpoint/`) is therefore its own;
- the publish lock (`publish_lock`, file `.publish.lock`), held for the
  moment an export picks its version number and renames its staging folder
  into place (or a version's manifest is rewritten), so two exports never
  take one number and neither is lost.
"""

import contextlib
import datetime
import json
import os
import re
import sys

from nnrecipes import storage
from nnrecipes.export import manifest as manifest_lib

RUN_LOCK = ".run.lock"
PUBLISH_LOCK = ".publish.lock"
# Where a run keeps its resumable checkpoint, inside its model's folder:
# hidden, so TensorFlow Serving, which loads integer version folders, never
# sees it.
CHECKPOINT_FOLDER = ".checkpoint"
REFIT_CHECKPOINT_FOLDER = ".refit-checkpoint"
# A model name: a folder name and a TensorFlow Serving model name.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# The most seconds an export waits for another one to publish.
PUBLISH_TIMEOUT = 300


class ModelBusyError(FileExistsError):
    """Another live run holds the model folder's run lock.

    Attributes:
        holder: the live run's record (`pid`, `host`, `started`, `command`,
            `what`), as far as it could be read.
    """

    def __init__(self, message, holder=None):
        super().__init__(message)
        self.holder = holder or {}


def check_name(name):
    """Returns `name` when it can name a model folder, else raises `ValueError`."""
    if not isinstance(name, str) or not NAME.match(name) or name.isdigit():
        raise ValueError(
            "A model name must start with a letter or digit, hold only letters, digits, "
            "'.', '_' and '-', be at most 128 characters and not be a number (numbers are "
            f"versions). Received: name={name!r}")
    return name


def model_name(recipe, dataset=None, name=None):
    """The name of the model folder a run exports to.

    Args:
        recipe: the recipe's name, e.g. `"mlp"`.
        dataset: the dataset's name, e.g. `"wine"` or a file's name. Defaults
            to `None` (the recipe alone).
        name: the user's choice, which wins. Defaults to `None`.

    Returns:
        `name` when given, else `"<recipe>_<dataset>"` with characters a
        folder name should not hold replaced by `_`.

    Example:
    >>> nnrecipes.export.claims.model_name("mlp", "breast_cancer")
    'mlp_breast_cancer'
    """
    if name is not None:
        return check_name(name)
    parts = [str(recipe)] + ([str(dataset)] if dataset else [])
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(parts)).strip("._-") or "model"
    return check_name(text[:128])


def existing_versions(base_dir):
    """Integer versions already exported under `base_dir`, sorted."""
    if not os.path.isdir(base_dir):
        return []
    return sorted(int(n) for n in os.listdir(base_dir)
                  if n.isdigit() and os.path.isdir(os.path.join(base_dir, n)))


def checkpoint_dir(model_dir, refit=False):
    """The checkpoint folder of the run of the model in `model_dir`."""
    return os.path.join(model_dir, REFIT_CHECKPOINT_FOLDER if refit else CHECKPOINT_FOLDER)


def _describe(holder):
    if not holder:
        return "a run whose record is still being written"
    return (f"{holder.get('what', 'a run')} (pid {holder.get('pid')} on "
            f"{holder.get('host')}, started {holder.get('started')}: "
            f"`{holder.get('command')}`)")


class RunLock:
    """The lock a run of one model holds on its model folder from start to end.

    Args:
        model_dir: the model's folder, e.g. `"saved_models/mlp_wine"`.
        what: what the run is, for the message of a refused run. Defaults to
            `"a training run"`.

    Example:
    ```python
    with nnrecipes.export.claims.RunLock("saved_models/mlp_wine"):
        ...  # train, checkpoint and export mlp_wine
    ```
    """

    def __init__(self, model_dir, what="a training run"):
        self.model_dir = model_dir
        self.what = what
        self.lock = storage.FileLock(os.path.join(model_dir, RUN_LOCK))

    def acquire(self):
        """Takes the lock, or raises `ModelBusyError` naming the live run; returns self.

        A lock left by a killed run is free (the kernel released it), so a
        `--resume` after a kill simply takes it.
        """
        with storage.writing(self.model_dir, "the run lock"):
            taken = self.lock.acquire(blocking=False)
        if not taken:
            holder = self.holder()
            raise ModelBusyError(
                f"Another run of the model in {self.model_dir!r} is live: "
                f"{_describe(holder)}. Wait for it to end, or give this run another "
                "name (--name) or export folder; a killed run's lock is released, and "
                "--resume continues it.", holder)
        record = {"what": self.what, "pid": os.getpid(), "host": storage.HOST,
                  "started": datetime.datetime.now(datetime.timezone.utc).isoformat(
                      timespec="seconds"),
                  "command": " ".join([os.path.basename(sys.argv[0] or "python"),
                                       *sys.argv[1:]])}
        try:
            with storage.writing(self.model_dir, "the run lock"):
                self.lock.write(json.dumps(record))
        except BaseException:
            self.lock.release()
            raise
        return self

    def holder(self):
        """The record of the live run holding the lock, or `{}`."""
        try:
            return json.loads(self.lock.read() or "{}")
        except ValueError:
            return {}

    def release(self):
        self.lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


@contextlib.contextmanager
def publish_lock(model_dir, timeout=PUBLISH_TIMEOUT):
    """Holds the publish lock of `model_dir` for a `with` block (waiting for another
    holder up to `timeout` seconds): around picking a version and renaming it into
    place, or around rewriting a version's manifest."""
    lock = storage.FileLock(os.path.join(model_dir, PUBLISH_LOCK))
    with storage.writing(model_dir, "the publish lock"):
        lock.acquire(timeout=timeout)
    try:
        yield lock
    finally:
        lock.release()


def serving_inputs(record):
    """What a manifest `record` says its export takes: shape, dtype, and columns."""
    serving = record.get("serving") if isinstance(record.get("serving"), dict) else {}
    dataset = record.get("dataset") if isinstance(record.get("dataset"), dict) else {}
    info = dataset.get("info") if isinstance(dataset.get("info"), dict) else {}
    columns = dataset.get("columns") or info.get("columns")
    return {"input_shape": list(serving.get("input_shape") or []) or None,
            "input_dtype": serving.get("input_dtype"),
            "columns": list(columns) if columns else None}


def check_same_inputs(model_dir, inputs, *, replacing=None):
    """Raises `ValueError` when `inputs` differ from those of the latest version.

    Args:
        model_dir: the model's folder.
        inputs: the new export's `serving_inputs`.
        replacing: a version being overwritten, left out of the comparison.
            Defaults to `None`.
    """
    versions = [v for v in existing_versions(model_dir) if v != replacing]
    if not versions:
        return
    latest = os.path.join(model_dir, str(versions[-1]))
    try:
        with open(os.path.join(latest, "manifest.json"), encoding="utf-8") as f:
            before = serving_inputs(manifest_lib.read(json.load(f)))
    except (OSError, ValueError):
        return  # not an nnrecipes version: nothing to compare with
    differ = [key for key in ("input_shape", "input_dtype", "columns")
              if before[key] is not None and inputs.get(key) is not None
              and before[key] != inputs[key]]
    if differ:
        def show(record):
            return ", ".join(f"{k}={record[k]}" for k in differ)

        raise ValueError(
            f"The model in {model_dir!r} serves version {versions[-1]}, which takes "
            f"{show(before)}; this export takes {show(inputs)}. TensorFlow Serving serves "
            "every version of a folder as one model, so its versions must take the same "
            "inputs: export under another name (--name, or name=) instead. "
            f"Received: {show(inputs)}")
