"""Accuracy and wall time of each family on TensorFlow against JAX, same seed.

Each (recipe, dataset) row trains with `nnrecipes.train` (short runs, no
export, seed 0) once per Keras backend, each in its own subprocess
(`KERAS_BACKEND=...`), interleaved, and reports the test metric and the
training wall time side by side. With `--write`, the table replaces the
"Backends" section of benchmarks/RESULTS.md.

    python benchmarks/backends.py --data-dir ../shared/data [--epochs 5] [--write]
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("tensorflow", "jax")
# Catalog data each family trains on in a short run.
ROWS = (("mlp", "breast_cancer"), ("mlp", "digits"), ("cnn", "digits"), ("tabm", "wine"),
        ("rnn", "airline_passengers"), ("gru", "airline_passengers"),
        ("lstm", "airline_passengers"), ("transformer", "airline_passengers"))
BEGIN, END = "<!-- backends:begin -->", "<!-- backends:end -->"

CHILD = """
import json, sys, time
import keras, nnrecipes
recipe, dataset, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
result = nnrecipes.train(recipe, dataset, epochs=epochs, export=False, seed=0, verbose=0,
                         data_dir=sys.argv[4] or None)
seconds = time.perf_counter() - start
print("RESULT " + json.dumps({"backend": keras.backend.backend(), "seconds": seconds,
                              "metrics": {k: float(v) for k, v in result.test_metrics.items()},
                              "task": result.manifest["task"]}))
"""


def run_one(backend, recipe, dataset, epochs, data_dir):
    """Trains one row on one backend in a fresh process; returns its record."""
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, recipe, dataset, str(epochs),
                           data_dir or ""], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        return {"backend": backend, "error": (done.stderr.strip().splitlines() or ["?"])[-1],
                "process_seconds": wall}
    record = json.loads(lines[-1][len("RESULT "):])
    record["process_seconds"] = wall
    return record


def metric_of(record):
    """`(name, value)`: accuracy for classification, RMSE for regression."""
    metrics = record["metrics"]
    if record["task"] == "classification":
        return "accuracy", metrics["accuracy"]
    if "rmse" in metrics:
        return "RMSE", metrics["rmse"]
    return "MSE loss", metrics["loss"]


def table(rows, epochs):
    lines = [f"Test metric and training time (`nnrecipes.train`, {epochs} epochs, seed 0, "
             "no export), each backend in its own process:", "",
             "| recipe | dataset | metric | TensorFlow | JAX | TF train s | JAX train s |",
             "|---|---|---|---|---|---|---|"]
    for (recipe, dataset), records in rows:
        tf_rec, jax_rec = records["tensorflow"], records["jax"]
        if "error" in tf_rec or "error" in jax_rec:
            errors = "; ".join(f"{r['backend']}: {r['error']}" for r in (tf_rec, jax_rec)
                               if "error" in r)
            lines.append(f"| {recipe} | {dataset} | error | {errors} | | | |")
            continue
        name, tf_value = metric_of(tf_rec)
        _, jax_value = metric_of(jax_rec)
        lines.append(f"| {recipe} | {dataset} | {name} | {tf_value:.4f} | {jax_value:.4f} | "
                     f"{tf_rec['seconds']:.1f} | {jax_rec['seconds']:.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("NNRECIPES_DATA_DIR"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--only", default="", help="recipe:dataset,... (default: all rows)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    wanted = [tuple(item.split(":")) for item in args.only.split(",") if item]
    rows = []
    for recipe, dataset in wanted or ROWS:
        records = {b: run_one(b, recipe, dataset, args.epochs, args.data_dir)
                   for b in BACKENDS}
        rows.append(((recipe, dataset), records))
        print(json.dumps({"recipe": recipe, "dataset": dataset, **records}), flush=True)
    text = table(rows, args.epochs)
    print(text)
    if args.write:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from results_file import write_section

        write_section(BEGIN, END, text, "Backends")


if __name__ == "__main__":
    main()
