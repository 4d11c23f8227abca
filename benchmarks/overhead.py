"""What `nnrecipes.train`'s machinery costs per epoch, beside a plain `fit`, per family.

For every recipe, on the same data (`digits`, train's default, in the view
`train` picks) and from the same initial weights, five ways of training are
timed epoch by epoch:

- `plain`: `model.fit(train, validation_data=val)`, what a user would write;
- `monitor`: plus `GradientMonitor` (gradient norms and update ratios,
  computed in the training step);
- `monitor/8`: the same, measuring every 8th step only (`every=8`; `train`
  measures about 32 steps per epoch, every step of an epoch up to 63 steps);
- `diagnostics`: plus `TrainingDiagnostics` as `train` sets it up (the
  monitor, and dead/saturated units on a validation probe each epoch);
- `checkpoint`: plus `train`'s reliability callbacks: `StopOnNonFinite`,
  `KeepBestEpoch` (early stopping; the best epoch's weights kept on disk) and
  `EpochCheckpoint` (the whole training state saved each epoch);
- `train`: `nnrecipes.train(..., export=False)` itself, with all of these
  and its resumable, epoch-ordered input pipeline.

The variants run interleaved, round after round, so load from other
processes hits them alike. Each run is `--epochs` long and its first epoch
(tracing) is left out; an epoch's time runs from one epoch end to the next,
so every callback's epoch-end work counts. The tables give median seconds per
epoch and each variant's overhead against `plain`, on the wall clock and in
CPU seconds of this process (steadier on a shared machine), and, since the
per-epoch costs are fixed while an epoch's length is not, the extra
milliseconds per epoch.

    python benchmarks/overhead.py [--rounds 5] [--epochs 3] [--recipes cnn mlp] [--write]

`--write` puts the tables in RESULTS.md's "Training overheads" section.
"""

import argparse
import os
import platform
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import nnrecipes  # noqa: E402
import results_file  # noqa: E402
from nnrecipes import data  # noqa: E402
from nnrecipes import engine  # noqa: E402
from nnrecipes import training  # noqa: E402
from nnrecipes.callbacks import EpochCheckpoint  # noqa: E402
from nnrecipes.callbacks import KeepBestEpoch  # noqa: E402
from nnrecipes.callbacks import StopOnNonFinite  # noqa: E402
from nnrecipes.diagnostics import GradientMonitor  # noqa: E402
from nnrecipes.diagnostics import TrainingDiagnostics  # noqa: E402

VARIANTS = ("plain", "monitor", "monitor/8", "diagnostics", "checkpoint", "train")
GOAL = 0.03  # the most overhead per epoch the issue allows


class EpochClock(keras.callbacks.Callback):
    """Records wall and CPU seconds from one epoch end to the next.

    Put it last, so the other callbacks' epoch-end work falls in the epoch.
    """

    def __init__(self):
        super().__init__()
        self.wall, self.cpu, self._last = [], [], None

    def on_epoch_end(self, epoch, logs=None):
        now = (time.perf_counter(), time.process_time())
        if self._last is not None:
            self.wall.append(now[0] - self._last[0])
            self.cpu.append(now[1] - self._last[1])
        self._last = now


