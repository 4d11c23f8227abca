"""`load_model`: a `.keras` file or a version folder loads; a missing,
misnamed, truncated or incomplete file, or one with a Lambda layer in safe
mode, is refused with an error that says which."""

import json
import os
import zipfile

import keras
import numpy as np
import pytest

from nnrecipes.export import load


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("load")
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    model.compile(optimizer=keras.optimizers.AdamW(weight_decay=0.1), loss="mse")
    version = folder / "1"
    os.makedirs(version)
    model.save(str(version / load.KERAS_FILE))
    return model, str(version)


def test_a_version_folder_or_its_file_loads_with_the_same_outputs(saved):
    model, version = saved
    x = np.ones((2, 3), "float32")
    for path in (version, os.path.join(version, load.KERAS_FILE)):
        loaded = load.load_model(path)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        # Weight decay again leaves the bias out (Keras does not save that): a
        # step with zero gradients decays the kernel only.
        dense = loaded.layers[-1]
        for variable in (dense.kernel, dense.bias):
            variable.assign(np.ones(variable.shape, "float32"))
        loaded.optimizer.apply([keras.ops.zeros_like(v) for v in loaded.trainable_variables],
                               loaded.trainable_variables)
        assert np.all(keras.ops.convert_to_numpy(dense.kernel) < 1.0)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(dense.bias), 1.0)


def test_a_missing_file_or_another_format_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file at .*model.keras"):
        load.load_model(str(tmp_path))
    other = tmp_path / "model.h5"
    other.write_bytes(b"x")
    with pytest.raises(ValueError, match=r"is not a `.keras` file .*Received: path="):
        load.load_model(str(other))


def test_a_truncated_or_incomplete_archive_says_export_again(saved, tmp_path):
    _, version = saved
    data = open(os.path.join(version, load.KERAS_FILE), "rb").read()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated: it is not a readable"):
        load.load_model(str(truncated))
    partial = tmp_path / "partial.keras"
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr("config.json", "{}")
    with pytest.raises(ValueError, match=r"it lacks \['model.weights.h5'\]"):
        load.load_model(str(partial))


def test_a_lambda_layer_is_refused_in_safe_mode(saved, tmp_path):
    _, version = saved
    source = os.path.join(version, load.KERAS_FILE)
    target = tmp_path / "lambda.keras"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            content = old.read(name)
            if name == "config.json":
                config = json.loads(content)
                config["config"]["layers"].append({"class_name": "Lambda", "config": {}})
                content = json.dumps(config)
            new.writestr(name, content)
    with pytest.raises(ValueError, match="contains a Lambda layer.*safe_mode=False"):
        load.load_model(str(target))
