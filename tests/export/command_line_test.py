"""From the command line alone: train, export to each format, predict a file."""

import csv
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import in_parallel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def nnrecipes(*argv):
    done = subprocess.run([sys.executable, "-m", "nnrecipes", *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def probabilities(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[float(v) for v in row[2:]] for row in rows[1:]])


@pytest.mark.large
def test_text_model_trained_exported_and_predicted(tmp_path):
    words = [("ham", "see you at lunch then"), ("spam", "win a free prize now"),
             ("ham", "call me when you are home"), ("spam", "free cash claim today")]
    (tmp_path / "train.tsv").write_text(
        "".join(f"{label}\t{text} {i}\n" for i in range(15) for label, text in words))
    nnrecipes("train", "gru", "--dataset", f"text:{tmp_path / 'train.tsv'}", "--epochs", "1",
              "--batch-size", "16", "--units", "8", "--export-dir", str(tmp_path / "models"),
              "--export-formats", "onnx,litert", "--no-diagnostics")
    version = str(tmp_path / "models" / "gru_train" / "1")
    assert {"model.onnx", "model.tflite", "vocabulary.txt"} <= set(os.listdir(version))
    texts = ["free prize, call now!", "lunch at home?", "unseen words here"]
    (tmp_path / "new.txt").write_text("\n".join(texts) + "\n")
    loaded = tf.saved_model.load(version)  # kept alive while serving
    served = loaded.serve(tf.constant(texts)).numpy()
    runtimes = ("saved_model", "onnx", "litert")
    in_parallel(*[lambda runtime=runtime: nnrecipes(  # three processes side by side
        "predict", version, str(tmp_path / "new.txt"), "--output",
        str(tmp_path / f"{runtime}.csv"), "--runtime", runtime, "--quiet")
        for runtime in runtimes])
    for runtime in runtimes:
        header, values = probabilities(tmp_path / f"{runtime}.csv")
        assert header == ["input", "predicted", "prob_ham", "prob_spam"]
        np.testing.assert_allclose(values, served, atol=1e-5)


@pytest.mark.large
def test_table_model_trained_then_exported_and_predicted(tmp_path):
    rng = np.random.RandomState(0)
    with open(tmp_path / "table.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["size", "color", "weight", "label"])
        for _ in range(80):
            size, color = rng.rand() * 10, rng.choice(["red", "green", "blue"])
            writer.writerow([f"{size:.2f}", color, f"{rng.rand():.3f}",
                             "big" if size > 5 else "small"])
    nnrecipes("train", "mlp", "--dataset", f"csv:{tmp_path / 'table.csv'}", "--epochs", "1",
              "--batch-size", "16", "--units", "8", "--export-dir", str(tmp_path / "models"),
              "--no-diagnostics")
    version = str(tmp_path / "models" / "mlp_table" / "1")
    assert "model.tflite" not in os.listdir(version)
    assert "model.tflite" in nnrecipes("export", version, "--format", "litert")
    rows = [["blue", "0.5", "7.5"], ["red", "0.1", "1.0"]]
    with open(tmp_path / "new.csv", "w", newline="") as f:
        csv.writer(f).writerows([["color", "weight", "size"], *rows])
    raw = tf.constant([[size, color, weight] for color, weight, size in rows])
    loaded = tf.saved_model.load(version)
    served = loaded.serve(raw).numpy()
    out = tmp_path / "out.csv"
    nnrecipes("predict", version, str(tmp_path / "new.csv"), "-o", str(out), "--runtime",
              "litert", "--quiet")
    header, values = probabilities(out)
    assert header == ["input", "predicted", "prob_big", "prob_small"]
    np.testing.assert_allclose(values, served, atol=1e-5)
