"""Small images and small sets: CNN depth and width (the rule of
`nnrecipes.families.cnn.size_defaults`) against the keras-io simple convnet
at equal time.

Digits (1,797 8x8 images) and 4,000 real MNIST digits (28x28, drawn from the
catalog's `mnist` training split; its validation and test splits whole) are
trained with `nnrecipes.train("cnn", ...)` and the package's default epoch
budget and early stopping, under several depths and widths: `default` (the
recipe's fixed defaults before `nnrecipes.families.cnn.size_defaults`: 3
blocks of 2 convolutions, 32 filters), `rule` (the defaults as they are now:
the depth from the image size) and fixed variants. Validation accuracy decides; the test
accuracy is beside it. The keras-io "Simple MNIST convnet" baseline
(`nnrecipes.baselines.simple_convnet`) is given the `rule` run's training
time, in the same run.

Run: python benchmarks/cnn_depth_digits.py [--sets digits mnist4000] [--seeds 0]
     [--configs default rule ...]
"""

import argparse
import dataclasses
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import nnrecipes  # noqa: E402
from nnrecipes import baselines  # noqa: E402
from nnrecipes import data  # noqa: E402
from nnrecipes import engine  # noqa: E402

# name -> hyperparameters (None: the defaults, with the size rule; the user's
# values win over the rule).
CONFIGS = {
    "default": {"conv_blocks": 3, "convs_per_block": 2, "filters": 32, "dense_units": 128},
    "rule": None,
    "2 blocks x 2": {"conv_blocks": 2, "convs_per_block": 2, "filters": 32},
    "2 blocks x 1": {"conv_blocks": 2, "convs_per_block": 1, "filters": 32},
    "1 block x 2": {"conv_blocks": 1, "convs_per_block": 2, "filters": 32},
    "3 blocks x 1": {"conv_blocks": 3, "convs_per_block": 1, "filters": 32},
}


def load(name, seed):
    if name == "digits":
        return data.load("digits", seed=seed)
    if name == "mnist4000":
        splits = data.load("mnist", seed=seed)
        return dataclasses.replace(splits, name="mnist4000", x_train=splits.x_train[:4000],
                                   y_train=splits.y_train[:4000])
    raise ValueError(f"Unknown set. Valid: digits, mnist4000. Received: name={name!r}")


def run(splits, config, seed):
    start = time.perf_counter()
    result = nnrecipes.train("cnn", splits, seed=seed, export=False, diagnostics=False,
                             verbose=0, **(config or {}))
    view = data.choose_view(splits, nnrecipes.get_recipe("cnn"))
    val = engine.evaluate(result.model, view, part="val")["accuracy"]
    return {"val": val, "test": result.test_metrics["accuracy"],
            "seconds": result.manifest["training"]["seconds"],
            "wall": time.perf_counter() - start, "epochs": len(result.history.epoch),
            "values": {k: result.manifest["hyperparameters"].get(k) for k in
                       ("conv_blocks", "convs_per_block", "filters", "dense_units")}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=["digits", "mnist4000"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    args = parser.parse_args()
    for name in args.sets:
        for seed in args.seeds:
            splits = load(name, seed)
            rule_seconds = None
            for label in args.configs:
                found = run(splits, CONFIGS[label], seed)
                if label == "rule":
                    rule_seconds = found["seconds"]
                print(f"{name} seed {seed} {label:14s} val {found['val']:.4f} test "
                      f"{found['test']:.4f} train {found['seconds']:.1f} s, "
                      f"{found['epochs']} epochs, {found['values']}", flush=True)
            if rule_seconds is not None:
                for b in baselines.classical(splits, convnet_seconds=rule_seconds, seed=seed):
                    print(f"{name} seed {seed} baseline {b['name']}: val {b['val_score']:.4f} "
                          f"test {b['score']:.4f}", flush=True)


if __name__ == "__main__":
    main()
