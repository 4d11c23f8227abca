"""`train(..., export_formats=...)`: the files appear with the rest of the export."""

import os

import numpy as np
import pytest

import nnrecipes


def test_train_exports_onnx_with_the_saved_model(tmp_path):
    result = nnrecipes.train("mlp", epochs=1, units=8, num_layers=1, export_dir=str(tmp_path),
                             export_formats="onnx", verbose=0, diagnostics=False)
    path = result.export_path
    assert os.path.isfile(os.path.join(path, "model.onnx"))
    assert not os.path.exists(os.path.join(path, "model.tflite"))
    manifest = nnrecipes.export.load_manifest(path)
    assert manifest["files"]["onnx"] == "model.onnx"
    assert 0 < manifest["metrics"]["baseline"]["accuracy"] < 0.2  # 10 balanced digits
    assert "| accuracy |" in open(os.path.join(path, "README.md")).read()
    x = nnrecipes.data.load("digits").x_test[:20]
    np.testing.assert_allclose(nnrecipes.export.Runner(path, "onnx")(x),
                               nnrecipes.export.Runner(path)(x), atol=1e-5)
    with pytest.raises(ValueError, match=r"inputs of shape \(8, 8, 1\) each.*\(20, 64\)"):
        nnrecipes.export.Runner(path, "onnx")(x.reshape(20, -1))


def test_train_refuses_formats_without_an_export():
    with pytest.raises(ValueError, match=r"export=False.*Received: export_formats=\['litert'\]"):
        nnrecipes.train("mlp", export=False, export_formats=["litert"])
    with pytest.raises(ValueError, match=r"Unknown export format 'tflite'"):
        nnrecipes.train("mlp", export_formats="tflite")
