"""Step-time overhead of `nnrecipes.diagnostics.GradientMonitor` on the CNN recipe.

Two copies of the CNN recipe (same weights) train side by side on 28x28x1
inputs at batch 128: one plain, one with the gradient monitor attached
(global and per-layer norms and update-to-weight ratios). The runs are
interleaved (plain, monitored, monitored, plain, ...) so that load from
other processes hits both alike; the script prints each model's median
seconds per step and their ratio.

    python benchmarks/gradient_monitor_overhead.py [--repeats 9] [--steps 8]

Step time does not depend on the pixel values, so the inputs are random.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import nnrecipes  # noqa: E402
from nnrecipes.diagnostics import GradientMonitor  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per model")
    parser.add_argument("--steps", type=int, default=8, help="training steps per run")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--no-update-ratios", action="store_true",
                        help="monitor gradient norms only")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    n = args.steps * args.batch_size
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n).astype("int32")

    plain = nnrecipes.build("cnn", input_shape=(28, 28, 1), num_classes=10)
    monitored = nnrecipes.build("cnn", input_shape=(28, 28, 1), num_classes=10)
    monitored.set_weights(plain.get_weights())
    monitor = GradientMonitor(update_ratios=not args.no_update_ratios)
    monitor.attach(monitored)

    def run(model):
        start = time.perf_counter()
        model.fit(x, y, batch_size=args.batch_size, epochs=1, shuffle=False, verbose=0)
        return (time.perf_counter() - start) / args.steps

    for model in (plain, monitored):  # trace and warm up
        run(model)
    times = {"plain": [], "monitored": []}
    for i in range(args.repeats):
        order = (("plain", plain), ("monitored", monitored))
        for name, model in order if i % 2 == 0 else order[::-1]:
            times[name].append(run(model))
    monitor.detach()

    plain_median = statistics.median(times["plain"])
    monitored_median = statistics.median(times["monitored"])
    pair_ratios = [m / p for p, m in zip(times["plain"], times["monitored"])]
    print(f"CNN recipe, 28x28x1, batch {args.batch_size}, {args.steps} steps x "
          f"{args.repeats} interleaved repeats, CPU threads: "
          f"{os.cpu_count()}, update ratios: {not args.no_update_ratios}")
    print(f"plain      median {plain_median * 1000:8.1f} ms/step   "
          f"runs: {' '.join(f'{t * 1000:.0f}' for t in times['plain'])}")
    print(f"monitored  median {monitored_median * 1000:8.1f} ms/step   "
          f"runs: {' '.join(f'{t * 1000:.0f}' for t in times['monitored'])}")
    print(f"overhead: ratio of medians {monitored_median / plain_median:.3f} "
          f"({(monitored_median / plain_median - 1) * 100:+.1f}%), median of paired ratios "
          f"{statistics.median(pair_ratios):.3f}")
    return monitored_median / plain_median


if __name__ == "__main__":
    main()
