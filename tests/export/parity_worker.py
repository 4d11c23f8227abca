"""Run in a fresh process: each export in each runtime against its SavedModel.

Usage: python parity_worker.py CASES.json  (see helpers.save_inputs); prints
one JSON line `{case: {runtime: largest absolute difference}}`.
"""

import json
import sys

import numpy as np

from nnrecipes.export import Runner


def main(file):
    with open(file) as f:
        cases = json.load(f)
    result = {}
    for case, (path, inputs) in cases.items():
        reference = Runner(path, "saved_model")
        x = np.asarray(inputs, dtype=object if reference.input_dtype == "string" else None)
        expected = reference(x)
        result[case] = {}
        for runtime in ("onnx", "litert"):
            got = np.concatenate([Runner(path, runtime)(x[:1]), Runner(path, runtime)(x[1:])])
            result[case][runtime] = float(np.abs(got - expected).max())
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
