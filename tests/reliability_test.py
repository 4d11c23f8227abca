"""Reliability: runs killed at any point resume with nothing lost, exports are
atomic, deterministic runs repeat exactly, NaN stops training cleanly, and bad
input is refused early in clear words."""

import json
import os
import pathlib
import signal
import subprocess
import sys

import hypothesis
import hypothesis.strategies as st
import keras
import keras_tuner
import numpy as np
import pytest

import nnrecipes
from nnrecipes import registry
from nnrecipes import storage
from nnrecipes import training
from nnrecipes.export import claims
from tests.conftest import in_parallel

WORKER = pathlib.Path(__file__).with_name("resume_worker.py")


def _worker(export_dir, *args):
    return subprocess.run([sys.executable, str(WORKER), str(export_dir), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def _listing(base):
    """A model folder's entries, without its two lock files (kept: see claims)."""
    return sorted(set(os.listdir(base)) - {claims.RUN_LOCK, claims.PUBLISH_LOCK})


def _weights(version_dir):
    return keras.saving.load_model(os.path.join(version_dir, "model.keras")).get_weights()


KILLS = [
    ("batch:0:2", {0}),     # before the first checkpoint
    # Mid-epoch, after two completed epochs: the checkpoint is sized to the
    # epoch (engine.CHECKPOINT_SHARE), so the last one may be of epoch 1.
    ("batch:2:5", {1, 2}),
    ("export", {4}),        # during the export, after training finished
]


def _kill_then_resume(folder, kill_at):
    """A run killed at `kill_at`, then (for an export) one without --resume, then
    --resume: each process's outcome and the model folder's state after the kill."""
    seen = {"killed": _worker(folder, "--kill-at", kill_at)}
    base = folder / "mlp_digits"
    seen["version_after_kill"] = (base / "1").exists()
    seen["after_kill"] = sorted(os.listdir(base)) if base.is_dir() else []
    if kill_at == "export":
        seen["refused"] = _worker(folder)  # without --resume the checkpoint is not discarded
    seen["resumed"] = _worker(folder, "--resume")
    return seen


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """An uninterrupted deterministic run, twice (both must match exactly), and each
    killed run with its resumption: separate processes, run side by side."""
    calls = [lambda folder=tmp_path_factory.mktemp(name): (folder, _worker(folder))
             for name in ("first", "second")]
    calls += [lambda folder=tmp_path_factory.mktemp("killed"), kill_at=kill_at:
              (folder, _kill_then_resume(folder, kill_at)) for kill_at, _ in KILLS]
    done = in_parallel(*calls)
    return {"reference": done[:2], "killed": dict(zip([k for k, _ in KILLS], done[2:]))}


@pytest.fixture(scope="module")
def reference(runs):
    for _, done in runs["reference"]:
        assert done.returncode == 0, done.stderr[-3000:]
    return [folder / "mlp_digits" / "1" for folder, _ in runs["reference"]]


@pytest.mark.large
def test_two_deterministic_runs_give_identical_weights(reference):
    first, second = (_weights(path) for path in reference)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    manifest = nnrecipes.export.load_manifest(reference[0])
    assert manifest["training"]["seed"] == 3 and manifest["training"]["deterministic"]
    assert {"tensorflow", "keras", "numpy"} <= set(manifest["versions"])
    assert "cpu_count" in manifest["hardware"]


@pytest.mark.large
@pytest.mark.parametrize("kill_at, resumed_at", KILLS)
def test_killed_run_resumes_with_nothing_lost(runs, reference, kill_at, resumed_at):
    folder, seen = runs["killed"][kill_at]
    killed = seen["killed"]
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    base = folder / "mlp_digits"
    assert not seen["version_after_kill"], "no version appears before its export completes"
    if kill_at == "export":
        assert [n for n in seen["after_kill"] if n.startswith(".tmp-")], "the export had begun"
        refused = seen["refused"]  # without --resume the checkpoint is not discarded
        assert refused.returncode != 0 and "Pass resume=True" in refused.stderr
    # The killed run's lock went with it: --resume takes it over.
    resumed = seen["resumed"]
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert _listing(base) == ["1"], "no staging or checkpoint left"
    manifest = nnrecipes.export.load_manifest(base / "1")
    assert manifest["training"]["resumed_at_epoch"] in resumed_at
    reference_manifest = nnrecipes.export.load_manifest(reference[0])
    assert manifest["history"] == reference_manifest["history"], "every epoch is on record"
    assert manifest["metrics"]["test"] == reference_manifest["metrics"]["test"]
    got, expected = _weights(base / "1"), _weights(reference[0])
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_resume_refuses_a_checkpoint_of_other_arguments(tmp_path):
    checkpoint = nnrecipes.callbacks.EpochCheckpoint(
        str(tmp_path / "mlp_digits" / training.CHECKPOINT_FOLDER), run={"epochs": 99})
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(FileExistsError, match="Pass resume=True"):
        nnrecipes.train("mlp", export_dir=str(tmp_path), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="other arguments .*epochs"):
        nnrecipes.train("mlp", export_dir=str(tmp_path), epochs=1, verbose=0, resume=True)


def test_epoch_checkpoint_is_atomic_and_keeps_one_epoch(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3),
                              keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    checkpoint = nnrecipes.callbacks.EpochCheckpoint(str(tmp_path), run={"a": 1})
    checkpoint.set_model(model)
    for epoch in range(3):
        checkpoint.on_epoch_end(epoch, {"loss": float(epoch)})
    assert sorted(os.listdir(tmp_path)) == ["epoch-00003", "latest"]
    assert os.listdir(tmp_path / "epoch-00003") and not [
        n for n in os.listdir(tmp_path) if n.startswith(".staging-")]
    state = checkpoint.latest()
    assert state["epoch"] == 3 and state["history"] == {"loss": [0.0, 1.0, 2.0]}
    assert state["rng"], "the Dropout random state is saved too"
    clone = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3),
                              keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    clone.compile("adam", "mse")
    restored = nnrecipes.callbacks.EpochCheckpoint(str(tmp_path)).restore(clone)
    assert restored["epoch"] == 3
    for a, b in zip(model.variables, clone.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert int(clone.optimizer.iterations) == int(model.optimizer.iterations) == 1
    # Adam's moments come back too, not only the step count.
    moments = [v for v in model.optimizer.variables if "momentum" in v.path]
    assert moments and np.abs(np.asarray(moments[0])).sum() > 0
    for a, b in zip(model.optimizer.variables, clone.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.large
def test_nan_loss_stops_training_keeps_good_weights_and_says_why(tmp_path):
    result = nnrecipes.train(
        "mlp", epochs=3, export_dir=str(tmp_path), verbose=0, optimizer="sgd",
        learning_rate=1.0, momentum=0.99, activation="linear", num_layers=6, dropout=0.0)
    assert result.stopped and result.stopped["epoch"] == 1
    assert result.stopped["step"] >= 1
    assert "Training stopped: the loss became nan" in result.manifest["stopped"]["message"]
    assert all(np.isfinite(w).all() for w in result.model.get_weights())
    assert result.export_path is None and not _listing(tmp_path / "mlp_digits")
    codes = [f["code"] for f in result.manifest["health"]["findings"]]
    assert "divergence" in codes


def test_export_overwrites_only_when_asked(tmp_path):
    model = nnrecipes.build("mlp", input_shape=(3,), num_classes=2, num_layers=1, units=8)
    base = str(tmp_path / "mlp")
    first = nnrecipes.export.export_model(model, base, {"run": "first"})
    with pytest.raises(FileExistsError, match="never overwritten"):
        nnrecipes.export.export_model(model, base, {"run": "second"}, version=1)
    assert nnrecipes.export.load_manifest(first)["run"] == "first"
    nnrecipes.export.export_model(model, base, {"run": "second"}, version=1, overwrite=True)
    assert nnrecipes.export.load_manifest(first)["run"] == "second"
    assert _listing(base) == ["1"]
    stale = os.path.join(base, f".tmp-999999999-abcd@{storage.HOST}")  # a dead process's
    live = os.path.join(base, f".tmp-{os.getppid()}-abcd@{storage.HOST}")  # a live one's
    os.makedirs(stale)
    os.makedirs(live)
    nnrecipes.export.export_model(model, base)
    assert _listing(base) == [os.path.basename(live), "1", "2"]


def test_export_is_published_whole_or_not_at_all(tmp_path):
    model = nnrecipes.build("mlp", input_shape=(3,), num_classes=2, num_layers=1, units=8)
    base = str(tmp_path / "mlp")
    seen = {}

    def look(staging):
        seen["base"] = sorted(os.listdir(base))
        seen["staging"] = sorted(os.listdir(staging))
        seen["name"] = os.path.basename(staging)

    first = nnrecipes.export.export_model(model, base, {"run": "first"}, before_publish=look)
    # While the files were written, only the hidden staging folder existed.
    assert seen["base"] == [seen["name"]] and seen["name"].startswith(".tmp-")
    assert {"saved_model.pb", "model.keras"} <= set(seen["staging"])
    assert _listing(base) == ["1"]
    # The version folder reads like any other folder (not mkdtemp's 0700).
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(first).st_mode & 0o777 == 0o777 & ~umask

    def fail(staging):
        raise OSError("disk full")

    for overwrite, version in ((False, None), (True, 1)):
        with pytest.raises(OSError, match="disk full"):
            nnrecipes.export.export_model(model, base, {"run": "second"}, version=version,
                                          overwrite=overwrite, before_publish=fail)
        # A failed export leaves neither a version nor its staging folder, and
        # the version it was to replace is untouched.
        assert _listing(base) == ["1"]
        assert nnrecipes.export.load_manifest(first)["run"] == "first"


# ---------------------------------------------------------------- bad input

def _splits(**changes):
    data = nnrecipes.data.load("wine")
    return type(data)(**{**vars(data), **changes})


def _wine_with(part, fn):
    data = nnrecipes.data.load("wine")
    value = getattr(data, part).copy()
    fn(value)
    return _splits(**{part: value})


def _regression_with_nan_target():
    data = nnrecipes.data.load("wine")
    y = data.y_train.astype("float32")
    y[0] = np.nan
    return _splits(num_classes=None, num_outputs=1, y_train=y)


def _keras_file(tmp_path, how):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    path = tmp_path / "model.keras"
    if how == "lambda":
        model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda x: x * 2)])
    model.save(path)
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif how == "garbage":
        path.write_bytes(b"not a zip file at all")
    elif how == "h5":
        path = path.rename(tmp_path / "model.h5")
    return str(path)


