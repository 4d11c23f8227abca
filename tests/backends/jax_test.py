"""The JAX backend: every recipe builds and fits, train exports and reloads,
a 2-trial search runs, TF-only routes refuse naming the backend they need.

These tests run in CI's second pass (`KERAS_BACKEND=jax`, see `.ci/run`) and
skip on the other backends; the backend-neutral tests of components,
families and the registry run in that pass too.
"""

import json
import os

import keras
import numpy as np
import pytest

import nnrecipes

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="JAX backend checks: run with KERAS_BACKEND=jax (CI's second pass)")

# One small input of each kind a recipe may take.
SHAPES = {
    "tabular": dict(input_shape=(6,)),
    "sequence": dict(input_shape=(10, 3)),
    "image": dict(input_shape=(8, 8, 1)),
    "tokens": dict(input_shape=(12,), vocab_size=30),
}


def _inputs(kind, n=16, seed=0):
    rng = np.random.default_rng(seed)
    shape = SHAPES[kind]["input_shape"]
    if kind == "tokens":
        return rng.integers(1, 30, (n, *shape)).astype("int32")
    return rng.normal(size=(n, *shape)).astype("float32")


def _small(name):
    """Small widths, so each recipe's fit takes a moment."""
    return {"mlp": dict(units=8), "tabm": dict(units=8, k=4),
            "cnn": dict(filters=8, conv_blocks=1), "rnn": dict(units=8), "lstm": dict(units=8),
            "gru": dict(units=8),
            "transformer": dict(embed_dim=8, num_heads=2, ff_dim=8, num_blocks=1)}.get(name, {})


def _kept(name, values):
    params = nnrecipes.get_recipe(name).hyperparameters()
    return {k: v for k, v in values.items() if k in params}


@pytest.mark.parametrize("name", nnrecipes.list_recipes())
def test_every_recipe_builds_and_fits_a_step_on_its_input_kinds(name):
    recipe = nnrecipes.get_recipe(name)
    # Its first numeric kind, and token ids where it takes them ("bag", TF-IDF
    # of raw strings, needs TensorFlow).
    kinds = [k for k in recipe.input_kinds if k in SHAPES][:1]
    kinds += ["tokens"] if "tokens" in recipe.input_kinds and "tokens" not in kinds else []
    for kind in kinds:
        model = nnrecipes.build(name, num_classes=3, **SHAPES[kind],
                                **_kept(name, _small(name)))
        x = _inputs(kind)
        y = np.arange(len(x)) % 3
        history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        assert np.isfinite(history.history["loss"][0]), (name, kind)
        probabilities = model.predict(x[:4], verbose=0)
        assert probabilities.shape == (4, 3)
        np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-4)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    export_dir = tmp_path_factory.mktemp("jax_models")
    result = nnrecipes.train("mlp", "breast_cancer", epochs=3, export_dir=str(export_dir),
                             verbose=0)
    return result


def test_train_evaluates_and_writes_health_and_saved_model(trained):
    assert trained.test_metrics["accuracy"] > 0.8  # majority class: 0.63
    manifest = json.load(open(os.path.join(trained.export_path, "manifest.json")))
    assert manifest["health"]["status"]
    assert np.isfinite(trained.history.history["grad_norm"]).all()
    # The SavedModel went through Keras's jax2tf route, with its classify signature.
    import tensorflow as tf

    served = tf.saved_model.load(trained.export_path)
    x = nnrecipes.data.load("breast_cancer").x_test[:4].astype("float32")
    out = served.signatures["classify"](inputs=tf.constant(x))
    assert out["classes"].numpy()[0].tolist() == [b"malignant", b"benign"]
    np.testing.assert_allclose(out["scores"].numpy(), trained.model.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)


def test_keras_file_reloads_with_the_same_predictions(trained):
    from nnrecipes import data

    splits = data.load("breast_cancer")
    reloaded = nnrecipes.export.load_model(trained.export_path)
    np.testing.assert_allclose(reloaded.predict(splits.x_test[:32], verbose=0),
                               trained.model.predict(splits.x_test[:32], verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_onnx_and_litert_are_refused_naming_the_tensorflow_backend(tmp_path):
    with pytest.raises(ValueError, match="KERAS_BACKEND=tensorflow"):
        nnrecipes.train("mlp", "breast_cancer", epochs=1, export_dir=str(tmp_path),
                        export_formats=("onnx",), verbose=0)
    assert not os.listdir(tmp_path)  # refused before any training


def test_text_data_is_refused_naming_the_tensorflow_backend(tmp_path):
    splits = nnrecipes.data.from_arrays(
        np.array(["a good film", "a bad film", "good", "bad"] * 4, dtype=object),
        np.array([1, 0, 1, 0] * 4), kind="text", name="tiny_text")
    with pytest.raises(ValueError, match="only Keras's TensorFlow backend runs"):
        nnrecipes.train("mlp", splits, epochs=1, export=False, verbose=0)


def test_a_two_trial_search_runs(tmp_path):
    result = nnrecipes.tune("mlp", "breast_cancer", tuner="random", max_trials=2, epochs=1,
                            directory=str(tmp_path), verbose=0, units=8)
    trials = result.tuner.oracle.get_best_trials(2)
    assert len(trials) == 2 and all(np.isfinite(t.score) for t in trials)


def test_lr_finder_and_gradient_monitor_run_on_jax():
    x = _inputs("tabular", n=64)
    y = np.arange(64) % 3
    model = nnrecipes.build("mlp", num_classes=3, input_shape=(6,), units=8)
    before = [v.numpy().copy() for v in model.variables]
    result = nnrecipes.diagnostics.find_learning_rate(model, x, y, num_steps=20,
                                                      batch_size=16)
    assert len(result.losses) >= 5 and result.suggestion > 0
    for old, variable in zip(before, model.variables):
        np.testing.assert_array_equal(old, variable.numpy())
