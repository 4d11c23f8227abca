"""Prediction throughput and file size of each export format, side by side.

Exports two recipe models the way `recipes/` trains them (the CNN of
`cnn_fashion_mnist.py` on Fashion-MNIST images, the bidirectional GRU of
`gru_sms_spam.py` on SMS texts) with ONNX and LiteRT files, then times each
runtime on the same raw test inputs at batch 1 and batch 256, in one
process, one after the other: SavedModel (`serve`), ONNX Runtime and LiteRT
(`nnrecipes.export.Runner`; for text, ONNX and LiteRT include the NumPy
tokenization of `preprocessing.json`). Weights are untrained: speed does not
depend on their values. The runtimes take turns over several rounds and each
figure is the median of its rounds, so a machine shared with other jobs
shifts all of them alike; read the ratios against the SavedModel.

With `--write` the table goes into the "Export formats" section of
`benchmarks/RESULTS.md`.

Run: python benchmarks/export_formats.py [--data-dir D] [--seconds S] [--rounds R] [--write]
"""

import argparse
import datetime
import os
import platform
import tempfile
import time

import numpy as np

import nnrecipes
import results_file

BEGIN, END = "<!-- export-formats:begin -->", "<!-- export-formats:end -->"
MODELS = {
    "CNN, Fashion-MNIST": ("cnn", "fashion_mnist",
                           dict(filters=16, conv_blocks=3, convs_per_block=2, dense_units=128,
                                dropout=0.1)),
    "GRU, SMS spam": ("gru", "sms_spam",
                      dict(units=64, embedding_dim=64, bidirectional=True, dropout=0.2)),
}
BATCHES = (1, 256)


def rate(run, x, batch, seconds):
    """Examples per second of `run` on batches of `x`, over at least `seconds`."""
    batches = [x[i:i + batch] for i in range(0, len(x) - batch + 1, batch)] or [x[:batch]]
    run(batches[0])  # warm-up: tracing, allocation
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for b in batches:
            run(b)
            done += len(b)
    return done / (time.perf_counter() - start)


def size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path)
               for f in files)


def measure(label, recipe, dataset, hyperparameters, data_dir, seconds, rounds, base):
    splits = nnrecipes.data.load(dataset, data_dir=data_dir)
    model = nnrecipes.build(recipe, num_classes=splits.num_classes,
                            **nnrecipes.data.preprocessing_for(splits), **hyperparameters)
    path = nnrecipes.export.export_model(
        model, os.path.join(base, recipe),
        {"task": "classification", "class_names": splits.class_names,
         "dataset": splits.summary()}, formats=("onnx", "litert"))
    x = splits.x_test[:1024]
    saved_model_bytes = sum(size(os.path.join(path, n)) for n in ("saved_model.pb", "variables"))
    files = {"saved_model": saved_model_bytes,
             "onnx": size(os.path.join(path, "model.onnx")),
             "litert": size(os.path.join(path, "model.tflite"))}
    rows = []
    runners = {runtime: nnrecipes.export.Runner(path, runtime)
               for runtime in nnrecipes.export.RUNTIMES}
    measured = {}
    for round_ in range(rounds):
        for runtime, runner in runners.items():
            for batch in BATCHES:
                value = rate(runner, x, batch, seconds)
                measured.setdefault((runtime, batch), []).append(value)
                print(f"round {round_ + 1}: {label}, {runtime}, batch {batch}: "
                      f"{value:,.0f} examples/s", flush=True)
    rates = {key: float(np.median(values)) for key, values in measured.items()}
    for runtime in nnrecipes.export.RUNTIMES:
        cells = []
        for batch in BATCHES:
            ratio = rates[runtime, batch] / rates["saved_model", batch]
            cells.append(f"{rates[runtime, batch]:,.0f} ({ratio:.2f}x)")
        rows.append(f"| {label} | {runtime} | {' | '.join(cells)} | "
                    f"{files[runtime] / 1e6:.2f} ({files[runtime] / files['saved_model']:.2f}x) |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--seconds", type=float, default=1.5,
                        help="timing per runtime, batch size and round (default: 1.5)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds; figures are medians (default: 3)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as base:
        for label, (recipe, dataset, hyperparameters) in MODELS.items():
            rows += measure(label, recipe, dataset, hyperparameters, args.data_dir,
                            args.seconds, args.rounds, base)
    header = ["| model | runtime | batch 1: examples/s | batch 256: examples/s | "
              "file MB |", "|---|---|---|---|---|"]
    command = "python benchmarks/export_formats.py --data-dir ../shared/data"
    if args.seconds != 1.5:
        command += f" --seconds {args.seconds:g}"
    if args.rounds != 3:
        command += f" --rounds {args.rounds}"
    body = "\n".join([
        f"Raw test inputs through `nnrecipes.export.Runner`, medians of {args.rounds} "
        f"interleaved rounds, ratios against the SavedModel; {os.cpu_count()} CPU cores "
        f"({platform.machine()}), shared with other jobs; "
        f"{datetime.date.today().isoformat()}. For the GRU, ONNX and LiteRT include the "
        "tokenization in NumPy (`preprocessing.json`); the SavedModel tokenizes inside the "
        "graph. The SavedModel size is `saved_model.pb` plus `variables/` (for the GRU with "
        "its vocabulary table); the ONNX and LiteRT GRU files leave the vocabulary "
        "(`vocabulary.txt`) out.", "", *header, *rows, "", f"Command: `{command} --write`"])
    print(body)
    if args.write:
        results_file.write_section(BEGIN, END, body, "Export formats")


if __name__ == "__main__":
    main()
