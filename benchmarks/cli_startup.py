"""How long the `nnrecipes` command takes to answer, and whether it imports TensorFlow.

Each round runs every command once, in turn (so load from other processes
hits them alike); the table gives each command's median wall-clock seconds
over the rounds and whether its process imported TensorFlow (read from
`python -X importtime`). The subcommands come from the command's own parser,
so a new one is timed with no change here. Reference rows: a bare Python,
`import tensorflow` and `import nnrecipes`.

    python benchmarks/cli_startup.py [--rounds 5] [--write]

`--write` puts the table in RESULTS.md's "Command start-up" section.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import results_file

HELP_GOAL_SECONDS = 1.0


def commands():
    """(label, argv after the interpreter) for every timed command."""
    script = os.path.join(os.path.dirname(sys.executable), "nnrecipes")
    entry = [script] if os.path.exists(script) else ["-m", "nnrecipes"]
    usage = subprocess.run([sys.executable, *entry, "--help"], capture_output=True,
                           text=True, check=True).stdout
    subcommands = re.search(r"\{([\w,-]+)\}", usage).group(1).split(",")
    rows = [("python -c pass", ["-c", "pass"]),
            ("python -c 'import tensorflow'", ["-c", "import tensorflow"]),
            ("python -c 'import nnrecipes'", ["-c", "import nnrecipes"]),
            ("nnrecipes --help", [*entry, "--help"])]
    rows += [(f"nnrecipes {name} --help", [*entry, name, "--help"]) for name in subcommands]
    rows += [("nnrecipes train mlp --help", [*entry, "train", "mlp", "--help"]),
             ("nnrecipes list", [*entry, "list"]),
             ("nnrecipes info lstm", [*entry, "info", "lstm"]),
             ("nnrecipes datasets", [*entry, "datasets"])]
    return rows


def run_once(argv):
    """(wall seconds, imported TensorFlow?, exit status) of one run."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True,
                          text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    seconds = time.perf_counter() - start
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    return seconds, "tensorflow" in imported, done.returncode


# Times the data-dependent commands in one process after `import nnrecipes`:
# their own work, without the import.
_IN_PROCESS = """
import contextlib, io, json, sys, time
import nnrecipes
from nnrecipes import cli
seconds = {}
for argv in json.loads(sys.argv[1]):
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(argv)
    seconds[" ".join(argv)] = time.perf_counter() - start
print(json.dumps(seconds))
"""
WORK_COMMANDS = [["list"], ["info", "lstm"], ["datasets"]]


def work_seconds():
    """Seconds of `list`, `info` and `datasets` once nnrecipes is imported."""
    done = subprocess.run([sys.executable, "-c", _IN_PROCESS, json.dumps(WORK_COMMANDS)],
                          capture_output=True, text=True, check=True,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of each command")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md's section")
    args = parser.parse_args(argv)
    rows = commands()
    times = {label: [] for label, _ in rows}
    uses_tf = {}
    for _ in range(args.rounds):
        for label, command in rows:
            seconds, tf_imported, status = run_once(command)
            if status != 0:
                sys.exit(f"`{label}` failed with exit status {status}")
            times[label].append(seconds)
            uses_tf[label] = tf_imported

    work = work_seconds()
    help_rows = [label for label in times if label.endswith("--help")
                 and label != "nnrecipes train mlp --help"]
    slowest_help = max(statistics.median(times[label]) for label in help_rows)
    lines = ["| command | median s | min s | imports TensorFlow |", "|---|---:|---:|---|"]
    for label, values in times.items():
        lines.append(f"| `{label}` | {statistics.median(values):.2f} | {min(values):.2f} | "
                     f"{'yes' if uses_tf[label] else 'no'} |")
    body = "\n".join([
        f"Command: `python benchmarks/cli_startup.py --rounds {args.rounds} --write` "
        f"({args.rounds} interleaved rounds; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; the machine was shared with other jobs, so the "
        "absolute seconds vary, not which rows import TensorFlow).",
        "",
        *lines,
        "",
        f"Slowest `--help` that needs no recipe: {slowest_help:.2f} s (goal: at most "
        f"{HELP_GOAL_SECONDS:.0f} s; {'met' if slowest_help <= HELP_GOAL_SECONDS else 'NOT met'})."
        f" `nnrecipes datasets`: {statistics.median(times['nnrecipes datasets']):.2f} s, "
        f"{'with' if uses_tf['nnrecipes datasets'] else 'without'} TensorFlow (the "
        "catalog needs only NumPy; `nnrecipes.data` imports its pipelines when first used). "
        "`list` and `info` pay for TensorFlow: a recipe is Keras code (its module defines "
        "Keras layers, and `info` runs its declaration through KerasTuner's "
        "`HyperParameters`, which imports Keras), and a second, hand-kept list of names "
        "and descriptions could drift from it. Their own work, timed in one process after "
        "`import nnrecipes`: "
        + ", ".join(f"`{name}` {1000 * s:.0f} ms" for name, s in work.items())
        + "; the rest is importing TensorFlow, Keras and KerasTuner.",
    ])
    print(body)
    if args.write:
        results_file.write_section("<!-- cli-startup:begin -->", "<!-- cli-startup:end -->",
                                   body, "Command start-up")


if __name__ == "__main__":
    main()
