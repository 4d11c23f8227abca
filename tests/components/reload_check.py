"""Run in a fresh Python process by the contract test:
`python -m tests.components.reload_check FOLDER`.

Loads every `NAME.keras` in FOLDER after only `import nnrecipes` (no
`custom_objects`), computes the spec's probe with the inputs saved beside it
and writes them to `NAME.reloaded.npz`.
"""

import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(folder):
    import numpy as np

    import keras

    import nnrecipes  # noqa: F401  (registration is what is under test)
    from tests.components import specs

    folder = pathlib.Path(folder)
    for path in sorted(folder.glob("*.keras")):
        stem = path.name[: -len(".keras")]
        saved = np.load(folder / f"{stem}.inputs.npz", allow_pickle=False)
        kind = str(saved["kind"])
        inputs = {k: saved[k] for k in saved.files if k != "kind"}
        model = keras.saving.load_model(path)
        np.savez(folder / f"{stem}.reloaded.npz", **specs.probe(kind, model, inputs))


if __name__ == "__main__":
    main(sys.argv[1])
