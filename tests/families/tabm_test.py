"""The TabM recipe: built by name on a table, trained, saved, averaged output,
exported to ONNX and LiteRT."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import nnrecipes
from nnrecipes import data
from nnrecipes.data.catalog import Splits
from tests.export import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = os.path.join(ROOT, "tests", "export", "parity_worker.py")


def _table_splits():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int32")
    return Splits("toy", "tabular", x[:200], y[:200], x[200:], y[200:], x[200:], y[200:],
                  num_classes=2)


def test_defaults_follow_the_paper():
    space = nnrecipes.get_recipe("tabm").hyperparameters()
    defaults = {name: space[name]["default"] for name in
                ("k", "num_layers", "units", "dropout", "learning_rate")}
    assert defaults == {"k": 32, "num_layers": 3, "units": 512, "dropout": 0.1,
                        "learning_rate": 2e-3}


def test_builds_trains_saves_and_predicts_the_mean(tmp_path):
    splits = _table_splits()
    model = nnrecipes.build("tabm", num_classes=2, k=4, units=16, num_layers=2,
                            **data.preprocessing_for(splits))
    assert model.get_layer("head").output.shape[1:] == (4, 2)
    model.fit(splits.x_train, splits.y_train, epochs=2, batch_size=32, verbose=0)
    probs = model.predict(splits.x_test, verbose=0)
    assert probs.shape == (100, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    members = keras.Model(model.inputs, model.get_layer("head").output)(splits.x_test)
    members = keras.ops.convert_to_numpy(members)
    assert not np.allclose(members[:, 0], members[:, 1])
    np.testing.assert_allclose(probs, members.mean(axis=1), rtol=1e-5, atol=1e-6)
    path = tmp_path / "tabm.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(reloaded.predict(splits.x_test, verbose=0), probs, rtol=1e-5)


def test_periodic_embedding_knob():
    model = nnrecipes.build("tabm", input_shape=(4,), num_classes=2, k=2, units=8,
                            numeric_embedding="periodic")
    assert model.get_layer("periodic_embedding") is not None


def test_train_by_name_on_a_table(tmp_path):
    result = nnrecipes.train("tabm", _table_splits(), epochs=1, k=2, units=8,
                             num_layers=1, export_dir=str(tmp_path))
    assert 0.0 <= result.test_metrics["accuracy"] <= 1.0
    assert os.path.exists(os.path.join(result.export_path, "model.keras"))


@pytest.mark.large
def test_onnx_and_litert_match_the_saved_model_on_a_mixed_table(tmp_path):
    rows = data.from_arrays(np.array(helpers.ROWS, dtype=object),
                            np.arange(len(helpers.ROWS)) % 2, kind="tabular",
                            class_names=["<=50K", ">50K"], name="census",
                            info={"columns": helpers.COLUMNS, "categorical": [1, 3]})
    model = nnrecipes.build("tabm", num_classes=2, k=4, units=16,
                            **data.preprocessing_for(rows))
    path = nnrecipes.export.export_model(model, str(tmp_path / "tabm"),
                                         helpers._manifest(rows, "tabm"),
                                         formats=("onnx", "litert"))
    cases = tmp_path / "cases.json"
    helpers.save_inputs({"table_tabm": (path, rows.x_test)}, cases)
    done = subprocess.run([sys.executable, WORKER, str(cases)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    differences = json.loads(done.stdout.strip().splitlines()[-1])["table_tabm"]
    assert set(differences) == {"onnx", "litert"}
    assert max(differences.values()) < 1e-4, differences


def test_weight_decay_spares_the_members_factors_and_biases(tmp_path):
    # The paper's AdamW: only the shared kernels (and the head's) decay, not
    # each member's (k, units) r, s and bias; also after a reload.
    model = nnrecipes.build("tabm", input_shape=(4,), num_classes=2, k=3, units=8,
                            num_layers=2, optimizer="sgd", momentum=0.0,
                            learning_rate=0.1, weight_decay=0.5)
    model.save(tmp_path / "tabm.keras")
    reloaded = nnrecipes.export.load_model(str(tmp_path / "tabm.keras"))
    for m in (model, reloaded):
        for v in m.trainable_variables:
            v.assign(keras.ops.ones_like(v))  # biases start at 0: make a decay visible
        variables = m.trainable_variables
        for _ in range(2):
            m.optimizer.apply_gradients([(keras.ops.zeros_like(v), v) for v in variables])
        decayed = sorted(v.path for v in variables
                         if float(keras.ops.convert_to_numpy(v).mean()) < 1.0)
        assert decayed == ["block1_dense/kernel", "block2_dense/kernel", "head/kernel"]
        kernel = keras.ops.convert_to_numpy(m.get_layer("block1_dense").kernel)
        np.testing.assert_allclose(kernel, (1 - 0.1 * 0.5) ** 2, rtol=1e-5)


def test_training_loss_is_the_members_mean_loss():
    splits = _table_splits()
    model = nnrecipes.build("tabm", num_classes=2, k=4, units=16, num_layers=1, dropout=0.0,
                            optimizer="sgd", momentum=0.0, learning_rate=1e-5,
                            **data.preprocessing_for(splits))
    x, y = splits.x_train[:32], splits.y_train[:32]
    members = keras.Model(model.input, model.get_layer("head").output)(x)
    probs = keras.ops.convert_to_numpy(members)
    expected = -np.log(probs[np.arange(32), :, y]).mean()
    assert expected > -np.log(probs.mean(axis=1)[np.arange(32), y]).mean() + 1e-5
    logs = model.train_on_batch(x, y, return_dict=True)
    np.testing.assert_allclose(logs["loss"], expected, rtol=1e-5)
