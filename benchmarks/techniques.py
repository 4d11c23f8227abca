"""Each training technique alone against the plain recipe, side by side.

The CNN recipe trains on scikit-learn's digits (or another image dataset of
the catalog) once per technique and seed, same seeds and batches; the table
gives the last epoch's validation accuracy and loss (never test: these are
the numbers a choice would be made on), each as a ratio to the plain run, and
the training time as a ratio. It trains through the engine
(`nnrecipes.engine.fit`, early stopping off), so augmentation, MixUp and
CutMix apply to the training batches only, and EMA weights are swapped in
for validation. The validation loss of label smoothing is not comparable
(it scores against smoothed targets).

Run: python benchmarks/techniques.py [--dataset digits] [--epochs 15] [--seeds 0 1]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import nnrecipes  # noqa: E402

TECHNIQUES = {
    "plain": {},
    "label_smoothing=0.1": {"label_smoothing": 0.1},
    "weight_decay=0.05": {"weight_decay": 0.05},
    "ema (0.99)": {"ema": True, "ema_momentum": 0.99},
    "gradient_accumulation=2": {"gradient_accumulation_steps": 2},
    "cosine + warmup": {"lr_schedule": "cosine", "warmup_steps": "10%"},
    "augment=translate": {"augment": "translate"},
    "augment=randaugment": {"augment": "randaugment"},
    "random_erasing=0.25": {"random_erasing": 0.25},
    "mixup=0.2": {"mixup": 0.2},
    "cutmix=1.0": {"cutmix": 1.0},
}


def run(splits, techniques, *, epochs, seed, batch_size):
    """Trains once; returns (validation accuracy, validation loss, seconds)."""
    values = dict(techniques)
    if values.get("warmup_steps") == "10%":
        steps = epochs * -(-len(splits.x_train) // batch_size)
        values.update(decay_steps=steps, warmup_steps=max(1, steps // 10))
    keras.utils.set_random_seed(seed)
    model = nnrecipes.build("cnn", num_classes=splits.num_classes,
                            **nnrecipes.data.preprocessing_for(splits), **values)
    start = time.perf_counter()
    nnrecipes.engine.fit(model, splits, epochs=epochs, batch_size=batch_size, seed=seed,
                         patience=0, augmentation=values)
    seconds = time.perf_counter() - start
    scores = nnrecipes.engine.evaluate(model, splits, part="val", batch_size=batch_size)
    return scores["accuracy"], scores["loss"], seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--only", nargs="*", help="names from the table to run (and plain)")
    args = parser.parse_args()
    splits = nnrecipes.data.load(args.dataset)
    names = [n for n in TECHNIQUES if not args.only or n == "plain" or n in args.only]
    run(splits, {}, epochs=1, seed=0, batch_size=args.batch_size)  # warm-up, not timed
    results = {}
    for name in names:
        runs = [run(splits, TECHNIQUES[name], epochs=args.epochs, seed=s,
                    batch_size=args.batch_size) for s in args.seeds]
        results[name] = [statistics.mean(column) for column in zip(*runs)]
    base_acc, base_loss, base_time = results["plain"]
    print(f"cnn recipe, {args.dataset}, {args.epochs} epochs, mean of seeds {args.seeds}; "
          "validation split")
    print(f"{'technique':26s} {'val acc':>8s} {'x plain':>8s} {'val loss':>9s} "
          f"{'x plain':>8s} {'time x':>7s}")
    for name, (acc, loss, seconds) in results.items():
        print(f"{name:26s} {acc:8.3f} {acc / base_acc:8.3f} {loss:9.3f} "
              f"{loss / base_loss:8.3f} {seconds / base_time:7.2f}")


if __name__ == "__main__":
    main()
