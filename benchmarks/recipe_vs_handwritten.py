"""Training throughput: the recipe-built CNN against the same CNN written by hand.

Both models train in the same process, in interleaved rounds of the same number
of steps on the same batches, in ABBA order, so machine noise hits both alike; the
script prints examples/second per round, the ratio of the medians and the
median of the per-round ratios (recipe / hand).

    python benchmarks/recipe_vs_handwritten.py [--data-dir ../shared/data]
        [--batch-size 128] [--steps 10] [--rounds 20]

With Fashion-MNIST found (`--data-dir` or NNRECIPES_DATA_DIR) it uses its
28x28 images; otherwise scikit-learn's 8x8 digits.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import nnrecipes  # noqa: E402


def handwritten_cnn(input_shape, num_classes):
    """The CNN recipe's default architecture, written out in plain Keras."""
    inputs = keras.Input(input_shape)
    x = inputs
    for block, filters in enumerate((32, 64, 128)):
        for _ in range(2):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False,
                                    kernel_initializer="he_normal")(x)
            x = keras.layers.BatchNormalization(momentum=0.9)(x)
            x = keras.layers.Activation("relu")(x)
        if min(x.shape[1:3]) >= 2:
            x = keras.layers.MaxPooling2D(2)(x)
        x = keras.layers.Dropout(0.25)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(128, use_bias=False, kernel_initializer="he_normal")(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.Activation("relu")(x)
    x = keras.layers.Dropout(0.25)(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def load_images(data_dir):
    try:
        splits = nnrecipes.data.load("fashion_mnist", data_dir=data_dir)
    except (ValueError, FileNotFoundError):
        splits = nnrecipes.data.load("digits")
    x = splits.x_train / (255.0 if splits.name == "fashion_mnist" else 16.0)
    return splits.name, x.astype("float32"), splits.y_train, splits.num_classes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed round")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    name, x, y, num_classes = load_images(args.data_dir)
    dataset = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000, seed=0)
               .batch(args.batch_size, drop_remainder=True).repeat().prefetch(tf.data.AUTOTUNE))
    keras.utils.set_random_seed(0)
    models = {
        "recipe": nnrecipes.build("cnn", input_shape=x.shape[1:], num_classes=num_classes),
        "handwritten": handwritten_cnn(x.shape[1:], num_classes),
    }
    counts = {k: m.count_params() for k, m in models.items()}
    assert counts["recipe"] == counts["handwritten"], f"architectures differ: {counts}"
    for model in models.values():  # warm up: trace and build the train function
        model.fit(dataset, epochs=1, steps_per_epoch=3, verbose=0)
    rates = {k: [] for k in models}
    cpu_rates = {k: [] for k in models}
    order = list(models)
    examples = args.steps * args.batch_size
    for _ in range(args.rounds):
        for key in order:
            start, cpu_start = time.perf_counter(), time.process_time()
            models[key].fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0)
            rates[key].append(examples / (time.perf_counter() - start))
            cpu_rates[key].append(examples / (time.process_time() - cpu_start))
        order.reverse()  # ABBA order, so a drift in machine load favours neither
    medians = {k: statistics.median(v) for k, v in rates.items()}
    paired = statistics.median(r / h for r, h in zip(rates["recipe"], rates["handwritten"]))
    cpu = {k: statistics.median(v) for k, v in cpu_rates.items()}
    print(f"dataset={name} input={x.shape[1:]} batch={args.batch_size} "
          f"steps/round={args.steps} rounds={args.rounds} params={counts['recipe']}")
    for key, values in rates.items():
        print(f"{key:12s} examples/s per round: {', '.join(f'{v:.0f}' for v in values)}"
              f"  median {medians[key]:.0f}")
    print(f"throughput ratio recipe/handwritten: {medians['recipe'] / medians['handwritten']:.3f} "
          f"(ratio of medians), {paired:.3f} (median of paired rounds)")
    # Where the machine's speed jumps between rounds (shared or throttled cores),
    # examples per CPU-second are steadier than examples per wall-second.
    print(f"examples per CPU-second: recipe {cpu['recipe']:.0f}, handwritten "
          f"{cpu['handwritten']:.0f}, ratio {cpu['recipe'] / cpu['handwritten']:.3f}")


if __name__ == "__main__":
    main()
