"""GRU on the UCI SMS Spam Collection (ham or spam).

The model's first layer (a `TextVectorization` adapted on the training
messages) tokenizes raw text, so the export takes a raw message string.
Prints test accuracy beside the majority class's, and the recall of the spam
class. The weights of the epoch with the lowest validation loss are kept.
Target: >= 98.5% test accuracy.

Also prints the classical baselines of its kind, trained on the same split
(`nnrecipes.baselines`), beside its own score.

Run: python recipes/gru_sms_spam.py [--data-dir D] [--epochs N]
"""

import argparse
import json

import numpy as np

import nnrecipes

parser = argparse.ArgumentParser(description="GRU on SMS spam.")
parser.add_argument("--data-dir", help="folder with sms_spam/ (default: $NNRECIPES_DATA_DIR)")
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--export-dir", default="saved_models")
args = parser.parse_args()

result = nnrecipes.train(
    "gru", "sms_spam", data_dir=args.data_dir, epochs=args.epochs, batch_size=32,
    export_dir=args.export_dir, units=64, embedding_dim=64, bidirectional=True, dropout=0.2,
    patience=3, verbose=2)
splits = nnrecipes.data.load("sms_spam", data_dir=args.data_dir)
predicted = np.argmax(result.model.predict(nnrecipes.data.make_dataset(splits.x_test),
                                           verbose=0), axis=-1)
spam = splits.y_test == 1
recall = float((predicted[spam] == 1).mean())
majority = splits.majority_accuracy()
print(f"test accuracy: {result.test_metrics['accuracy']:.4f} (majority class: "
      f"{majority:.4f}), spam recall: {recall:.4f} "
      f"({int((predicted[spam] == 1).sum())}/{int(spam.sum())})")
# Classical models on the same split (nnrecipes.baselines), the strongest first.
baselines = nnrecipes.baselines.classical(splits)
best = nnrecipes.baselines.best(baselines)
print(f"baselines, same test split: {nnrecipes.baselines.summary_line(baselines)}")
print(f"exported to: {result.export_path}")
print("RESULT " + json.dumps({"metric": "accuracy", "value": result.test_metrics["accuracy"],
                             "spam_recall": recall, "majority_accuracy": majority,
                             "baseline": {"name": best["name"], "score": best["score"]},
                             "epochs": len(result.history.epoch)}))
