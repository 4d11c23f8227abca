"""A training run for the resume tests, which SIGKILLs itself at a chosen point.

    python tests/resume_worker.py EXPORT_DIR [--kill-at batch:EPOCH:BATCH | export]
        [--resume]

It trains the `mlp` recipe on digits for 4 epochs with deterministic ops.
"""

import os
import signal
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import nnrecipes  # noqa: E402

EPOCHS = 4


class KillAt(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        # Keras calls this once per chunk of steps (`steps_per_execution`):
        # the first call at or after the batch kills.
        if self.current == self.epoch and batch >= self.batch:
            os.kill(os.getpid(), signal.SIGKILL)


def main(argv):
    export_dir = argv[0]
    callbacks = []
    if "--kill-at" in argv:
        where = argv[argv.index("--kill-at") + 1]
        if where == "export":
            original = keras.Model.save

            def save_then_die(self, filepath, *args, **kwargs):
                original(self, filepath, *args, **kwargs)  # the .keras file is written ...
                if os.path.basename(filepath) == "model.keras":  # (not a checkpoint's)
                    os.kill(os.getpid(), signal.SIGKILL)  # ... the manifest never is

            keras.Model.save = save_then_die
        else:
            _, epoch, batch = where.split(":")
            callbacks.append(KillAt(int(epoch), int(batch)))
    nnrecipes.train("mlp", epochs=EPOCHS, export_dir=export_dir, verbose=0, seed=3,
                    deterministic=True, diagnostics=False, resume="--resume" in argv,
                    callbacks=callbacks, dropout=0.3)


if __name__ == "__main__":
    main(sys.argv[1:])
