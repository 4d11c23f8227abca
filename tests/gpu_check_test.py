"""`benchmarks/gpu_check.py` runs end to end with no TensorFlow (Keras on JAX,
tiny steps), prints its fixed JSON rows and the RESULTS.md table.

The real run, on a GPU: see DEVELOPERS.md ("The GPU check").
"""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu_check.py"


@pytest.fixture(scope="module")
def output():
    if importlib.util.find_spec("jax") is None:
        pytest.skip("the GPU check runs Keras on JAX, which is not installed")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--steps", "2", "--trials", "1", "--batch-size", "8",
         "--small", "--families", "transformer"],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _rows(output):
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_rows_have_the_fixed_keys_for_each_family_precision_and_the_search(output):
    rows = _rows(output)
    keys = ("check", "device", "backend", "family", "precision", "batch_size", "steps",
            "step_ms", "examples_per_s", "tflops_per_s", "peak_share", "seconds", "result")
    assert all(tuple(row) == keys for row in rows)
    assert [(r["check"], r["family"], r["precision"]) for r in rows] == [
        ("train", "transformer", "float32"), ("train", "transformer", "mixed_bfloat16"),
        ("tune", "mlp", "float32")]
    assert all(r["backend"] == "jax" and r["device"] == "cpu" for r in rows)
    assert all(r["step_ms"] > 0 and r["examples_per_s"] > 0 for r in rows[:2])
    assert rows[-1]["result"].startswith("1 trials")


def test_transformer_flops_are_counted_and_the_cpu_peak_is_unknown(output):
    rows = {(r["family"], r["precision"]): r for r in _rows(output) if r["check"] == "train"}
    assert rows[("transformer", "float32")]["tflops_per_s"] > 0
    assert rows[("transformer", "float32")]["peak_share"] == "unknown"
    assert rows[("transformer", "mixed_bfloat16")]["tflops_per_s"] > 0


def test_table_and_no_tensorflow(output):
    assert "| device | family | precision | batch | step ms |" in output
    assert "| cpu | transformer | mixed_bfloat16 | 8 |" in output
    assert "tensorflow imported: False" in output
