"""CNN on Fashion-MNIST (28x28 clothing images, 10 classes).

Three convolution blocks (16-32-64 filters, two 3x3 convolutions each, batch
normalization, max pooling, light dropout) and a dense layer, trained with Adam and
a cosine learning-rate decay. The model's first layer normalizes raw pixels
(0-255), so the export takes raw images. Target: >= 93% test accuracy in under
10 minutes on 2 CPU cores.

`--epochs` is the most epochs the 10-minute budget allows; the weights of the
epoch with the best validation accuracy are kept (never chosen on test).

Also prints the classical baselines of its kind, trained on the same split
(`nnrecipes.baselines`), beside its own score.

Run: python recipes/cnn_fashion_mnist.py [--data-dir D] [--epochs N]
"""

import argparse
import json

import nnrecipes

parser = argparse.ArgumentParser(description="CNN on Fashion-MNIST.")
parser.add_argument("--data-dir", help="folder with fashion_mnist/ (default: $NNRECIPES_DATA_DIR)")
parser.add_argument("--epochs", type=int, default=14)
parser.add_argument("--export-dir", default="saved_models")
args = parser.parse_args()

# The cosine decay spans the whole run; the epoch with the best validation
# accuracy is kept. The training-health diagnostics are left off to keep
# within the 10-minute budget on 2 CPU cores.
result = nnrecipes.train(
    "cnn", "fashion_mnist", data_dir=args.data_dir, epochs=args.epochs, batch_size=128,
    export_dir=args.export_dir, filters=16, conv_blocks=3, convs_per_block=2,
    dense_units=128, dropout=0.1, learning_rate=2e-3, lr_schedule="cosine",
    diagnostics=False, patience=3, monitor="val_accuracy", verbose=2)
print(f"test accuracy: {result.test_metrics['accuracy']:.4f}")
splits = nnrecipes.data.load("fashion_mnist", data_dir=args.data_dir)
# Classical models on the same split (nnrecipes.baselines), the strongest first.
baselines = nnrecipes.baselines.classical(splits)
best = nnrecipes.baselines.best(baselines)
print(f"baselines, same test split: {nnrecipes.baselines.summary_line(baselines)}")
print(f"exported to: {result.export_path}")
print("RESULT " + json.dumps({"metric": "accuracy", "value": result.test_metrics["accuracy"],
                             "baseline": {"name": best["name"], "score": best["score"]},
                             "epochs": len(result.history.epoch),
                             "best_epoch": result.manifest["early_stopping"]["kept_epoch"]}))
