"""LSTM forecasting next-hour PM2.5 in Beijing from the past 24 hours.

Inputs: pm2.5, dew point, temperature, pressure, wind (speed, direction),
snow, rain and time of day/year; the series is split chronologically
(2010-12 train, 2013 validation, 2014 test, about 60/20/20) with no window
crossing a split. Inputs are normalized inside the model and the output is
mapped back to ug/m3, both with statistics of the training period only.
Prints test RMSE next to the persistence forecast (next hour = this hour)
on the same windows. Target: RMSE >= 10% below persistence.

The weights of the epoch with the lowest validation RMSE are kept.

Also prints the classical baselines of its kind, trained on the same split
(`nnrecipes.baselines`), beside its own score.

Run: python recipes/lstm_beijing_pm25.py [--data-dir D] [--epochs N]
"""

import argparse
import json

import nnrecipes

parser = argparse.ArgumentParser(description="LSTM on Beijing PM2.5.")
parser.add_argument("--data-dir", help="folder with timeseries/ (default: $NNRECIPES_DATA_DIR)")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--export-dir", default="saved_models")
args = parser.parse_args()

result = nnrecipes.train(
    "lstm", "beijing_pm25", data_dir=args.data_dir, epochs=args.epochs, batch_size=64,
    export_dir=args.export_dir, units=64, dropout=0.1, patience=3, monitor="val_rmse",
    verbose=2)
splits = nnrecipes.data.load("beijing_pm25", data_dir=args.data_dir)
baseline = nnrecipes.data.persistence_rmse(splits)
rmse = result.test_metrics["rmse"]
print(f"test RMSE: {rmse:.2f} ug/m3, persistence RMSE: {baseline:.2f} "
      f"({100 * (1 - rmse / baseline):.1f}% lower)")
# Classical models on the same split (nnrecipes.baselines), the strongest first.
baselines = nnrecipes.baselines.classical(splits)
best = nnrecipes.baselines.best(baselines)
print(f"baselines, same test split: {nnrecipes.baselines.summary_line(baselines)}")
print(f"exported to: {result.export_path}")
print("RESULT " + json.dumps({"metric": "rmse", "value": rmse, "persistence_rmse": baseline,
                             "baseline": {"name": best["name"], "score": best["score"]},
                             "epochs": len(result.history.epoch)}))
