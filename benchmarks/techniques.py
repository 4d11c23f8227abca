"""Each training technique alone against the plain recipe, side by side.

A recipe (`--recipe`, the CNN by default) trains on a dataset of the
catalog once per technique and seed, same seeds and batches, through the
engine (`nnrecipes.engine.fit`), so augmentation, MixUp and CutMix apply to
the training batches only, and EMA weights are swapped in for validation.

Two modes:

- default (`--patience 0`): early stopping off; the table gives the last
  epoch's validation accuracy and loss, each as a ratio to the plain run,
  and the training time as a ratio (scikit-learn's digits).
- `--patience N`: early stopping on validation accuracy with the best
  epoch's weights kept, as `train` does. The table adds the kept epoch, the
  epochs run, test accuracy beside validation accuracy (choices are read
  off validation; test is reported beside it), seconds per epoch, and two
  rows every technique is read against: the keras-io "Simple MNIST convnet"
  (same epochs, same early stopping) and the plain recipe with a fixed
  budget (early stopping off). `--train-subset N` trains on a stratified
  N-example part of the training split (validation and test stay whole);
  `--settings fashion_recipe` (or `trec_recipe`) uses the model and schedule of
  `recipes/cnn_fashion_mnist.py` (`recipes/transformer_trec.py`); the keras-io
  row is there for images only. With EMA, the test accuracy after
  recomputing BatchNormalization's statistics under the averaged weights is
  given too.

The validation loss of label smoothing is not comparable (it scores
against smoothed targets).

Run: python benchmarks/techniques.py [--dataset digits] [--epochs 15] [--seeds 0 1]
     python benchmarks/techniques.py --dataset fashion_mnist --train-subset 12000 \
         --settings fashion_recipe --epochs 15 --patience 4 --seeds 0 --batch-size 128 \
         --only 'ema (0.99)' augment=flip_translate random_erasing=0.25 mixup=0.2 \
         cutmix=1.0 'flip_translate + erasing + ema' --write
     python benchmarks/techniques.py --recipe transformer --dataset trec \
         --settings trec_recipe --epochs 15 --patience 3 --batch-size 32 \
         --seeds 0 1 --only label_smoothing=0.1 --write
"""

import argparse
import dataclasses
import os
import shlex
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import nnrecipes  # noqa: E402
from nnrecipes.data.catalog import stratified_split  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_file  # noqa: E402
from efficiency import keras_io_convnet  # noqa: E402


TECHNIQUES = {
    "plain": {},
    "label_smoothing=0.1": {"label_smoothing": 0.1},
    "weight_decay=0.05": {"weight_decay": 0.05},
    "ema (0.99)": {"ema": True, "ema_momentum": 0.99},
    "gradient_accumulation=2": {"gradient_accumulation_steps": 2},
    "cosine + warmup": {"lr_schedule": "cosine", "warmup_steps": "10%"},
    "augment=translate": {"augment": "translate"},
    "augment=flip_translate": {"augment": "flip_translate"},
    "augment=randaugment": {"augment": "randaugment"},
    "random_erasing=0.25": {"random_erasing": 0.25},
    "mixup=0.2": {"mixup": 0.2},
    "cutmix=1.0": {"cutmix": 1.0},
    "flip_translate + erasing + ema": {"augment": "flip_translate", "random_erasing": 0.25,
                                       "ema": True, "ema_momentum": 0.99},
}
# The model and schedule of recipes/cnn_fashion_mnist.py (its batch size is
# --batch-size 128) and recipes/transformer_trec.py (--batch-size 32).
SETTINGS = {
    "defaults": {},
    "trec_recipe": {"num_blocks": 1, "embed_dim": 128, "num_heads": 4, "ff_dim": 256,
                    "dropout": 0.3, "learning_rate": 5e-4},
    "fashion_recipe": {"filters": 16, "conv_blocks": 3, "convs_per_block": 2,
                       "dense_units": 128, "dropout": 0.1, "learning_rate": 2e-3,
                       "lr_schedule": "cosine"},
}
KERAS_IO = "keras-io convnet"
FIXED = "plain, fixed budget"


@dataclasses.dataclass
class Run:
    val_acc: float
    val_loss: float
    test_acc: float
    seconds: float
    epochs_run: int
    kept_epoch: int
    test_acc_bn: float = None  # EMA: after recomputing BatchNorm statistics


def subset(splits, n, seed):
    """`splits` with a stratified `n`-example part of the training split."""
    if not n or n >= len(splits.x_train):
        return splits
    x, y, _, _ = stratified_split(
        splits.x_train, splits.y_train, 1 - n / len(splits.x_train), seed=seed)
    return dataclasses.replace(splits, x_train=x, y_train=y)


