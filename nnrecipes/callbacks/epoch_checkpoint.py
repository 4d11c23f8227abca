import contextlib
import json
import os
import shutil
import time

import keras

from nnrecipes import storage

LATEST = "latest"
PROGRESS = "progress.json"
# A `.keras` archive rather than `.weights.h5`: Keras builds the archive's HDF5
# weights in memory and Python's `zipfile` writes them, so a full disk raises a
# plain `OSError`; an HDF5 file written in place is left with an open handle
# whose failing close later crashes the process (exit 139).
STATE = "state.keras"
STAGING = ".staging-"


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the whole training state at each epoch end, so a killed run resumes.

    Each save writes the model's weights with the optimizer's state (step
    count, so the learning-rate schedule's position, and moments), the
    layers' random-generator states, and the metrics history so far, into a
    new folder `epoch-NNNNN`, renamed into place when complete; then the
    small `latest` file is replaced atomically to point at it, and older
    epochs are removed. A process killed at any moment leaves either the
    previous complete checkpoint or the new one, never a half-written one.
    The staging folder's name carries the process id, and only staging
    folders of processes that are gone are swept. A save that fails (a
    full disk) removes its staging folder, keeps the previous checkpoint
    and raises `nnrecipes.storage.WriteError` naming the folder and the
    epoch.
    Unlike `keras.callbacks.BackupAndRestore`, whose weights and epoch
    counter are overwritten in place one after the other, the two can never
    disagree.

    With `max_share`, saves are sized to the epoch: an epoch end is skipped
    while the training time since the last save is under the last save's
    duration divided by `max_share`, so saving takes at most about that
    share of the run (a killed run then redoes a few short epochs). The
    last epoch, and an epoch after which training stops, are always saved.

    Args:
        directory: the checkpoint folder.
        run: a JSON-serializable record of the run's arguments, stored with
            each checkpoint so a resume can check it continues the same run.
            Defaults to `None`.
        history: metrics of epochs already done (when resuming), as
            `{name: [values]}`. Defaults to `None`.
        max_share: the largest share of the training time spent saving, in
            `(0, 1]`, or `None` to save every epoch. Defaults to `None`.

    Attributes:
        diagnostics: a callback listed before this one whose `history`
            (e.g. `TrainingDiagnostics`'s per-layer records) is saved with
            each checkpoint. Defaults to `None`.
        keeper: a `KeepBestEpoch` listed before this one whose best weights
            are written with each checkpoint (set its `deferred` so it
            writes none between them). Defaults to `None`.
        diagnostics_history: that history as the restored checkpoint held
            it (`{}` before a restore, or when it held none).

    Example:
    ```python
    checkpoint = nnrecipes.callbacks.EpochCheckpoint("runs/cnn")
    state = checkpoint.restore(model)  # None on a first run
    model.fit(x, y, epochs=10, initial_epoch=state["epoch"] if state else 0,
              callbacks=[checkpoint])
    ```
    """

    def __init__(self, directory, run=None, history=None, max_share=None):
        super().__init__()
        if max_share is not None and (isinstance(max_share, bool)
                                      or not isinstance(max_share, (int, float))
                                      or not 0 < max_share <= 1):
            raise ValueError("`max_share` must be a number in (0, 1] or None (save every "
                             f"epoch). Received: max_share={max_share!r}")
        self.max_share = max_share
        self.keeper = None
        self._cost = None  # seconds the last save took
        self._since = None  # when training resumed after it
        self.directory = directory
        self.run = run or {}
        self.history = {k: list(v) for k, v in (history or {}).items()}
        self.diagnostics = None
        self.diagnostics_history = {}

    @staticmethod
    def _rng_variables(model):
        # Random-generator states (e.g. of Dropout) are variables of the
        # model but not weights, so `save_weights` leaves them out.
        weights = {id(v) for v in model.weights}
        return [v for v in model.variables if id(v) not in weights]

    def restore(self, model):
        """Loads the newest checkpoint into `model`; returns it, or None.

        The model must be built and compiled like the one that was saved.
        """
        state = self.latest()
        if state is None:
            return None
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(state["weights"])
        for variable, value in zip(self._rng_variables(model), state.get("rng", [])):
            variable.assign(value)
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.diagnostics_history = {k: list(v)
                                    for k, v in (state.get("diagnostics") or {}).items()}
        return state

    def latest(self):
        """The newest complete checkpoint, or None.

        Returns:
            A dict with `epoch` (epochs done), `weights` (path), `history`
            and `run`, or None when there is none.
        """
        pointer = os.path.join(self.directory, LATEST)
        if not os.path.isfile(pointer):
            return None
        with open(pointer) as f:
            folder = os.path.join(self.directory, f.read().strip())
        try:
            with open(os.path.join(folder, PROGRESS)) as f:
                progress = json.load(f)
        except (OSError, ValueError) as error:
            raise ValueError(
                f"The checkpoint {folder!r} that {pointer!r} points at cannot be read "
                f"({error}); delete {self.directory!r} to start over."
            ) from None
        progress["weights"] = os.path.join(folder, STATE)
        return progress

    def on_train_begin(self, logs=None):
        self._since = time.perf_counter()

    def _due(self, epoch):
        """Whether this epoch end saves (always without `max_share`)."""
        if self.max_share is None or self._cost is None or self._since is None:
            return True
        if epoch + 1 >= (self.params or {}).get("epochs", epoch + 1) or \
                getattr(self.model, "stop_training", False):
            return True
        return (time.perf_counter() - self._since) * self.max_share >= self._cost

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if not self._due(epoch):
            return
        start = time.perf_counter()
        self._save(epoch)
        self._since = time.perf_counter()
        self._cost = self._since - start

    def _save(self, epoch):
        name = f"epoch-{epoch + 1:05d}"
        staging = None
        try:
            with storage.writing(self.directory, f"the checkpoint of epoch {epoch + 1}"):
                os.makedirs(self.directory, exist_ok=True)
                storage.remove_dead_staging(self.directory, STAGING)
                staging = storage.make_staging(self.directory, STAGING)
                if self.keeper is not None:  # before `latest` points at this epoch
                    self.keeper.save_best()
                self.model.save(os.path.join(staging, STATE))
                with open(os.path.join(staging, PROGRESS), "w") as f:
                    rng = [v.numpy().tolist() for v in self._rng_variables(self.model)]
                    watched = getattr(self.diagnostics, "history", None)
                    json.dump({"epoch": epoch + 1, "history": self.history, "run": self.run,
                               "rng": rng, "diagnostics": watched}, f)
                final = os.path.join(self.directory, name)
                if os.path.exists(final):  # left by an earlier try that died before `latest`
                    shutil.rmtree(final)
                os.rename(staging, final)
                staging = None
                pointer = os.path.join(self.directory, LATEST)
                with open(pointer + ".tmp", "w") as f:
                    f.write(name)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(pointer + ".tmp", pointer)
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            with contextlib.suppress(OSError):
                os.remove(os.path.join(self.directory, LATEST + ".tmp"))
            raise
        for other in os.listdir(self.directory):
            if other.startswith("epoch-") and other != name:
                shutil.rmtree(os.path.join(self.directory, other), ignore_errors=True)