class Family:
    """One recipe's data, its models (one per variant, same weights) and runs."""

    def __init__(self, name, dataset, batch_size, seed):
        self.name, self.dataset, self.batch_size, self.seed = name, dataset, batch_size, seed
        recipe = nnrecipes.get_recipe(name)
        self.splits = data.choose_view(data.load(dataset, seed=seed), recipe)
        keras.utils.set_random_seed(seed)
        self.models = {}
        for variant in VARIANTS[:-1]:
            model = nnrecipes.build(name, num_classes=self.splits.num_classes,
                                    num_outputs=self.splits.num_outputs,
                                    **data.preprocessing_for(self.splits))
            if self.models:
                model.set_weights(self.models["plain"].get_weights())
            self.models[variant] = model
        self.train_ds, self.val_ds, _ = data.as_datasets(self.splits, batch_size=batch_size,
                                                         seed=seed)

    def callbacks(self, variant, folder):
        if variant == "monitor":
            return [GradientMonitor(per_layer_logs=False)]
        if variant == "monitor/8":
            return [GradientMonitor(per_layer_logs=False, every=8)]
        if variant == "diagnostics":  # as `train` sets it up
            steps = -(-len(self.splits.x_train) // self.batch_size)
            return [TrainingDiagnostics(probe=self.splits.x_val, per_layer_logs=False,
                                        gradient_every=engine.gradient_every(steps))]
        if variant == "checkpoint":  # as `train` orders them: best weights on disk first
            checkpoint = EpochCheckpoint(folder)
            steps = -(-len(self.splits.x_train) // self.batch_size)
            patience = engine.patience_for(engine.DEFAULT_PATIENCE, steps)
            return [StopOnNonFinite(),
                    KeepBestEpoch(engine.DEFAULT_MONITOR, patience=patience,
                                  directory=folder, history=checkpoint.history),
                    checkpoint]
        return []

    def run(self, variant, epochs):
        """Trains `epochs` epochs one way; returns its EpochClock."""
        clock = EpochClock()
        with tempfile.TemporaryDirectory() as folder:
            if variant == "train":
                nnrecipes.train(self.name, self.dataset, epochs=epochs,
                                batch_size=self.batch_size, seed=self.seed, export=False,
                                export_dir=folder, verbose=0, callbacks=[clock])
            else:
                self.models[variant].fit(
                    self.train_ds, validation_data=self.val_ds, epochs=epochs, verbose=0,
                    shuffle=False, callbacks=[*self.callbacks(variant, folder), clock])
        return clock


def measure(families, rounds, epochs):
    """{family: {variant: (wall seconds, CPU seconds) per epoch, all rounds}}."""
    times = {f.name: {v: ([], []) for v in VARIANTS} for f in families}
    for round_index in range(rounds):
        for family in families:
            order = VARIANTS if round_index % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                clock = family.run(variant, epochs)
                times[family.name][variant][0].extend(clock.wall)
                times[family.name][variant][1].extend(clock.cpu)
    return times


def tables(times, steps):
    """Markdown tables: wall and CPU overhead (%), and extra ms per epoch."""
    head = " | ".join(VARIANTS[1:])
    rows = {"wall": [], "cpu": [], "ms": []}
    for name, by_variant in times.items():
        medians = {v: (statistics.median(w), statistics.median(c))
                   for v, (w, c) in by_variant.items()}
        plain_wall, plain_cpu = medians["plain"]
        rows["wall"].append(f"| {name} | {steps[name]} | {plain_wall:.3f} | " + " | ".join(
            f"{100 * (medians[v][0] / plain_wall - 1):+.1f}%" for v in VARIANTS[1:]) + " |")
        rows["cpu"].append(f"| {name} | {steps[name]} | {plain_cpu:.3f} | " + " | ".join(
            f"{100 * (medians[v][1] / plain_cpu - 1):+.1f}%" for v in VARIANTS[1:]) + " |")
        rows["ms"].append(f"| {name} | " + " | ".join(
            f"{1000 * (medians[v][0] - plain_wall):+.0f} / "
            f"{1000 * (medians[v][1] - plain_cpu):+.0f}" for v in VARIANTS[1:]) + " |")
    return [
        "Wall clock, overhead per epoch against `plain`:", "",
        f"| recipe | steps/epoch | plain s/epoch | {head} |",
        "|---|---:|---:|" + "---:|" * (len(VARIANTS) - 1), *rows["wall"], "",
        "CPU seconds of this process, overhead per epoch against `plain`:", "",
        f"| recipe | steps/epoch | plain CPU s/epoch | {head} |",
        "|---|---:|---:|" + "---:|" * (len(VARIANTS) - 1), *rows["cpu"], "",
        "Extra milliseconds per epoch against `plain`, wall / CPU:", "",
        f"| recipe | {head} |", "|---|" + "---:|" * (len(VARIANTS) - 1), *rows["ms"],
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=None,
                        help="recipes to time (default: every one)")
    parser.add_argument("--dataset", default=training.DEFAULT_DATASET)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--epochs", type=int, default=3,
                        help="epochs per run; the first is left out (default: 3)")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md's section")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error(f"--epochs must be at least 2 (the first is left out). "
                     f"Received: --epochs {args.epochs}")
    start = time.perf_counter()
    families = [Family(name, args.dataset, args.batch_size, seed=0)
                for name in (args.recipes or nnrecipes.list_recipes())]
    times = measure(families, args.rounds, args.epochs)
    steps = {f.name: -(-len(f.splits.x_train) // args.batch_size) for f in families}
    command = "python benchmarks/overhead.py " + " ".join(argv or [])
    body = "\n".join([
        f"Command: `{command.strip()}` ({time.strftime('%Y-%m-%d')}; dataset "
        f"`{args.dataset}`, batch {args.batch_size}, {args.rounds} interleaved rounds of "
        f"{args.epochs}-epoch runs, first epoch of each left out; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Keras {keras.__version__}; "
        f"{time.perf_counter() - start:.0f} s in all). The machine was shared with other "
        "jobs: read the ratios, measured side by side, rather than the seconds.", "",
        *tables(times, steps)])
    print(body)
    if args.write:
        results_file.write_section("<!-- overhead:begin -->", "<!-- overhead:end -->", body,
                                   "Training overheads")
    return times


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
