"""GradientMonitor: logged norms equal an independent GradientTape computation."""

import csv
import glob

import keras
import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes.diagnostics import GradientMonitor
from nnrecipes.diagnostics import layer_groups


def _data(n=64, features=8, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, features)).astype("float32"),
            rng.integers(0, classes, n).astype("int32"))


def _sequential():
    return keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(16, activation="relu", name="hidden"),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])


def _gradients(model, x, y):
    """The loss and its gradients, computed apart from `fit`: with a
    GradientTape on TensorFlow, with `jax.value_and_grad` on JAX."""
    if keras.backend.backend() == "jax":
        import jax

        # The loss the JAX trainer differentiates, as a pure function.
        (_, (loss, *_)), grads = jax.value_and_grad(model.compute_loss_and_updates,
                                                    has_aux=True)(
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            [v.value for v in model.metrics_variables], x, y, None, training=True,
            optimizer_variables=[v.value for v in model.optimizer.variables])
        scale = 1.0  # the JAX trainer's loss is scaled under mixed precision
        if isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer):
            scale = float(model.optimizer.dynamic_scale.numpy())
        return loss, [np.asarray(g) / scale for g in grads]
    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
    return loss, [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


def _tape_norms(model, x, y):
    """Global and per-layer gradient norms, computed independently."""
    loss, grads = _gradients(model, x, y)
    by_id = {id(v): g for v, g in zip(model.trainable_variables, grads)}
    per_layer = {}
    for name, _, variables in layer_groups(model):
        per_layer[name] = float(np.sqrt(sum(np.sum(np.square(by_id[id(v)]))
                                            for v in variables)))
    total = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    return total, per_layer, float(loss)


@pytest.mark.parametrize("kind", ["sequential", "recipe"])
def test_logged_norm_equals_gradient_tape(kind):
    x, y = _data()
    if kind == "sequential":
        model = _sequential()
        model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    else:  # a Functional recipe model, with L2 so regularization enters the loss
        model = nnrecipes.build("mlp", input_shape=(8,), num_classes=3, units=16,
                                dropout=0.0, l2=1e-3)
    start = [v.numpy() for v in model.variables]
    expected, expected_layers, expected_loss = _tape_norms(model, x, y)
    for variable, value in zip(model.variables, start):
        variable.assign(value)
    history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0,
                        callbacks=[GradientMonitor()])
    logs = history.history
    np.testing.assert_allclose(logs["grad_norm"][0], expected, rtol=1e-5)
    np.testing.assert_allclose(logs["grad_norm_max"][0], expected, rtol=1e-5)
    for name, value in expected_layers.items():
        np.testing.assert_allclose(logs[f"grad_norm/{name}"][0], value, rtol=1e-5, atol=1e-9)
    assert set(expected_layers) == {k[len("grad_norm/"):] for k in logs
                                    if k.startswith("grad_norm/")}
    np.testing.assert_allclose(logs["loss"][0], expected_loss, rtol=1e-5)


def test_update_ratio_equals_sgd_step():
    x, y = _data()
    model = _sequential()
    lr = 0.1
    model.compile(keras.optimizers.SGD(lr), "sparse_categorical_crossentropy")
    before = [v.numpy() for v in model.trainable_variables]
    _, norms, _ = _tape_norms(model, x, y)
    monitor = GradientMonitor()
    logs = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0,
                     callbacks=[monitor]).history
    # Plain SGD moves the weights by lr * gradient.
    hidden_weight_norm = np.sqrt(sum(np.sum(w ** 2) for w in before[:2]))
    np.testing.assert_allclose(logs["update_ratio/hidden"][0],
                               lr * norms["hidden"] / hidden_weight_norm, rtol=1e-4)
    after = [v.numpy() for v in model.trainable_variables]
    measured = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(after[2:], before[2:])))
    np.testing.assert_allclose(logs["update_ratio/out"][0],
                               measured / np.sqrt(sum(np.sum(w ** 2) for w in before[2:])),
                               rtol=1e-4)
    np.testing.assert_allclose(monitor.initial_loss, logs["loss"][0], rtol=1e-6)


