"""Simple RNN forecasting tomorrow's minimum temperature in Melbourne from 30 days.

Chronological splits (1981-1986 train, then validation, then test, about
60/20/20), normalization fitted on the training period inside the model.
Prints test RMSE next to the persistence forecast (tomorrow = today).

The weights of the epoch with the lowest validation RMSE are kept.

Also prints the classical baselines of its kind, trained on the same split
(`nnrecipes.baselines`), beside its own score.

Run: python recipes/rnn_daily_min_temperatures.py [--data-dir D] [--epochs N]
"""

import argparse
import json

import nnrecipes

parser = argparse.ArgumentParser(description="Simple RNN on daily minimum temperatures.")
parser.add_argument("--data-dir", help="folder with timeseries/ (default: $NNRECIPES_DATA_DIR)")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--export-dir", default="saved_models")
args = parser.parse_args()

result = nnrecipes.train(
    "rnn", "daily_min_temperatures", data_dir=args.data_dir, epochs=args.epochs,
    batch_size=32, export_dir=args.export_dir, units=32, dropout=0.0,
    patience=3, monitor="val_rmse", verbose=2)
splits = nnrecipes.data.load("daily_min_temperatures", data_dir=args.data_dir)
baseline = nnrecipes.data.persistence_rmse(splits)
rmse = result.test_metrics["rmse"]
print(f"test RMSE: {rmse:.3f} C, persistence RMSE: {baseline:.3f} "
      f"({100 * (1 - rmse / baseline):.1f}% lower)")
# Classical models on the same split (nnrecipes.baselines), the strongest first.
baselines = nnrecipes.baselines.classical(splits)
best = nnrecipes.baselines.best(baselines)
print(f"baselines, same test split: {nnrecipes.baselines.summary_line(baselines)}")
print(f"exported to: {result.export_path}")
print("RESULT " + json.dumps({"metric": "rmse", "value": rmse, "persistence_rmse": baseline,
                             "baseline": {"name": best["name"], "score": best["score"]},
                             "epochs": len(result.history.epoch)}))
