"""A training run for the concurrency tests that takes its time.

    python tests/concurrency_worker.py EXPORT_DIR [--dataset wine] [--epochs 3]
        [--sleep SECONDS] [--seed 0] [--name NAME] [--resume]

It runs `nnrecipes train mlp` through the command line's own entry point
(`nnrecipes.cli.main`), sleeping `--sleep` seconds at each epoch end so that a
second process can be started while it is surely live.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from nnrecipes import cli  # noqa: E402
from nnrecipes import training  # noqa: E402


class Sleep(keras.callbacks.Callback):
    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_epoch_end(self, epoch, logs=None):
        time.sleep(self.seconds)


def main(argv):
    sleep = 0.0
    if "--sleep" in argv:
        at = argv.index("--sleep")
        sleep = float(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    export_dir, rest = argv[0], argv[1:]
    original = training.train

    def slowed(*args, **kwargs):
        kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), Sleep(sleep)]
        return original(*args, **kwargs)

    training.train = slowed
    return cli.main(["train", "mlp", "--export-dir", export_dir, "--units", "8",
                     "--num-layers", "1", "--no-diagnostics", "--verbose", "0", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