def test_epoch_mean_and_max_over_steps():
    x, y = _data(n=96)
    model = _sequential()
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    # With lr=0 the weights stay put, so each batch's norm is computable.
    expected = [_tape_norms(model, x[i:i + 32], y[i:i + 32])[0] for i in (0, 32, 64)]
    logs = model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0,
                     callbacks=[GradientMonitor()]).history
    # Reset each epoch: both epochs give the same mean, not a running total.
    np.testing.assert_allclose(logs["grad_norm"], [np.mean(expected)] * 2, rtol=1e-5)
    np.testing.assert_allclose(logs["grad_norm_max"], [np.max(expected)] * 2, rtol=1e-5)


@pytest.mark.parametrize("update_ratios", [True, False])
def test_every_k_steps_measures_only_those_steps(update_ratios):
    x, y = _data(n=160)
    model = _sequential()
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    expected = [_tape_norms(model, x[i:i + 32], y[i:i + 32])[0] for i in range(0, 160, 32)]
    monitor = GradientMonitor(every=2, update_ratios=update_ratios)
    logs = model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0,
                     callbacks=[monitor]).history
    # Steps 0, 2 and 4 of each epoch: every epoch starts with a measured step.
    measured = [expected[0], expected[2], expected[4]]
    np.testing.assert_allclose(logs["grad_norm"], [np.mean(measured)] * 2, rtol=1e-5)
    np.testing.assert_allclose(logs["grad_norm_max"], [np.max(measured)] * 2, rtol=1e-5)
    assert np.mean(measured) != pytest.approx(np.mean(expected), rel=1e-4)
    np.testing.assert_allclose(monitor.initial_grad_norm, expected[0], rtol=1e-5)


def test_every_k_update_ratio_equals_sgd_step():
    x, y = _data(n=96)
    model = _sequential()
    lr = 0.1
    model.compile(keras.optimizers.SGD(lr), "sparse_categorical_crossentropy")
    before = [v.numpy() for v in model.trainable_variables]
    _, norms, _ = _tape_norms(model, x[:32], y[:32])
    monitor = GradientMonitor(every=3)
    logs = model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0,
                     callbacks=[monitor]).history
    # Only the first of the three steps is measured: its update is lr * gradient.
    hidden_weight_norm = np.sqrt(sum(np.sum(w ** 2) for w in before[:2]))
    np.testing.assert_allclose(logs["update_ratio/hidden"][0],
                               lr * norms["hidden"] / hidden_weight_norm, rtol=1e-4)
    np.testing.assert_allclose(logs["grad_norm/hidden"][0], norms["hidden"], rtol=1e-5)
    assert monitor.initial_loss == pytest.approx(_tape_norms(
        _reloaded(model, before), x[:32], y[:32])[2], rel=1e-5)


def _reloaded(model, weights):
    clone = keras.models.clone_model(model)
    clone.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    clone.set_weights(weights)
    return clone


@pytest.mark.parametrize("every", [0, -1, 1.5, True])
def test_every_must_be_a_positive_integer(every):
    with pytest.raises(ValueError, match="every"):
        GradientMonitor(every=every)


def test_figures_reach_history_csv_and_earlystopping(tmp_path):
    x, y = _data()
    model = _sequential()
    model.compile("adam", "sparse_categorical_crossentropy")
    csv_path = str(tmp_path / "log.csv")
    stopper = keras.callbacks.EarlyStopping(monitor="grad_norm", patience=0, mode="max")
    history = model.fit(
        x, y, validation_split=0.25, batch_size=16, epochs=6, verbose=0,
        callbacks=[GradientMonitor(), keras.callbacks.CSVLogger(csv_path), stopper])
    assert "val_grad_norm" not in history.history  # validation does not log them
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    assert {"grad_norm", "grad_norm/hidden", "update_ratio/out"} <= set(rows[0])
    np.testing.assert_allclose([float(r["grad_norm"]) for r in rows],
                               history.history["grad_norm"], rtol=1e-5)
    # EarlyStopping read grad_norm: with patience 0 and mode "max" it stops at
    # the first epoch whose norm is not a new maximum, and not before.
    norms = history.history["grad_norm"]
    first_drop = next((i for i in range(1, 6) if norms[i] <= max(norms[:i])), None)
    assert first_drop is not None, f"the norm never fell, the check is void: {norms}"
    assert len(norms) == first_drop + 1, norms
    assert stopper.stopped_epoch == first_drop