def _checkpoint_then_train(tmp_path):
    folder = tmp_path / "mlp_digits" / training.CHECKPOINT_FOLDER
    os.makedirs(folder / "epoch-00001")
    (folder / "latest").write_text("epoch-00001")
    (folder / "epoch-00001" / "progress.json").write_text(
        json.dumps({"epoch": 1, "history": {}, "run": {}}))
    nnrecipes.train("mlp", export_dir=str(tmp_path), epochs=1, verbose=0)


def _truncated_idx(tmp_path):
    folder = tmp_path / "fashion_mnist"
    folder.mkdir()
    import gzip

    with gzip.open(folder / "t10k-images-idx3-ubyte.gz", "wb") as f:
        f.write(b"\x00\x00\x08\x03" + (10).to_bytes(4, "big") + (28).to_bytes(4, "big")
                + (28).to_bytes(4, "big") + b"\x00" * 100)
    nnrecipes.data.load("fashion_mnist", data_dir=str(tmp_path))


def _no_data_dir(monkeypatch):
    monkeypatch.delenv(nnrecipes.data.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(nnrecipes.data.catalog, "WELL_KNOWN_DATA_DIRS", ())
    nnrecipes.train("cnn", "fashion_mnist", data_dir=None)


def _unwritable_export(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    nnrecipes.train("mlp", export_dir=str(tmp_path / "out"), epochs=1)


def _mixed_precision_on_cpu(tmp_path):
    import tensorflow as tf

    if tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("TPU"):
        pytest.skip("this machine has an accelerator, where mixed precision is valid")
    try:
        T("mlp", mixed_precision=True, export_dir=str(tmp_path))
    finally:
        assert keras.mixed_precision.global_policy().name == "float32"


def _existing_version(tmp_path):
    (tmp_path / "mlp_digits" / "4").mkdir(parents=True)
    nnrecipes.train("mlp", export_dir=str(tmp_path), version=4, epochs=1)


B = nnrecipes.build
T = nnrecipes.train
BAD_INPUT = [
    # (id, call(tmp_path, monkeypatch), exception, message pattern)
    ("unknown recipe", lambda p, m: B("lstn", input_shape=(4, 2), num_classes=2),
     ValueError, r"Unknown recipe 'lstn'\. Did you mean 'lstm'\?"),
    ("unknown recipe in train", lambda p, m: T("transfromer"), ValueError,
     "Did you mean 'transformer'"),
    ("unknown hyperparameter", lambda p, m: B("mlp", input_shape=(4,), num_classes=2, unit=3),
     ValueError, r"Unknown hyperparameter.*'unit' -> 'units'"),
    ("unknown dataset", lambda p, m: T("mlp", "fashion"), ValueError,
     r"Unknown dataset 'fashion'.*Valid"),
    ("int out of range", lambda p, m: B("mlp", input_shape=(4,), num_classes=2, num_layers=9),
     ValueError, r"out of range.*\[0, 8\]. Received: num_layers=9"),
    ("int of wrong type", lambda p, m: B("gru", input_shape=(4, 2), num_classes=2,
                                         units="64"), ValueError, "must be an integer"),
    ("float out of range", lambda p, m: B("mlp", input_shape=(4,), num_classes=2,
                                          dropout=1.5), ValueError, "Received: dropout=1.5"),
    ("zero learning rate", lambda p, m: B("cnn", input_shape=(8, 8, 1), num_classes=2,
                                          learning_rate=0), ValueError, "learning_rate=0"),
    ("negative learning rate", lambda p, m: T("mlp", learning_rate=-0.1), ValueError,
     "learning_rate=-0.1"),
    ("bad choice", lambda p, m: B("lstm", input_shape=(4, 2), num_classes=2,
                                  activation="relu7"), ValueError, "must be one of"),
    ("bad boolean", lambda p, m: B("lstm", input_shape=(4, 2), num_classes=2,
                                   bidirectional=1), ValueError, "must be True or False"),
    ("regression loss for classifier", lambda p, m: B("mlp", input_shape=(4,), num_classes=2,
                                                      loss="mse"), ValueError, "must be one of"),
    ("tabular into cnn", lambda p, m: B("cnn", input_shape=(10,), num_classes=2), ValueError,
     r"cannot take tabular input\. Valid inputs: image"),
    ("image into lstm", lambda p, m: B("lstm", input_shape=(8, 8, 1), num_classes=2),
     ValueError, "cannot take image input"),
    ("4-d input", lambda p, m: B("mlp", input_shape=(2, 2, 2, 2), num_classes=2), ValueError,
     "1 to 3 dimensions"),
    ("zero-sized input", lambda p, m: B("mlp", input_shape=(0,), num_classes=2), ValueError,
     "positive integers"),
    ("shape not a tuple", lambda p, m: B("mlp", input_shape=7, num_classes=2), ValueError,
     "must be a tuple"),
    ("vocab with 2-d shape", lambda p, m: B("lstm", input_shape=(4, 2), vocab_size=9,
                                            num_classes=2), ValueError, "Token inputs take"),
    ("vocab too small", lambda p, m: B("lstm", input_shape=(4,), vocab_size=1, num_classes=2),
     ValueError, "vocab_size=1"),
    ("float dtype for tokens", lambda p, m: B("gru", input_shape=(4,), vocab_size=9,
                                              num_classes=2, input_dtype="float32"),
     ValueError, "integer dtype"),
    ("string dtype for numbers", lambda p, m: B("mlp", input_shape=(4,), num_classes=2,
                                                input_dtype="string"), ValueError,
     "must be a numeric"),
    ("unknown dtype", lambda p, m: B("mlp", input_shape=(4,), num_classes=2,
                                     input_dtype="float33"), ValueError, "float33"),
    ("one class", lambda p, m: B("mlp", input_shape=(4,), num_classes=1), ValueError,
     "num_classes=1"),
    ("classes and outputs", lambda p, m: B("mlp", input_shape=(4,), num_classes=2,
                                           num_outputs=1), ValueError, "exactly one of"),
    ("heads do not divide", lambda p, m: B("transformer", input_shape=(4, 2), num_classes=2,
                                           embed_dim=10, num_heads=3), ValueError,
     "divisible by `num_heads`"),
    ("zero epochs", lambda p, m: T("mlp", epochs=0), ValueError, "epochs=0"),
    ("negative epochs", lambda p, m: T("mlp", epochs=-2), ValueError, "epochs=-2"),
    ("zero batch size", lambda p, m: T("mlp", batch_size=0), ValueError, "batch_size=0"),
    ("negative seed", lambda p, m: T("mlp", seed=-1), ValueError, "seed=-1"),
    ("batch larger than split", lambda p, m: T("mlp", batch_size=5000), ValueError,
     "larger than the training split"),
    ("labels out of range", lambda p, m: nnrecipes.data.check_splits(
        _wine_with("y_train", lambda y: y.__setitem__(0, 7))), ValueError,
     r"labels must lie in 0\.\.2\. Received: \[7\]"),
    ("negative label", lambda p, m: nnrecipes.data.check_splits(
        _wine_with("y_test", lambda y: y.__setitem__(3, -1))), ValueError, r"Received: \[-1\]"),
    ("NaN feature", lambda p, m: nnrecipes.data.check_splits(
        _wine_with("x_train", lambda x: x.__setitem__((0, 0), np.nan))), ValueError,
     "train inputs hold NaN"),
    ("infinite feature", lambda p, m: nnrecipes.data.check_splits(
        _wine_with("x_val", lambda x: x.__setitem__((0, 0), np.inf))), ValueError,
     "val inputs hold NaN or infinite"),
    ("NaN target", lambda p, m: nnrecipes.data.check_splits(_regression_with_nan_target()),
     ValueError, "train targets hold NaN"),
    ("empty split", lambda p, m: nnrecipes.data.check_splits(_splits(
        x_test=np.zeros((0, 13)), y_test=np.zeros((0,)))), ValueError, "empty test split"),
    ("file-based dataset without data_dir", lambda p, m: _no_data_dir(m), ValueError,
     "give data_dir"),
    ("dataset file missing", lambda p, m: nnrecipes.data.load("fashion_mnist",
                                                              data_dir=str(p)),
     FileNotFoundError, "t10k-images-idx3-ubyte.gz"),
    ("truncated IDX file", lambda p, m: _truncated_idx(p), ValueError, "truncated"),
    ("export dir is a file", lambda p, m: (p / "f").write_text("x") and T(
        "mlp", export_dir=str(p / "f" / "sub")), ValueError, "is a file, not a folder"),
    ("export dir not writable", _unwritable_export, PermissionError, "not writable"),
    ("existing export version", lambda p, m: _existing_version(p), FileExistsError,
     "never overwritten"),
    ("overwrite without version", lambda p, m: T("mlp", overwrite=True), ValueError,
     "name it with version=N"),
    ("version without export", lambda p, m: T("mlp", export=False, version=3), ValueError,
     "export=False"),
    ("checkpoint without resume", lambda p, m: _checkpoint_then_train(p), FileExistsError,
     "Pass resume=True"),
    ("corrupt .keras", lambda p, m: nnrecipes.export.load_model(_keras_file(p, "garbage")),
     ValueError, "corrupt or truncated"),
    ("truncated .keras", lambda p, m: nnrecipes.export.load_model(
        _keras_file(p, "truncated")), ValueError, "corrupt or truncated"),
    ("Lambda in .keras", lambda p, m: nnrecipes.export.load_model(_keras_file(p, "lambda")),
     ValueError, "Lambda layer"),
    ("not a .keras file", lambda p, m: nnrecipes.export.load_model(_keras_file(p, "h5")),
     ValueError, "is not a `.keras` file"),
    ("no model file", lambda p, m: nnrecipes.export.load_model(str(p / "none.keras")),
     FileNotFoundError, "No model file"),
    ("unknown strategy", lambda p, m: T("mlp", strategy="gpu", export_dir=str(p)),
     ValueError, r"`strategy` must be one of \['auto'"),
    ("mixed precision on a CPU", lambda p, m: _mixed_precision_on_cpu(p), ValueError,
     "needs a GPU or a TPU"),
]


@pytest.mark.parametrize("call, error, pattern", [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_refused_early_in_clear_words(tmp_path, monkeypatch, call, error,
                                                   pattern):
    before = set(os.listdir(tmp_path))
    with pytest.raises(error, match=pattern):
        call(tmp_path, monkeypatch)
    created = set(os.listdir(tmp_path)) - before
    assert not any((tmp_path / n).is_dir() and n.isdigit() for n in created)


def test_lambda_file_loads_when_the_user_opts_out(tmp_path):
    model = nnrecipes.export.load_model(_keras_file(tmp_path, "lambda"), safe_mode=False)
    np.testing.assert_allclose(model(np.ones((1, 2))), [[2.0, 2.0]])


# A few generated inputs for the hyperparameter validator.
ANY_VALUE = st.one_of(st.integers(-10**9, 10**9), st.floats(allow_nan=True, allow_infinity=True),
                      st.booleans(), st.text(max_size=8), st.none(),
                      st.lists(st.integers(), max_size=2))


def _declared(recipe="transformer"):
    hp = keras_tuner.HyperParameters()
    nnrecipes.get_recipe(recipe).search_space(hp, "classification")
    return {p.name: p for p in hp.space}


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(name=st.sampled_from(sorted(_declared())), value=ANY_VALUE)
def test_validator_accepts_exactly_the_declared_values(name, value):
    param = _declared()[name]
    kind = type(param).__name__
    try:
        checked = registry.check_value(param, value)
    except ValueError as error:
        assert name in str(error) and "Received" in str(error)
        return
    if kind in ("Int", "Float"):
        assert param.min_value <= checked <= param.max_value
        assert not isinstance(value, bool)
        assert isinstance(checked, int if kind == "Int" else float)
    elif kind == "Boolean":
        assert checked is value and isinstance(value, bool)
    else:
        assert checked in param.values


@hypothesis.settings(max_examples=50, deadline=None)
@hypothesis.given(data=st.data())
def test_validator_accepts_every_value_inside_a_declared_range(data):
    for name, param in _declared("mlp").items():
        kind = type(param).__name__
        if kind == "Int":
            value = data.draw(st.integers(param.min_value, param.max_value))
        elif kind == "Float":
            value = data.draw(st.floats(param.min_value, param.max_value))
        elif kind == "Choice":
            value = data.draw(st.sampled_from(list(param.values)))
        else:
            value = data.draw(st.booleans())
        assert registry.check_value(param, value) == value
