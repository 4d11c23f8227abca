"""Transformer encoder on SST-2 (binary sentence sentiment), trained from scratch.

No pretrained embeddings: a `TextVectorization` adapted on the training
sentences tokenizes raw text inside the model, so the export takes raw
sentences. The weights of the epoch with the best validation accuracy are
kept. Target: >= 83% test accuracy (Kim 2014, CNN-rand: 82.7%).

Also prints the classical baselines of its kind, trained on the same split
(`nnrecipes.baselines`), beside its own score.

Run: python recipes/transformer_sst2.py [--data-dir D] [--epochs N]
"""

import argparse
import json

import nnrecipes

parser = argparse.ArgumentParser(description="Transformer on SST-2.")
parser.add_argument("--data-dir", help="folder with sentence_cls/ (default: $NNRECIPES_DATA_DIR)")
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--export-dir", default="saved_models")
args = parser.parse_args()

result = nnrecipes.train(
    "transformer", "sst2", data_dir=args.data_dir, epochs=args.epochs, batch_size=32,
    export_dir=args.export_dir, num_blocks=1, embed_dim=128, num_heads=4, ff_dim=256,
    dropout=0.3, pooling="max", patience=3, monitor="val_accuracy", verbose=2)
print(f"test accuracy: {result.test_metrics['accuracy']:.4f}")
splits = nnrecipes.data.load("sst2", data_dir=args.data_dir)
# Classical models on the same split (nnrecipes.baselines), the strongest first.
baselines = nnrecipes.baselines.classical(splits)
best = nnrecipes.baselines.best(baselines)
print(f"baselines, same test split: {nnrecipes.baselines.summary_line(baselines)}")
print(f"exported to: {result.export_path}")
print("RESULT " + json.dumps({"metric": "accuracy", "value": result.test_metrics["accuracy"],
                             "baseline": {"name": best["name"], "score": best["score"]},
                             "epochs": len(result.history.epoch)}))
