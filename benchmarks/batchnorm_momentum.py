"""Short runs with BatchNorm momentum 0.99 (Keras's default) against 0.9 (the recipes').

The CNN recipe trains on scikit-learn's digits for a few epochs with each
momentum, same seed and batches, and prints test accuracy side by side: with
0.99 the moving statistics lag the weights, so a short run evaluates far worse
than it trains.

Run: python benchmarks/batchnorm_momentum.py [--epochs 3 6]
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import nnrecipes  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[3, 6])
    args = parser.parse_args()
    splits = nnrecipes.data.load("digits")
    train, val, test = nnrecipes.data.as_datasets(splits, batch_size=64, seed=0)
    print("epochs  momentum 0.99  momentum 0.9  (test accuracy, cnn recipe, digits)")
    for epochs in args.epochs:
        scores = []
        for momentum in (0.99, 0.9):
            keras.utils.set_random_seed(0)
            model = nnrecipes.build("cnn", num_classes=splits.num_classes,
                                    **nnrecipes.data.preprocessing_for(splits))
            for layer in model.layers:
                if isinstance(layer, keras.layers.BatchNormalization):
                    layer.momentum = momentum
            model.fit(train, validation_data=val, epochs=epochs, verbose=0)
            scores.append(model.evaluate(test, verbose=0, return_dict=True)["accuracy"])
        print(f"{epochs:6d}  {scores[0]:13.3f}  {scores[1]:12.3f}")


if __name__ == "__main__":
    main()
