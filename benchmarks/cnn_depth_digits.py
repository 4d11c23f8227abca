"""Digits (8x8 images): the CNN recipe's three convolution blocks against two.

With three blocks the third pooling leaves the 8x8 digits at 1x1; the
question is whether small images want a shallower default (issue 13's size
rule). Validation accuracy decides, over seeds 0-2 (each seed also draws its
own validation split); the keras-io simple convnet, given the two-block run's
training time on seed 0, is the baseline from the same run.

Run: python benchmarks/cnn_depth_digits.py
"""

import time

import nnrecipes
from nnrecipes import baselines
from nnrecipes import data
from nnrecipes import engine

SEEDS = (0, 1, 2)
BLOCKS = (3, 2)


def main():
    rows = []
    for seed in SEEDS:
        splits = data.load("digits", seed=seed)
        view = data.choose_view(splits, nnrecipes.get_recipe("cnn"))
        for blocks in BLOCKS:
            start = time.perf_counter()
            result = nnrecipes.train("cnn", splits, seed=seed, conv_blocks=blocks,
                                     export=False, diagnostics=False, verbose=0)
            val = engine.evaluate(result.model, view, part="val")["accuracy"]
            rows.append((seed, blocks, val, result.test_metrics["accuracy"],
                         time.perf_counter() - start, len(result.history.epoch)))
            print(f"seed {seed}, {blocks} blocks: val {val:.4f} test "
                  f"{result.test_metrics['accuracy']:.4f} ({rows[-1][4]:.0f} s, "
                  f"{rows[-1][5]} epochs)", flush=True)
            if seed == SEEDS[0] and blocks == BLOCKS[-1]:
                trained = result.manifest["training"]["seconds"]
                for b in baselines.classical(splits, convnet_seconds=trained):
                    print(f"  baseline {b['name']}: val {b['val_score']:.4f} "
                          f"test {b['score']:.4f}", flush=True)
    for blocks in BLOCKS:
        vals = [r[2] for r in rows if r[1] == blocks]
        print(f"{blocks} blocks: mean validation accuracy {sum(vals) / len(vals):.4f}")


if __name__ == "__main__":
    main()
