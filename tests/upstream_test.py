"""Guards for the private or undocumented upstream names nnrecipes relies on.

Each test exercises one Keras, KerasTuner or TensorFlow internal in the way a
file of nnrecipes uses it (the file is named in the test's docstring, beside a
`# private:` comment there). An upgrade that renames or changes one of them
fails here, by name, instead of somewhere far from the cause.
"""

import os

import numpy as np
import pytest

import keras
import keras_tuner
import tensorflow as tf


class _Outer(keras.layers.Layer):
    """A custom layer holding sublayers as an attribute and in a list."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.project = keras.layers.Dense(4, name="project")
        self.norms = [keras.layers.BatchNormalization(name="norm")]

    def call(self, x):
        return self.norms[0](self.project(x))


def _model_with_nested_layers():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, name="inner_dense")],
                             name="inner")
    inputs = keras.Input((3,))
    outputs = inner(_Outer(name="outer")(inputs))
    return keras.Model(inputs, outputs)


def test_keras_layer_flatten_layers_walks_nested_layers():
    """nnrecipes/layers/nested.py (`nested_layers`, used by
    nnrecipes/initializers/lsuv.py) calls `Layer._flatten_layers`."""
    model = _model_with_nested_layers()
    walked = model._flatten_layers(include_self=False, recursive=True)
    names = [layer.name for layer in walked if not isinstance(layer, keras.layers.InputLayer)]
    assert sorted(names) == sorted(["outer", "project", "norm", "inner", "inner_dense"]), names
    assert len(names) == len(set(names))
    assert names.index("outer") < names.index("project")  # parents first
    assert model not in walked
    # The reason for the private walk: the public `Model.layers` stops at the
    # first level. If Keras makes it (or another public name) recursive, this
    # fails: use the public one in nested_layers then.
    assert "project" not in [layer.name for layer in model.layers]
    assert not hasattr(keras.layers.Layer, "layers")


def test_keras_calls_the_call_found_on_the_layer_instance():
    """nnrecipes/initializers/lsuv.py (`_Recorder`) records each layer's
    output by putting a `call` on the layer instance, and deleting it after;
    Keras's `Layer.__call__` must look `call` up on the instance."""
    model = _model_with_nested_layers()
    project = model.get_layer("outer").project
    seen = []
    original = project.call

    def recording_call(*args, **kwargs):
        output = original(*args, **kwargs)
        seen.append(output)
        return output

    project.call = recording_call
    model(np.ones((2, 3), "float32"))
    assert len(seen) == 1 and tuple(seen[0].shape) == (2, 4)
    del project.call
    assert "call" not in vars(project)
    model(np.ones((2, 3), "float32"))
    assert len(seen) == 1


def test_keras_fit_retraces_with_instance_train_step_and_apply():
    """nnrecipes/diagnostics/gradients.py (`GradientMonitor.attach`) puts
    `train_step` on the model instance and `apply` on the optimizer instance,
    then sets the undocumented `model.train_function = None` so that `fit`
    traces a new training function with them."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 3), "float32"), np.ones((4, 1), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    assert model.train_function is not None  # traced once, then kept
    calls = {"train_step": 0, "apply": 0}
    original_step, original_apply = model.train_step, model.optimizer.apply

    def train_step(data):
        calls["train_step"] += 1
        return original_step(data)

    def apply(grads, trainable_variables=None):
        calls["apply"] += 1
        return original_apply(grads, trainable_variables)

    model.train_step = train_step
    model.optimizer.apply = apply
    model.train_function = None
    model.fit(x, y, epochs=1, verbose=0)
    # Counted while tracing: the traced step calls both hooks.
    assert calls["train_step"] >= 1 and calls["apply"] >= 1


def _tuner(directory, **kwargs):
    def build(hp):
        hp.Int("units", 1, 4)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    return keras_tuner.RandomSearch(build, objective="val_loss", max_trials=2,
                                    directory=str(directory), project_name="p", **kwargs)


def test_keras_tuner_oracle_writes_trials_through_save_trial(tmp_path):
    """nnrecipes/tuning/trials.py (`_make_oracle_saves_atomic`) replaces
    `Oracle._save_trial` with an atomic writer of the same file."""
    oracle = _tuner(tmp_path).oracle
    trial = oracle.create_trial("tuner0")
    # Where KerasTuner writes (and reloads) a trial, which the replacement
    # writes too.
    written = os.path.join(str(tmp_path), "p", f"trial_{trial.trial_id}", "trial.json")
    assert os.path.isfile(written)
    saved = []
    oracle._save_trial = saved.append
    oracle.update_trial(trial.trial_id, {"val_loss": 1.0})
    oracle.end_trial(trial)
    assert saved == [trial, trial]
    assert keras_tuner.Oracle._save_trial.__code__.co_argcount == 2  # (self, trial)


def test_keras_tuner_reloads_the_tuner_from_get_tuner_fname(tmp_path, capsys):
    """nnrecipes/tuning/trials.py (`_RecipeTrialRunner.save`) writes the
    tuner's state to `BaseTuner._get_tuner_fname()`, the file a resumed
    search reloads."""
    tuner = _tuner(tmp_path)
    path = tuner._get_tuner_fname()
    assert path == os.path.join(tuner.project_dir, f"{tuner.tuner_id}.json")
    tuner.save()
    assert os.path.isfile(path)
    capsys.readouterr()
    _tuner(tmp_path, overwrite=False)
    assert f"Reloading Tuner from {path}" in capsys.readouterr().out
    os.remove(path)
    _tuner(tmp_path, overwrite=False)
    assert "Reloading Tuner" not in capsys.readouterr().out


def test_keras_tuner_gives_a_worker_a_proxy_oracle(tmp_path, monkeypatch):
    """nnrecipes/tuning/trials.py tells a distributed worker by its oracle:
    KerasTuner gives a worker a proxy to the chief's oracle, which is not a
    `keras_tuner.Oracle` (in place of the private `BaseTuner._is_worker()`)."""
    pytest.importorskip("grpc")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "1")
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "tuner1")
    worker = _tuner(tmp_path / "worker")
    assert not isinstance(worker.oracle, keras_tuner.Oracle)
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "chief")
    chief = _tuner(tmp_path / "chief")
    assert isinstance(chief.oracle, keras_tuner.Oracle)


def test_tensorflow_freezes_a_function_with_convert_to_constants():
    """nnrecipes/export/formats.py (`write_onnx`) freezes the traced model
    with `tensorflow.python.framework.convert_to_constants`."""
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    x = np.arange(12, dtype="float32").reshape(4, 3)
    normalize = keras.layers.Normalization()
    normalize.adapt(x)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(normalize(inputs)))
    spec = tf.TensorSpec((None, 3), tf.float32)
    function = tf.function(lambda t: model(t, training=False)).get_concrete_function(spec)
    # The reason tf2onnx's public `from_function` does not serve: it takes the
    # traced function's non-resource inputs as the graph's inputs, and the
    # adapted statistics are among them.
    assert len([t for t in function.inputs if t.dtype != tf.resource]) > 1
    frozen = convert_variables_to_constants_v2(function, lower_control_flow=False,
                                               aggressive_inlining=True)
    assert len(frozen.inputs) == 1
    ops = {node.op for node in frozen.graph.as_graph_def().node}
    assert not ops & {"VarHandleOp", "ReadVariableOp", "ResourceGather"}, ops
    np.testing.assert_allclose(frozen(tf.constant(x))[0].numpy(),
                               keras.ops.convert_to_numpy(model(x)), rtol=1e-5, atol=1e-6)
