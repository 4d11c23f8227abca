"""MLP on UCI Adult (census income > $50K, 14 mixed numeric/categorical columns).

The model's first layer (`nnrecipes.data.TabularEncoder`, adapted on the
training rows) standardizes the numeric columns and one-hot encodes the
categorical ones, so the export takes a raw row of 14 strings, e.g.
`["39", "State-gov", "77516", "Bachelors", ...]`. The weights of the epoch with
the lowest validation loss are kept. Target: >= 85% test accuracy.

Also prints the classical baselines of its kind, trained on the same split
(`nnrecipes.baselines`), beside its own score.

Run: python recipes/mlp_adult.py [--data-dir D] [--epochs N]
"""

import argparse
import json

import nnrecipes

parser = argparse.ArgumentParser(description="MLP on UCI Adult.")
parser.add_argument("--data-dir", help="folder with tabular/adult/ (default: $NNRECIPES_DATA_DIR)")
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--export-dir", default="saved_models")
args = parser.parse_args()

result = nnrecipes.train(
    "mlp", "adult", data_dir=args.data_dir, epochs=args.epochs, batch_size=256,
    export_dir=args.export_dir, num_layers=2, units=128, dropout=0.3,
    patience=3, verbose=2)
splits = nnrecipes.data.load("adult", data_dir=args.data_dir)
majority = splits.majority_accuracy()
print(f"test accuracy: {result.test_metrics['accuracy']:.4f} "
      f"(majority class: {majority:.4f})")
# Classical models on the same split (nnrecipes.baselines), the strongest first.
baselines = nnrecipes.baselines.classical(splits)
best = nnrecipes.baselines.best(baselines)
print(f"baselines, same test split: {nnrecipes.baselines.summary_line(baselines)}")
print(f"exported to: {result.export_path}")
print("RESULT " + json.dumps({"metric": "accuracy", "value": result.test_metrics["accuracy"],
                             "majority_accuracy": majority,
                             "baseline": {"name": best["name"], "score": best["score"]},
                             "epochs": len(result.history.epoch)}))
