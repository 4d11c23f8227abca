"""Runs every recipe script on its real dataset and writes benchmarks/RESULTS.md.

Each script in `recipes/` runs in its own process, one at a time, with its
default epochs (or `--epochs`); its wall time is measured and its last
`RESULT {...}` line read. The table in RESULTS.md keeps, for each script,
the latest measured run, beside the target and the published anchors.
Scripts not run this time keep their earlier row.

Run: python benchmarks/accuracy.py [--data-dir D] [--only SCRIPT ...] [--epochs N]
     python benchmarks/accuracy.py --render-only   (rewrite the table, run nothing)
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

import results_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = results_file.RESULTS
BEGIN, END = "<!-- accuracy:begin -->", "<!-- accuracy:end -->"
DATA_BEGIN, DATA_END = "<!-- accuracy-data:", ":accuracy-data -->"

def at_least(value, target):
    """`value >= target`, forgiving float32 rounding (0.9 is 0.89999998 in float32)."""
    return value >= target - 1e-6


# script -> (dataset, what the target asks, a check on (RESULT dict, seconds), anchors)
TARGETS = {
    "cnn_fashion_mnist": (
        "Fashion-MNIST", ">= 93% test accuracy within 10 min",
        lambda r, s: at_least(r["value"], 0.93) and s <= 600,
        "2-conv Keras CNN 87.6%, 3 conv + 2 dense 92.6%, ResNet18 94.9% (Fashion-MNIST "
        "benchmark page, contributed runs: GPU, own epochs/augmentation, no time limit)"),
    "transformer_sst2": (
        "SST-2", ">= 83% test accuracy, from scratch",
        lambda r, s: at_least(r["value"], 0.83),
        "Kim 2014 CNN-rand 82.7% (random 300-d embeddings, trained on SST phrases as well as "
        "sentences, 25 epochs, GPU)"),
    "transformer_trec": (
        "TREC", ">= 90% test accuracy, from scratch",
        lambda r, s: at_least(r["value"], 0.90),
        "Kim 2014 CNN-rand 91.2% (random 300-d embeddings, GPU)"),
    "gru_sms_spam": (
        "SMS Spam", ">= 98.5% test accuracy (spam recall reported)",
        lambda r, s: at_least(r["value"], 0.985),
        "Almeida et al. 2011, linear SVM on word tokens 97.6% (their split)"),
    "lstm_beijing_pm25": (
        "Beijing PM2.5", "next-hour RMSE >= 10% below persistence (same run)",
        lambda r, s: r["value"] <= 0.9 * r["persistence_rmse"],
        "persistence (next hour = this hour) on the same test windows"),
    "mlp_adult": (
        "UCI Adult", ">= 85% test accuracy",
        lambda r, s: at_least(r["value"], 0.85),
        "NBTree 85.9%, C4.5 84.5% (Kohavi 1996, unknowns removed; adult.names)"),
    "rnn_daily_min_temperatures": (
        "Melbourne min. temperature", "no fixed target; RMSE vs persistence",
        lambda r, s: r["value"] < r["persistence_rmse"],
        "persistence (tomorrow = today) on the same test windows"),
}


def run_script(name, data_dir, epochs, timeout):
    command = [sys.executable, os.path.join(ROOT, "recipes", f"{name}.py"),
               "--export-dir", os.path.join(ROOT, "saved_models", "benchmarks")]
    if data_dir:
        command += ["--data-dir", data_dir]
    if epochs:
        command += ["--epochs", str(epochs)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    seconds = time.perf_counter() - start
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"{name} failed (exit {process.returncode}):\n"
                           f"{process.stdout[-2000:]}\n{process.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):]), seconds


def _format_metric(result):
    if result["metric"] == "rmse":
        base = result["persistence_rmse"]
        return (f"RMSE {result['value']:.3f} vs persistence {base:.3f} "
                f"({100 * (1 - result['value'] / base):+.1f}%)")
    text = f"accuracy {100 * result['value']:.2f}%"
    if "spam_recall" in result:
        text += f", spam recall {100 * result['spam_recall']:.1f}%"
    return text


def render(rows):
    lines = [
        "| script | dataset | measured | target | met | wall time | epochs | anchors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (dataset, target, check, anchors) in TARGETS.items():
        row = rows.get(name)
        if row is None:
            lines.append(f"| `{name}` | {dataset} | not run | {target} | - | - | - | {anchors} |")
            continue
        met = "yes" if check(row["result"], row["seconds"]) else "**no**"
        lines.append(
            f"| `{name}` | {dataset} | {_format_metric(row['result'])} | {target} | {met} | "
            f"{row['seconds'] / 60:.1f} min | {row['result']['epochs']} | {anchors} |")
    machines = sorted({row["machine"] for row in rows.values()})
    lines.append("")
    lines.append("Measured on: " + "; ".join(machines) + ". Wall time is the whole script "
                 "(loading, training, test evaluation, export).")
    return "\n".join(lines)


def read_rows(text):
    match = re.search(re.escape(DATA_BEGIN) + "(.*?)" + re.escape(DATA_END), text, re.S)
    return json.loads(match.group(1)) if match else {}


def write(rows):
    body = f"{render(rows)}\n{DATA_BEGIN}{json.dumps(rows, indent=1)}{DATA_END}"
    results_file.write_section(BEGIN, END, body, "Accuracy")


def main():
    parser = argparse.ArgumentParser(description="Run the recipe scripts, write RESULTS.md.")
    parser.add_argument("--data-dir", help="the real-data folder (default: $NNRECIPES_DATA_DIR)")
    parser.add_argument("--only", nargs="+", choices=sorted(TARGETS), help="scripts to run")
    parser.add_argument("--epochs", type=int, help="override every script's epochs (smoke runs; "
                                                   "such rows are not written)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per script")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the table from the stored rows, run nothing")
    args = parser.parse_args()
    rows = read_rows(open(RESULTS).read()) if os.path.exists(RESULTS) else {}
    if args.render_only:
        write(rows)
        return 0
    machine = f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.platform()}"
    failed = False
    for name in args.only or list(TARGETS):
        print(f"running {name} ...", flush=True)
        try:
            result, seconds = run_script(name, args.data_dir, args.epochs, args.timeout)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            print(error, file=sys.stderr)
            failed = True
            continue
        print(f"  {_format_metric(result)} in {seconds:.0f} s", flush=True)
        if not args.epochs:
            rows[name] = {"result": result, "seconds": round(seconds, 1), "machine": machine,
                          "date": time.strftime("%Y-%m-%d")}
            write(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
