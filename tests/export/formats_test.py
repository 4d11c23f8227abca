"""ONNX and LiteRT files: parity with the SavedModel, what the manifest says, errors
(the host-side preprocessing itself: tests/export/host_test.py)."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes.export import cli as export_cli
from nnrecipes.export import formats
from nnrecipes.export import host
from tests.export import helpers


def _run(argv):
    args = export_cli.command_parser().parse_args(argv)
    return args.run(args)


WORKER = os.path.join(os.path.dirname(__file__), "parity_worker.py")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.large
def test_every_family_and_format_matches_the_saved_model_in_a_fresh_process(exports, tmp_path):
    cases = tmp_path / "cases.json"
    helpers.save_inputs(exports, cases)
    done = subprocess.run([sys.executable, WORKER, str(cases)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) == {*helpers.SMALL, *helpers.TEXT_CASES, "table_mlp"}
    for case, differences in result.items():
        assert set(differences) == {"onnx", "litert"}
        for runtime, difference in differences.items():
            assert difference < 1e-4, (case, runtime, difference)


def test_manifest_lists_the_files_and_what_they_take(exports):
    manifest = nnrecipes.export.load_manifest(exports["text_gru"][0])
    assert manifest["files"]["onnx"] == "model.onnx"
    assert manifest["formats"]["litert"]["input"] == "token_ids"
    assert manifest["formats"]["onnx"]["preprocessing"] == "preprocessing.json"
    assert manifest["formats"]["onnx"]["input_dtype"] == "int64"
    cnn = nnrecipes.export.load_manifest(exports["cnn"][0])["formats"]["litert"]
    assert cnn["input"] == "raw" and cnn["preprocessing"] is None
    assert cnn["input_shape"] == [None, 8, 8, 1]
    assert not os.path.exists(os.path.join(exports["cnn"][0], "preprocessing.json"))
    leftovers = [n for n in os.listdir(exports["cnn"][0]) if n.startswith(".tmp")]
    assert leftovers == []
    # A TF-IDF text model: ONNX / LiteRT take the vector that host.encode makes.
    bag = nnrecipes.export.load_manifest(exports["text_tf_idf_mlp"][0])["formats"]["onnx"]
    assert bag["input"] == "tf_idf" and bag["input_dtype"] == "float32"
    spec = host.load(exports["text_tf_idf_mlp"][0])
    assert spec["output_mode"] == "tf_idf"
    assert bag["input_shape"] == [None, len(spec["vocabulary"])]


def test_unknown_format_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown export format 'tflite'.*'onnx', 'litert'"):
        formats.check_formats("onnx,tflite")
    assert formats.check_formats("onnx, litert,onnx") == ["onnx", "litert"]


def test_a_missing_extra_says_how_the_readme_installs_it():
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    assert 'pip install -e ".[test,export]"' in readme
    with pytest.raises(ValueError, match=r"needs the 'no_such_module_x' package, which is not "
                                         r"installed: pip install -e \"\.\[export\]\" in a "
                                         r"checkout \(pip install \"nnrecipes\[export\]\""):
        formats._require("no_such_module_x", "onnx")


def test_export_command_adds_a_format_to_an_existing_version(tmp_path, capsys):
    splits = nnrecipes.data.load("digits").as_kind("tabular")
    model = nnrecipes.build("mlp", num_classes=10, units=8,
                            **nnrecipes.data.preprocessing_for(splits))
    path = nnrecipes.export.export_model(model, str(tmp_path / "mlp"), {"task": "classification"})
    assert "formats" in nnrecipes.export.load_manifest(path)
    assert _run(["export", path, "--format", "onnx"]) == 0
    assert "model.onnx" in capsys.readouterr().out
    manifest = nnrecipes.export.load_manifest(path)
    assert manifest["files"]["onnx"] == "model.onnx" and "litert" not in manifest["formats"]
    assert "onnxruntime.InferenceSession" in open(os.path.join(path, "README.md")).read()
    x = splits.x_test[:5]
    np.testing.assert_allclose(nnrecipes.export.Runner(path, "onnx")(x),
                               nnrecipes.export.Runner(path)(x), atol=1e-5)
    with pytest.raises(SystemExit, match="not an export version folder"):
        _run(["export", str(tmp_path), "--format", "litert"])
    with pytest.raises(SystemExit):
        _run(["export", path, "--format", "tflite"])


def test_classify_signature_returns_class_names_and_scores(exports):
    path, x = exports["text_gru"]
    loaded = tf.saved_model.load(path)
    assert {"serving_default", "classify"} <= set(loaded.signatures)
    texts = tf.constant([str(t) for t in x[:3]])
    out = loaded.signatures["classify"](inputs=texts)
    classes = out["classes"].numpy().astype(str)
    assert classes.shape == (3, 2) and (classes == [["ham", "spam"]] * 3).all()
    np.testing.assert_allclose(out["scores"].numpy(), loaded.serve(texts).numpy(), atol=1e-6)
    default = loaded.signatures["serving_default"](inputs=texts)
    np.testing.assert_allclose(list(default.values())[0].numpy(), out["scores"].numpy(),
                               atol=1e-6)


def test_a_string_model_must_start_with_a_known_string_layer(tmp_path):
    inputs = keras.Input(shape=(), dtype="string")
    lookup = keras.layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    model = keras.Model(inputs, keras.layers.Dense(2)(lookup(inputs)))
    with pytest.raises(ValueError, match=r"first layer is one of \['TextVectorization', "
                                         r"'TabularEncoder'\]. Received: first layer StringLookup"):
        formats.write_formats(model, str(tmp_path), ["onnx"])


def test_a_failed_format_leaves_no_file_behind(tmp_path, monkeypatch):
    model = nnrecipes.build("mlp", input_shape=(3,), num_classes=2, num_layers=1, units=8)

    def refuse(path):
        raise ValueError("The LiteRT file needs ops the LiteRT interpreter lacks: FlexFoo")

    monkeypatch.setattr(formats, "_check_litert_runs", refuse)
    with pytest.raises(ValueError, match="FlexFoo"):
        formats.write_formats(model, str(tmp_path), ["onnx", "litert"])
    assert os.listdir(tmp_path) == []  # not even the ONNX file that did convert


def test_a_missing_package_is_named_before_any_work(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "ai_edge_litert" else real(name, *a))
    with pytest.raises(ValueError, match=r"'litert' needs the 'ai_edge_litert' package.*"
                                         r'pip install -e "\.\[export\]"'):
        formats.check_formats("onnx,litert")
    assert formats.check_formats("onnx") == ["onnx"]
