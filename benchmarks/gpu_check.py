"""The GPU check: every family trains on Keras-on-JAX, with and without bf16.

Made for a machine with JAX on CUDA and no TensorFlow (the device we are
sometimes lent); it installs nothing and imports no TensorFlow (it blocks the
import, so a hidden dependency fails loudly). Data are NumPy arrays. For each
family it trains `--steps` steps in float32 and in `mixed_bfloat16` and
measures the second pass over them (the first compiles); then it runs a
3-trial KerasTuner random search of the mlp. It prints one JSON line per row
(fixed keys, `ROW_KEYS`), then a markdown table ready for RESULTS.md.

FLOPs of a training step are 3x the forward pass's, as XLA's cost analysis of
the compiled forward pass counts them (the backward pass costs about twice
the forward); the share of peak divides the achieved FLOP/s by the chip's
dense peak for the precision (`PEAKS`: float32 rows use the TF32 tensor-core
peak, which XLA's default matmul precision uses on these GPUs). A chip not in
the table, and the CPU, report "unknown".

KerasTuner 1.4.8 imports without TensorFlow (its `backend` module falls back
to `os`/`shutil` for files), so the search runs as is.

    KERAS_BACKEND=jax python benchmarks/gpu_check.py [--steps 300] [--trials 3]
    KERAS_BACKEND=jax python benchmarks/gpu_check.py --steps 3 --trials 2 --small  # CPU smoke

DEVELOPERS.md says how to carry the wheels to the device machine and run it.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.modules["tensorflow"] = None  # the device has none: prove nothing needs it
os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import nnrecipes  # noqa: E402

# Dense peak FLOP/s by chip (vendor data sheets, SXM parts, no sparsity):
# {device_kind substring: {precision: peak}}.
PEAKS = {
    "H200": {"float32": 494.7e12, "mixed_bfloat16": 989.4e12},
    "H100": {"float32": 494.7e12, "mixed_bfloat16": 989.4e12},
    "A100": {"float32": 156e12, "mixed_bfloat16": 312e12},
    "L4": {"float32": 60e12, "mixed_bfloat16": 121e12},
    "TPU v4": {"float32": 275e12, "mixed_bfloat16": 275e12},
    "TPU v5 lite": {"float32": 197e12, "mixed_bfloat16": 197e12},
}
PRECISIONS = ("float32", "mixed_bfloat16")
ROW_KEYS = ("check", "device", "backend", "family", "precision", "batch_size", "steps",
            "step_ms", "examples_per_s", "tflops_per_s", "peak_share", "seconds", "result")
# family -> (input kind, input shape, build arguments): sizes that keep a GPU busy.
WORKLOADS = {
    "mlp": ("tabular", (64,), {}),
    "tabm": ("tabular", (64,), {}),
    "cnn": ("image", (32, 32, 3), {}),
    "rnn": ("sequence", (64, 16), {}),
    "lstm": ("sequence", (64, 16), {}),
    "gru": ("sequence", (64, 16), {}),
    "transformer": ("sequence", (128, 32), {"embed_dim": 128, "num_blocks": 2}),
}
SMALL = {"cnn": {"conv_blocks": 1}, "transformer": {"embed_dim": 16, "num_blocks": 1}}
FLOPS_FAMILIES = ("cnn", "transformer")
NUM_CLASSES = 10


def device_kind():
    """The first device's kind as JAX names it (e.g. "NVIDIA H200"), or "cpu"."""
    import jax

    device = jax.devices()[0]
    return "cpu" if device.platform == "cpu" else device.device_kind


def peak_flops(kind, precision):
    """The chip's dense peak for `precision`, or None when the chip is not known."""
    for name, peaks in PEAKS.items():
        if name.lower() in kind.lower():
            return peaks[precision]
    return None


def forward_flops(model, x):
    """FLOPs of one forward pass over `x`, counted by XLA from the compiled model."""
    import jax

    trainable = [v.value for v in model.trainable_variables]
    others = [v.value for v in model.non_trainable_variables]

    def forward(trainable, others, x):
        return model.stateless_call(trainable, others, x, training=False)[0]

    analysis = jax.jit(forward).lower(trainable, others, x).compile().cost_analysis()
    if isinstance(analysis, (list, tuple)):  # older jax: one dict per computation
        analysis = analysis[0] if analysis else {}
    flops = (analysis or {}).get("flops")
    return float(flops) if flops and flops > 0 else None


class _Batches(keras.utils.PyDataset):
    """`steps` batches of the same arrays: fixed, host-side NumPy input."""

    def __init__(self, x, y, steps):
        super().__init__()
        self.x, self.y, self.steps = x, y, steps

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        return self.x, self.y


