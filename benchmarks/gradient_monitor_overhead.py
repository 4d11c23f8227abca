"""Step-time overhead of `nnrecipes.diagnostics.GradientMonitor` on the CNN recipe.

Two copies of the CNN recipe (same weights) train side by side on 28x28x1
inputs at batch 128: one plain, one with the gradient monitor attached
(global and per-layer norms and update-to-weight ratios). The runs are
interleaved (plain, monitored, monitored, plain, ...) so that load from
other processes hits both alike; the script prints each model's median
wall-clock and CPU (process) seconds per step and their ratios. On a shared,
busy machine the CPU-time ratio is the steadier figure: other processes'
load stretches wall-clock time but not the CPU time this process uses.

    python benchmarks/gradient_monitor_overhead.py [--repeats 9] [--steps 8] [--write]

`--write` puts the figures in RESULTS.md's "Gradient monitor overhead" section.

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
import results_file  # noqa: E402
from nnrecipes.diagnostics import GradientMonitor  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per model")
    parser.add_argument("--steps", type=int, default=8, help="training steps per run")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--no-update-ratios", action="store_true",
                        help="monitor gradient norms only")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md's section")
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
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(x, y, batch_size=args.batch_size, epochs=1, shuffle=False, verbose=0)
        return ((time.perf_counter() - start) / args.steps,
                (time.process_time() - cpu) / args.steps)

    for model in (plain, monitored):  # trace and warm up
        run(model)
    logged = monitored.fit(x[:args.batch_size], y[:args.batch_size], verbose=0).history
    assert "grad_norm" in logged and "grad_norm" not in plain.fit(
        x[:args.batch_size], y[:args.batch_size], verbose=0).history
    wall = {"plain": [], "monitored": []}
    cpu = {"plain": [], "monitored": []}
    for i in range(args.repeats):
        order = (("plain", plain), ("monitored", monitored))
        for name, model in order if i % 2 == 0 else order[::-1]:
            seconds, cpu_seconds = run(model)
            wall[name].append(seconds)
            cpu[name].append(cpu_seconds)
    monitor.detach()

    lines = [f"CNN recipe, 28x28x1, batch {args.batch_size}, {args.steps} steps x "
             f"{args.repeats} interleaved repeats, {os.cpu_count()} CPUs, update ratios: "
             f"{not args.no_update_ratios}"]
    ratios = {}
    for clock, times in (("wall", wall), ("cpu", cpu)):
        plain_median = statistics.median(times["plain"])
        monitored_median = statistics.median(times["monitored"])
        paired = statistics.median(m / p for p, m in zip(times["plain"], times["monitored"]))
        ratios[clock] = monitored_median / plain_median
        for name in ("plain", "monitored"):
            lines.append(f"{clock:4s} {name:9s} median "
                         f"{statistics.median(times[name]) * 1000:7.1f} ms/step  runs: "
                         f"{' '.join(f'{t * 1000:.0f}' for t in times[name])}")
        lines.append(f"{clock:4s} overhead: ratio of medians {ratios[clock]:.3f} "
                     f"({(ratios[clock] - 1) * 100:+.1f}%), median of paired ratios "
                     f"{paired:.3f}")
    print("\n".join(lines))
    if args.write:
        command = "python benchmarks/gradient_monitor_overhead.py " + " ".join(argv or [])
        results_file.write_section(
            "<!-- gradient-monitor:begin -->", "<!-- gradient-monitor:end -->",
            f"Written by `{command.strip()}` on {time.strftime('%Y-%m-%d')}.\n\n```\n"
            + "\n".join(lines) + "\n```", "Gradient monitor overhead")
    return ratios


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
