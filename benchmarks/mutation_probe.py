"""Probes the test suite with plausible regressions: each must make a test fail.

Each mutation below is a small, realistic change to the library (a worse
default, a diagnostic scaled by a constant, a checkpoint that forgets the
optimizer, ...). For each one the script writes a commit's files (HEAD by
default: commit what you want probed) into a temporary folder, applies the
change there (the working tree is never touched), and runs the tests that should notice it. A mutation that
leaves those tests green is a hole in the suite and is reported as SURVIVED.

Run: python benchmarks/mutation_probe.py [--only NAME ...] [--revision REV] [--list]
Exit status: 0 when every mutation was caught, 1 otherwise.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> (file, text to find (exactly once), its replacement, tests to run)
MUTATIONS = {
    "worse_default_batchnorm_momentum": (
        "nnrecipes/families/common.py",
        "BatchNormalization(momentum=0.9,", "BatchNormalization(momentum=0.99,",
        ["tests/training_test.py::test_learns_real_data_well_above_chance"]),
    "worse_default_learning_rate": (
        "nnrecipes/families/common.py",
        "learning_rate=1e-3, initializer=", "learning_rate=1e-5, initializer=",
        ["tests/training_test.py::test_learns_real_data_well_above_chance"]),
    "grad_norm_scaled_by_two": (
        "nnrecipes/diagnostics/grad_figures.py",
        "global_norm = ops.sqrt(ops.sum(ops.stack(total)))",
        "global_norm = 2.0 * ops.sqrt(ops.sum(ops.stack(total)))",
        ["tests/diagnostics/gradients_test.py"]),
    "checkpoint_forgets_optimizer_state": (
        "nnrecipes/callbacks/epoch_checkpoint.py",
        "            model.optimizer.build(model.trainable_variables)\n",
        "            pass\n",
        ["tests/reliability_test.py::test_epoch_checkpoint_is_atomic_and_keeps_one_epoch"]),
    "focal_loss_wrong_term": (
        "nnrecipes/losses/sparse_focal_crossentropy.py",
        "ops.power(1.0 - p_true, gamma)", "ops.power(p_true, gamma)",
        ["tests/components/losses_test.py"]),
    "warmup_off_by_a_factor": (
        "nnrecipes/schedules/linear_warmup.py",
        "fraction = ops.minimum(step / self.warmup_steps, 1.0)",
        "fraction = ops.minimum(2.0 * step / self.warmup_steps, 1.0)",
        ["tests/components/schedules_test.py"]),
    "cv_leaks_validation_into_training": (
        "nnrecipes/tuning/cv.py",
        "    return [(t.astype(\"int64\"), v.astype(\"int64\")) for t, v in "
        "splitter.split(np.zeros(n))]",
        "    return [(np.arange(n, dtype=\"int64\"), v.astype(\"int64\")) for t, v in "
        "splitter.split(np.zeros(n))]",
        ["tests/tuning/cv_test.py"]),
    "cv_scores_one_fold": (
        "nnrecipes/tuning/trials.py",
        "            metrics[key] = float(np.mean([r[key] for r in fold_results if key in r]))",
        "            metrics[key] = float([r[key] for r in fold_results if key in r][0])",
        ["tests/tuning/search_test.py"]),
    "health_overfitting_never_fires": (
        "nnrecipes/diagnostics/health.py",
        "        if self.val_loss is None or self.epochs < 2 or self.diverged:\n"
        "            return None\n        remedy = (\"Add dropout",
        "        return None\n        remedy = (\"Add dropout",
        ["tests/diagnostics/health_test.py"]),
    "export_not_atomic": (
        "nnrecipes/export/saved_model.py",
        "            staging = storage.make_staging(base_dir, STAGING)",
        "            staging = os.path.join(base_dir, str(version or 1))\n"
        "            os.makedirs(staging, exist_ok=True)",
        ["tests/reliability_test.py::test_export_is_published_whole_or_not_at_all"]),
    "lr_finder_rule_changed": (
        "nnrecipes/diagnostics/lr_finder.py",
        "return at_min / 10.0, at_min, steepest",
        "return at_min / 3.0, at_min, steepest",
        ["tests/diagnostics/lr_finder_test.py"]),
    "empty_text_nan_again": (
        "nnrecipes/families/mlp.py",
        'x = MaskedGlobalPooling1D("mean", name="mean_over_tokens")(x)',
        'x = keras.layers.GlobalAveragePooling1D(name="mean_over_tokens")(x)',
        ["tests/components/masked_pooling_test.py"]),
}


def committed_copy(destination, revision):
    """Writes the files of `revision` (a commit) into `destination`."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", destination], input=archive, check=True)


def mutate(folder, path, old, new):
    full = os.path.join(folder, path)
    with open(full) as f:
        text = f.read()
    count = text.count(old)
    if count != 1:
        raise ValueError(f"The mutation's text occurs {count} times in {path} (must be "
                         f"once): the code moved; update MUTATIONS. Received: {old!r}")
    with open(full, "w") as f:
        f.write(text.replace(old, new))


def probe(name, revision, timeout):
    path, old, new, tests = MUTATIONS[name]
    with tempfile.TemporaryDirectory(prefix=f"mutant-{name}-") as folder:
        committed_copy(folder, revision)
        mutate(folder, path, old, new)
        # The copy comes first on sys.path, ahead of an installed nnrecipes.
        env = dict(os.environ, PYTHONPATH=folder, TF_CPP_MIN_LOG_LEVEL="3")
        started = time.time()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                 *tests], cwd=folder, env=env, capture_output=True, text=True,
                timeout=timeout)
        except subprocess.TimeoutExpired:
            return "TIMEOUT", time.time() - started, ""
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:]
        verdict = {0: "SURVIVED", 1: "caught"}.get(done.returncode, f"error {done.returncode}")
        return verdict, time.time() - started, tail[0] if tail else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(MUTATIONS), default=None)
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--revision", default="HEAD", help="the commit to probe")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per mutation")
    args = parser.parse_args()
    if args.list:
        for name, (path, *_rest, tests) in MUTATIONS.items():
            print(f"{name:38s} {path}  ->  {' '.join(tests)}")
        return 0
    survivors = []
    for name in args.only or MUTATIONS:
        verdict, seconds, tail = probe(name, args.revision, args.timeout)
        print(f"{name:38s} {verdict:9s} {seconds:6.0f} s  {tail}", flush=True)
        if verdict != "caught":
            survivors.append(name)
    print(f"\n{len(survivors)} of {len(args.only or MUTATIONS)} mutations not caught"
          + (f": {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
