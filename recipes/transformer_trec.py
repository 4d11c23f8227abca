"""Transformer encoder on TREC (6 question types), trained from scratch.

A `TextVectorization` adapted on the training questions tokenizes raw text
inside the model, so the export takes raw questions. The weights of the epoch
with the best validation accuracy are kept. Target: >= 90% test
accuracy (Kim 2014, CNN-rand: 91.2%).

Also prints the classical baselines of its kind, trained on the same split
(`nnrecipes.baselines`), beside its own score.

Run: python recipes/transformer_trec.py [--data-dir D] [--epochs N]
"""

import argparse
import json

import nnrecipes

parser = argparse.ArgumentParser(description="Transformer on TREC.")
parser.add_argument("--data-dir", help="folder with sentence_cls/ (default: $NNRECIPES_DATA_DIR)")
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument("--export-dir", default="saved_models")
args = parser.parse_args()

result = nnrecipes.train(
    "transformer", "trec", data_dir=args.data_dir, epochs=args.epochs, batch_size=32,
    export_dir=args.export_dir, num_blocks=1, embed_dim=128, num_heads=4, ff_dim=256,
    dropout=0.3, learning_rate=5e-4, patience=3, monitor="val_accuracy", verbose=2)
print(f"test accuracy: {result.test_metrics['accuracy']:.4f}")
splits = nnrecipes.data.load("trec", data_dir=args.data_dir)
# Classical models on the same split (nnrecipes.baselines), the strongest first.
baselines = nnrecipes.baselines.classical(splits)
best = nnrecipes.baselines.best(baselines)
print(f"baselines, same test split: {nnrecipes.baselines.summary_line(baselines)}")
print(f"exported to: {result.export_path}")
print("RESULT " + json.dumps({"metric": "accuracy", "value": result.test_metrics["accuracy"],
                             "baseline": {"name": best["name"], "score": best["score"]},
                             "epochs": len(result.history.epoch)}))