class _EpochTimes(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start  # the logs synchronise


def train_row(family, precision, *, steps, batch_size, small, device):
    """Trains `family` for 2 x `steps` steps; a row timed on the second pass."""
    kind, shape, build = WORKLOADS[family]
    build = {**build, **(SMALL.get(family, {}) if small else {})}
    keras.config.set_dtype_policy(precision)
    try:
        keras.utils.set_random_seed(0)
        model = nnrecipes.build(family, input_shape=shape, num_classes=NUM_CLASSES, **build)
        rng = np.random.default_rng(0)
        x = rng.standard_normal((batch_size, *shape), dtype="float32")
        y = rng.integers(0, NUM_CLASSES, batch_size)
        timer = _EpochTimes()
        start = time.perf_counter()
        history = model.fit(_Batches(x, y, steps), epochs=2, verbose=0, callbacks=[timer])
        total = time.perf_counter() - start
        flops = forward_flops(model, x) if family in FLOPS_FAMILIES else None
    finally:
        keras.config.set_dtype_policy("float32")
    seconds = timer.seconds
    achieved = 3 * flops * steps / seconds if flops else None
    peak = peak_flops(device, precision)
    return dict(
        check="train", family=family, precision=precision, batch_size=batch_size,
        steps=steps, step_ms=round(1000 * seconds / steps, 3),
        examples_per_s=round(steps * batch_size / seconds, 1),
        tflops_per_s=round(achieved / 1e12, 4) if achieved else None,
        peak_share=(round(achieved / peak, 4) if achieved and peak else
                    ("unknown" if achieved else None)),
        seconds=round(total, 2), result=round(float(history.history["loss"][-1]), 4))


def tune_row(*, trials, steps, batch_size):
    """A `trials`-trial KerasTuner random search of the mlp's width, depth and rate."""
    import keras_tuner

    def build(hp):
        return nnrecipes.build(
            "mlp", input_shape=(64,), num_classes=2, units=hp.Int("units", 32, 512, sampling="log"),
            num_layers=hp.Int("num_layers", 1, 3),
            learning_rate=hp.Float("learning_rate", 1e-4, 1e-2, sampling="log"))

    rng = np.random.default_rng(1)
    x = rng.standard_normal((steps * batch_size, 64), dtype="float32")
    y = (x[:, :4].sum(axis=1) > 0).astype("int64")
    with tempfile.TemporaryDirectory() as folder:
        tuner = keras_tuner.RandomSearch(
            build,
            objective="val_loss", max_trials=trials, seed=0, directory=folder,
            project_name="gpu_check", overwrite=True)
        start = time.perf_counter()
        tuner.search(x, y, validation_split=0.25, epochs=2, batch_size=batch_size, verbose=0)
        seconds = time.perf_counter() - start
        done = len(tuner.oracle.trials)
        best = tuner.oracle.get_best_trials(1)[0].score
    return dict(check="tune", family="mlp", precision="float32", batch_size=batch_size,
                steps=steps, seconds=round(seconds, 2),
                result=f"{done} trials, best val_loss {best:.4f}")


def markdown(rows):
    """The rows as a markdown table, as RESULTS.md holds them."""
    head = ("| device | family | precision | batch | step ms | examples/s | TFLOP/s "
            "| share of peak | s (incl. compile) |\n|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for row in rows:
        cells = [row["device"], row["family"] + (" (tune)" if row["check"] == "tune" else ""),
                 row["precision"], row["batch_size"], row["step_ms"], row["examples_per_s"],
                 row["tflops_per_s"], row["peak_share"], row["seconds"]]
        lines.append("| " + " | ".join("-" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="steps per timed pass")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--families", nargs="+", default=list(WORKLOADS),
                        choices=list(WORKLOADS))
    parser.add_argument("--small", action="store_true",
                        help="smaller cnn and transformer: a CPU smoke run")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.trials < 1 or args.batch_size < 1:
        parser.error(f"--steps, --trials and --batch-size must be positive. Received: "
                     f"--steps {args.steps} --trials {args.trials} "
                     f"--batch-size {args.batch_size}")
    device = device_kind()
    common = dict(device=device, backend=keras.backend.backend())
    rows = []
    start = time.perf_counter()
    for family in args.families:
        for precision in PRECISIONS:
            row = train_row(family, precision, steps=args.steps, batch_size=args.batch_size,
                            small=args.small, device=device)
            rows.append({key: {**common, **row}.get(key) for key in ROW_KEYS})
            print(json.dumps(rows[-1]), flush=True)
    row = tune_row(trials=args.trials, steps=args.steps, batch_size=args.batch_size)
    rows.append({key: {**common, **row}.get(key) for key in ROW_KEYS})
    print(json.dumps(rows[-1]), flush=True)
    print()
    print(markdown(rows))
    print(f"\ntotal {time.perf_counter() - start:.1f} s; tensorflow imported: "
          f"{sys.modules.get('tensorflow') is not None}")
    return rows


if __name__ == "__main__":
    main()
