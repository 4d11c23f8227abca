"""How fast the `nnrecipes` command answers what needs no model, before and after.

Runs each command in a fresh process (`python -m nnrecipes ...`) with the
package from each folder given (`--before` and `--after`, by default
/work/main and this worktree), round after round in turn, and prints each
command's median wall-clock seconds and whether TensorFlow was imported
(`-X importtime`). The goal (issue 23): every row within 1.5 s.

    python benchmarks/cli_latency.py [--rounds 3] [--before DIR] [--after DIR]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_SECONDS = 1.5
COMMANDS = [
    ["list"], ["info", "lstm"], ["datasets"], ["--help"], ["train", "lstn"],
    ["train", "lstm", "--epoch", "3"], ["train", "mlp", "--dataset", "csv:missing.csv"],
    ["train", "mlp", "--epochs", "x"], ["tune", "mlp", "--dataset", "csv:missing.csv"],
]


def run_once(root, argv):
    """(seconds, imported TensorFlow?) of `python -m nnrecipes argv` with `root` first."""
    env = dict(os.environ, PYTHONPATH=root, TF_CPP_MIN_LOG_LEVEL="3")
    with tempfile.TemporaryDirectory() as empty:  # no stray saved_models/ or CSVs
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "nnrecipes", *argv],
                              capture_output=True, text=True, env=env, cwd=empty)
        seconds = time.perf_counter() - start
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    return seconds, "tensorflow" in imported


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", default="/work/main")
    parser.add_argument("--after", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    args = parser.parse_args()
    roots = {"before": args.before, "after": args.after}
    times = {(label, i): [] for label in roots for i in range(len(COMMANDS))}
    imported = {}
    for _ in range(args.rounds):
        for i, argv in enumerate(COMMANDS):
            for label, root in roots.items():
                seconds, tf = run_once(root, argv)
                times[label, i].append(seconds)
                imported[label, i] = tf
    print(f"median of {args.rounds} rounds, seconds (TF: TensorFlow imported); "
          f"goal {GOAL_SECONDS} s")
    print(f"{'command':48s} {'before':>12s} {'after':>12s}")
    for i, argv in enumerate(COMMANDS):
        cells = [f"{statistics.median(times[label, i]):6.2f} {'TF' if imported[label, i] else '  '}"
                 for label in roots]
        print(f"{'nnrecipes ' + ' '.join(argv):48s} {cells[0]:>12s} {cells[1]:>12s}")


if __name__ == "__main__":
    main()
