"""Is the input pipeline ever the bottleneck? Pipeline alone vs the CNN recipe.

Measures, on Fashion-MNIST with the batch size and model of
`recipes/cnn_fashion_mnist.py`:

1. how many batches per second the training `tf.data` pipeline alone
   delivers (`nnrecipes.data.as_datasets`: cached, seeded shuffle, batched,
   prefetched), after one warm-up pass that fills the cache;
2. how many batches per second the CNN consumes in training steps (`fit`
   over a fixed number of batches held in memory, after a warm-up).

The pipeline must be at least 10 times faster. With `--write` the figures go
into the "Input pipeline" section of `benchmarks/RESULTS.md`.

Run: python benchmarks/input_pipeline.py [--data-dir D] [--steps N] [--write]
"""

import argparse
import os
import platform
import time

import numpy as np

import nnrecipes
import results_file

BEGIN, END = "<!-- input-pipeline:begin -->", "<!-- input-pipeline:end -->"
CNN = dict(filters=16, conv_blocks=3, convs_per_block=2, dense_units=128, dropout=0.1)
BATCH = 128


def pipeline_rate(splits, steps):
    train, _, _ = nnrecipes.data.as_datasets(splits, batch_size=BATCH, seed=0)
    for _ in train:  # warm-up: one full pass fills the cache
        pass
    count, start = 0, time.perf_counter()
    while count < steps:
        for _ in train:
            count += 1
            if count >= steps:
                break
    return count / (time.perf_counter() - start)


def model_rate(splits, steps):
    import tensorflow as tf

    kwargs = nnrecipes.data.preprocessing_for(splits)
    model = nnrecipes.build("cnn", num_classes=splits.num_classes, **kwargs, **CNN)
    x = splits.x_train[: BATCH * steps]
    y = splits.y_train[: BATCH * steps]
    # Batches already in memory as tensors: this measures the model alone.
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH).cache()
    for _ in batches:
        pass
    model.fit(batches.take(5), epochs=1, verbose=0)  # warm-up: tracing
    start = time.perf_counter()
    model.fit(batches, epochs=1, verbose=0)
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description="Input pipeline vs model throughput.")
    parser.add_argument("--data-dir", help="folder with fashion_mnist/ "
                                           "(default: $NNRECIPES_DATA_DIR)")
    parser.add_argument("--steps", type=int, default=60, help="model steps timed")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    splits = nnrecipes.data.load("fashion_mnist", data_dir=args.data_dir)
    model = model_rate(splits, args.steps)
    pipeline = pipeline_rate(splits, max(2000, 40 * args.steps))
    ratio = pipeline / model
    verdict = "PASS" if ratio >= 10 else "FAIL"
    text = (
        f"Fashion-MNIST, batch {BATCH}, CNN recipe {CNN}; {os.cpu_count()} CPU cores "
        f"({platform.machine()}), {time.strftime('%Y-%m-%d')}.\n\n"
        f"| what | batches/s |\n|---|---|\n"
        f"| `tf.data` pipeline alone (cache, shuffle, batch, prefetch) | {pipeline:,.0f} |\n"
        f"| CNN training steps (batches in memory) | {model:,.1f} |\n"
        f"| ratio | {ratio:,.0f}x ({verdict}: needs >= 10x) |\n\n"
        f"Command: `python benchmarks/input_pipeline.py --steps {args.steps} --write`"
    )
    print(text)
    if args.write:
        results_file.write_section(BEGIN, END, text, "Input pipeline")
    return 0 if ratio >= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