def run(splits, name, values, *, recipe, settings, epochs, seed, batch_size, patience):
    """Trains once; returns a `Run`."""
    if name == KERAS_IO:
        keras.utils.set_random_seed(seed)
        model = keras_io_convnet(splits.x_train.shape[1:], splits.num_classes)
        values = {}
    else:
        values = dict(SETTINGS[settings], **values)
        if values.get("warmup_steps") == "10%":
            steps = epochs * -(-len(splits.x_train) // batch_size)
            values.update(decay_steps=steps, warmup_steps=max(1, steps // 10))
        values, _ = nnrecipes.engine.run_hyperparameters(
            nnrecipes.get_recipe(recipe), splits, values, epochs=epochs, batch_size=batch_size)
        model = nnrecipes.engine.build_model(nnrecipes.get_recipe(recipe), splits, values,
                                             seed=seed)
    result = nnrecipes.engine.fit(
        model, splits, epochs=epochs, batch_size=batch_size, seed=seed,
        patience=0 if name == FIXED else patience, monitor="val_accuracy",
        augmentation=nnrecipes.families.knobs.augmentation_values(
            values, splits.kind, nnrecipes.engine.task_of(splits)))
    val = nnrecipes.engine.evaluate(model, splits, part="val", batch_size=batch_size)
    test = nnrecipes.engine.evaluate(model, splits, part="test", batch_size=batch_size)
    ran = len(result.history.epoch)
    kept = result.early_stopping["kept_epoch"] if result.early_stopping else ran
    outcome = Run(val["accuracy"], val["loss"], test["accuracy"], result.seconds, ran, kept)
    if values.get("ema"):
        nnrecipes.engine.recompute_batch_norm_statistics(model, splits.x_train,
                                                         batch_size=batch_size)
        outcome.test_acc_bn = nnrecipes.engine.evaluate(
            model, splits, part="test", batch_size=batch_size)["accuracy"]
    return outcome


def mean_run(runs):
    return Run(*[None if any(v is None for v in column) else statistics.mean(column)
                 for column in zip(*(dataclasses.astuple(r) for r in runs))])


def ratio_table(results, args):
    base = results["plain"]
    lines = [f"{args.recipe} recipe, {args.dataset}, {args.epochs} epochs, "
             f"mean of seeds {args.seeds}; "
             "validation split",
             f"{'technique':30s} {'val acc':>8s} {'x plain':>8s} {'val loss':>9s} "
             f"{'x plain':>8s} {'time x':>7s}"]
    for name, r in results.items():
        lines.append(f"{name:30s} {r.val_acc:8.3f} {r.val_acc / base.val_acc:8.3f} "
                     f"{r.val_loss:9.3f} {r.val_loss / base.val_loss:8.3f} "
                     f"{r.seconds / base.seconds:7.2f}")
    return "\n".join(lines)


def markdown_table(results, keras_io_epoch):
    base = results["plain"]
    ema = any(r.test_acc_bn is not None for r in results.values())
    head = ["config", "val acc", "test acc", *(["test acc, EMA + BN recomputed"] if ema else []),
            "kept epoch", "epochs run", "s/epoch", "time x plain",
            *(["time in keras-io epochs"] if keras_io_epoch else [])]
    rows = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for name, r in results.items():
        cells = [name, f"{r.val_acc:.4f}", f"{r.test_acc:.4f}"]
        if ema:
            cells.append(f"{r.test_acc_bn:.4f}" if r.test_acc_bn is not None else "")
        cells += [f"{r.kept_epoch:g}", f"{r.epochs_run:g}", f"{r.seconds / r.epochs_run:.1f}",
                  f"{r.seconds / base.seconds:.2f}"]
        if keras_io_epoch:
            cells.append(f"{r.seconds / keras_io_epoch:.1f}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", default="cnn")
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--data-dir")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--patience", type=int, default=0,
                        help="early stopping on val_accuracy (0: off, last epoch kept)")
    parser.add_argument("--train-subset", type=int, default=0,
                        help="train on a stratified part of this many examples (0: all)")
    parser.add_argument("--settings", choices=sorted(SETTINGS), default="defaults")
    parser.add_argument("--only", nargs="*", help="names from the table to run (and plain)")
    parser.add_argument("--write", action="store_true", help="write the table to RESULTS.md")
    args = parser.parse_args()
    unknown = set(args.only or []) - set(TECHNIQUES) - {KERAS_IO, FIXED}
    if unknown:
        parser.error(f"unknown names {sorted(unknown)}; valid: {list(TECHNIQUES)}")
    splits = subset(nnrecipes.data.load(args.dataset, data_dir=args.data_dir),
                    args.train_subset, seed=0)
    names = [n for n in TECHNIQUES if not args.only or n == "plain" or n in args.only]
    image = splits.kind == "image"
    if args.patience:
        names = [KERAS_IO, FIXED, *names] if image else [FIXED, *names]
    common = dict(recipe=args.recipe, settings=args.settings, batch_size=args.batch_size,
                  patience=args.patience)
    run(splits, "plain", {}, epochs=1, seed=0, **common)  # warm-up, not timed
    if args.patience and image:
        run(splits, KERAS_IO, {}, epochs=1, seed=0, **common)
    results = {}
    for name in names:
        results[name] = mean_run([
            run(splits, name, TECHNIQUES.get(name, {}), epochs=args.epochs, seed=s, **common)
            for s in args.seeds])
        print(f"done {name}: {results[name]}", flush=True)
    if not args.patience:
        print(ratio_table(results, args))
        return
    keras_io = results.get(KERAS_IO)
    keras_io_epoch = keras_io.seconds / keras_io.epochs_run if keras_io else None
    head = (f"{args.recipe} recipe ({args.settings} settings), {args.dataset}, "
            f"{len(splits.x_train)} training examples, validation {len(splits.x_val)}, "
            f"test {len(splits.x_test)}; at most {args.epochs} epochs, early stopping on "
            f"val_accuracy with patience {args.patience} (best epoch kept), batch "
            f"{args.batch_size}, mean of seeds {args.seeds}.")
    if keras_io:
        head += f" One keras-io convnet epoch here: {keras_io_epoch:.1f} s."
    table = markdown_table(results, keras_io_epoch)
    print(head)
    print(table)
    if args.write:
        command = "python benchmarks/techniques.py " + shlex.join(sys.argv[1:])
        section = f"techniques-{args.dataset.replace('_', '-')}"
        results_file.write_section(f"<!-- {section}:begin -->", f"<!-- {section}:end -->",
                                   f"Command: `{command}`\n\n{head}\n\n{table}",
                                   f"Training techniques on {args.dataset}")


if __name__ == "__main__":
    main()
