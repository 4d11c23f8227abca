"""`Runner` and `ModelRunner`: raw inputs in, the model's outputs out as
float32 NumPy; wrong runtimes, folders and batch shapes are named."""

import keras
import numpy as np
import pytest

import nnrecipes
from nnrecipes.export import runtime
from tests.export import helpers


def test_a_runner_names_a_bad_runtime_or_a_folder_that_is_no_export(tmp_path):
    with pytest.raises(ValueError, match=r"Unknown runtime 'tflite'. Valid: \['saved_model', "
                                         r"'onnx', 'litert'\]"):
        runtime.Runner(str(tmp_path), "tflite")
    with pytest.raises(FileNotFoundError, match="not an export version folder"):
        runtime.Runner(str(tmp_path))


@pytest.fixture(scope="module")
def dense():
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))


def test_a_model_runner_gives_the_models_outputs_as_float32(dense):
    runner = runtime.ModelRunner(dense)
    x = np.arange(12, dtype="float64").reshape(4, 3)
    out = runner(x)
    assert out.dtype == np.float32 and out.shape == (4, 2)
    np.testing.assert_allclose(out, dense.predict(x, verbose=0), rtol=1e-6)
    assert runner.input_shape == (3,) and runner.runtime == "keras"
    with pytest.raises(ValueError, match=r"takes a batch of inputs of shape \(3,\) each. "
                                         r"Received: batch of shape \(4, 2\)"):
        runner(x[:, :2])


def test_a_model_runner_refuses_several_inputs():
    a, b = keras.Input((2,)), keras.Input((2,))
    model = keras.Model([a, b], keras.layers.Add()([a, b]))
    with pytest.raises(ValueError, match="Only a model with one input.*Received: 2 inputs"):
        runtime.ModelRunner(model)


def test_a_string_table_runs_and_its_columns_come_from_its_encoder():
    rows = np.array(helpers.ROWS, dtype=object)
    encoder = nnrecipes.data.TabularEncoder(4, categorical=[1, 3], columns=helpers.COLUMNS)
    encoder.adapt(rows)
    inputs = keras.Input((4,), dtype="string")
    model = keras.Model(inputs, keras.layers.Dense(1)(encoder(inputs)))
    runner = runtime.ModelRunner(model)
    assert runner.manifest["dataset"]["info"]["columns"] == helpers.COLUMNS
    assert runner(rows[:3]).shape == (3, 1)
    given = runtime.ModelRunner(model, {"dataset": {"info": {"columns": ["a"]}}})
    assert given.manifest["dataset"]["info"]["columns"] == ["a"]  # the manifest wins