def test_figures_reach_tensorboard(tmp_path):
    pytest.importorskip("tensorboard", reason="Keras's TensorBoard callback needs the "
                                              "`tensorboard` package, not installed here")
    x, y = _data()
    model = _sequential()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[GradientMonitor(), keras.callbacks.TensorBoard(str(tmp_path / "tb"))])
    events = glob.glob(str(tmp_path / "tb" / "train" / "events.out.tfevents.*"))
    assert events
    content = b"".join(open(p, "rb").read() for p in events)
    assert b"epoch_grad_norm" in content and b"epoch_update_ratio/hidden" in content


def test_hooks_come_off_and_model_saves_plain(tmp_path):
    x, y = _data()
    model = nnrecipes.build("mlp", input_shape=(8,), num_classes=3, units=8)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[GradientMonitor()])
    assert "train_step" not in model.__dict__
    assert "apply" not in model.optimizer.__dict__
    assert "stateless_apply" not in model.optimizer.__dict__
    plain = model.fit(x, y, epochs=1, verbose=0).history
    assert "grad_norm" not in plain
    path = str(tmp_path / "m.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_layer_groups_skip_non_trainable_and_keep_order():
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(3, name="a"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Dense(2, name="b"),
    ])
    groups = layer_groups(model)
    assert [name for name, _, _ in groups] == ["a", "bn", "b"]
    bn_vars = groups[1][2]
    assert len(bn_vars) == 2 and all(v.trainable for v in bn_vars)  # gamma, beta only
    model.get_layer("a").trainable = False
    assert [name for name, _, _ in layer_groups(model)] == ["bn", "b"]


def test_needs_a_compiled_model():
    with pytest.raises(ValueError, match="compile"):
        GradientMonitor().attach(_sequential())


def test_mixed_precision_norms_are_unscaled():
    x, y = _data()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _sequential()
        model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    logs = model.fit(x, y, batch_size=len(x), epochs=1, verbose=0,
                     callbacks=[GradientMonitor()]).history
    expected, _, _ = _tape_norms(model, x, y)  # float32 loss, no scaling
    # The loss scale (32768) is divided out; float16 rounding remains.
    np.testing.assert_allclose(logs["grad_norm"][0], expected, rtol=1e-2)


def test_kerastuner_objective_on_grad_norm(tmp_path, monkeypatch):
    import importlib.util
    import sys
    import types

    import keras_tuner

    if importlib.util.find_spec("tensorboard") is None:
        # KerasTuner imports tensorboard's hparams API in every trial on the
        # TensorFlow backend, though it only uses it for TensorBoard
        # callbacks (none here): an empty stand-in is enough.
        for name in ("tensorboard", "tensorboard.plugins", "tensorboard.plugins.hparams",
                     "tensorboard.plugins.hparams.api"):
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
        sys.modules["tensorboard.plugins.hparams"].api = sys.modules[
            "tensorboard.plugins.hparams.api"]
    x, y = _data()

    def build(hp):
        model = keras.Sequential([
            keras.Input((8,)),
            keras.layers.Dense(hp.Choice("units", [4, 8]), activation="relu", name="hidden"),
            keras.layers.Dense(3, activation="softmax", name="out")])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    tuner = keras_tuner.RandomSearch(
        build, objective=keras_tuner.Objective("grad_norm", direction="min"), max_trials=2,
        directory=str(tmp_path), project_name="grad", seed=0)
    tuner.search(x, y, epochs=1, verbose=0, callbacks=[GradientMonitor()])
    trials = tuner.oracle.get_best_trials(2)
    assert len(trials) == 2
    scores = [t.score for t in trials]
    assert all(np.isfinite(scores)) and all(s > 0 for s in scores)
    assert scores[0] <= scores[1]


@pytest.mark.tf_backend("a tf.distribute MirroredStrategy")
def test_several_replicas_are_refused_not_misreported():
    import subprocess
    import sys

    script = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from nnrecipes.diagnostics import GradientMonitor
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
try:
    GradientMonitor().attach(model)
except ValueError as error:
    print("REFUSED", error)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert "REFUSED GradientMonitor cannot watch training over 2 replicas" in done.stdout, \
        done.stdout[-1000:] + done.stderr[-2000:]
