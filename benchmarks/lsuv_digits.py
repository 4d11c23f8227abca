"""Figure for the report, not a test: validation accuracy of a deep MLP on
scikit-learn's digits after 3 epochs, with and without LSUV.

Run: `python benchmarks/lsuv_digits.py`
(about a minute on 2 CPU cores).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main():
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    import keras

    import nnrecipes

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.3, random_state=0,
                                                      stratify=y)
    for activation in ("tanh", "relu"):
        for lsuv in (False, True):
            scores = []
            for seed in (0, 1, 2):
                keras.utils.set_random_seed(seed)
                model = nnrecipes.build(
                    "mlp", input_shape=(64,), num_classes=10, num_layers=8, units=64,
                    activation=activation, dropout=0.0, kernel_initializer="glorot_uniform",
                    optimizer="sgd", learning_rate=0.01, momentum=0.9)
                if lsuv:
                    nnrecipes.initializers.lsuv_init(model, x_train[:512], seed=seed)
                model.fit(x_train, y_train, epochs=3, batch_size=64, verbose=0)
                scores.append(model.evaluate(x_val, y_val, verbose=0,
                                             return_dict=True)["accuracy"])
            runs = ", ".join(f"{s:.3f}" for s in scores)
            print(f"{activation:5s} lsuv={lsuv!s:5s} val accuracy after 3 epochs: "
                  f"mean {np.mean(scores):.3f} ({runs})")


if __name__ == "__main__":
    main()
