"""Runs that cannot collide: real processes started together in one folder keep
their models or are refused at their start, never lose one; a full disk is one
clear error. The processes share nothing but the folder."""

import errno
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import keras
import pytest

import nnrecipes
from nnrecipes import storage
from nnrecipes.export import claims

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORKER = pathlib.Path(__file__).with_name("concurrency_worker.py")
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
TIMEOUT = 240  # seconds any one process may take


def _start(*argv):
    return subprocess.Popen([sys.executable, *map(str, argv)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)


def _nnrecipes(*argv):
    return _start("-m", "nnrecipes", *argv)


def _finish(process):
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"a process ran past {TIMEOUT} s: {err[-2000:]}")
    return process.returncode, out, err


def _versions(model_dir):
    return nnrecipes.export.existing_versions(str(model_dir))


def _wait_for(condition, process, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended before {what}: {process.communicate()[1][-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(0.1)


def _leftovers(model_dir):
    return [n for n in os.listdir(model_dir) if n.startswith((".tmp-", ".staging-"))]


@pytest.mark.large
def test_two_datasets_trained_together_keep_both_models_in_two_folders(tmp_path):
    runs = [_nnrecipes("train", "mlp", "--dataset", name, "--epochs", "2", "--units", "8",
                       "--export-dir", tmp_path, "--no-diagnostics", "--verbose", "0")
            for name in ("wine", "breast_cancer")]
    for process, name in zip(runs, ("wine", "breast_cancer")):
        code, out, err = _finish(process)
        assert code == 0, err[-3000:]
        assert f"Exported to {tmp_path / f'mlp_{name}' / '1'}/" in out
    for name, columns in (("wine", 13), ("breast_cancer", 30)):
        model_dir = tmp_path / f"mlp_{name}"
        assert _versions(model_dir) == [1] and not _leftovers(model_dir)
        manifest = nnrecipes.export.load_manifest(model_dir / "1")
        assert manifest["dataset"]["name"] == name and manifest["model_name"] == f"mlp_{name}"
        assert manifest["serving"]["input_shape"] == [None, columns]
    assert sorted(os.listdir(tmp_path)) == ["mlp_breast_cancer", "mlp_wine"]


@pytest.mark.large
def test_a_second_live_run_is_refused_and_a_killed_ones_lock_is_not_stuck(tmp_path):
    model_dir = tmp_path / "mlp_wine"
    lock = claims.RunLock(str(model_dir))
    first = _start(WORKER, tmp_path, "--dataset", "wine", "--epochs", "3", "--sleep", "20",
                   "--no-early-stopping")
    # The first run is live once its lock names it and it has checkpointed an epoch.
    _wait_for(lambda: (lock.holder().get("pid") == first.pid
                       and (model_dir / claims.CHECKPOINT_FOLDER / "latest").exists()),
              first, "the first run's first checkpoint")
    second = _start(WORKER, tmp_path, "--dataset", "wine", "--epochs", "3", "--seed", "1",
                    "--no-early-stopping")
    code, _, err = _finish(second)
    assert first.poll() is None, "the first run was still live"
    assert code == 1 and "Another run of the model in" in err, err[-3000:]
    assert f"pid {first.pid} on {storage.HOST}" in err and "concurrency_worker.py" in err
    assert "Traceback" not in err
    # Killed mid-run: the kernel drops its lock, and --resume takes it over.
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=60)
    assert lock.holder()["pid"] == first.pid  # its record stayed, but the lock is free:
    lock.acquire().release()
    resumed = _start(WORKER, tmp_path, "--dataset", "wine", "--epochs", "3", "--resume",
                     "--no-early-stopping")
    code, out, err = _finish(resumed)
    assert code == 0, err[-3000:]
    manifest = nnrecipes.export.load_manifest(model_dir / "1")
    assert manifest["training"]["resumed_at_epoch"] >= 1
    assert len(manifest["history"]["loss"]) == 3, "every epoch of the killed run is kept"
    assert _versions(model_dir) == [1] and not _leftovers(model_dir)
    assert not (model_dir / claims.CHECKPOINT_FOLDER).exists()


EXPORTER = textwrap.dedent("""
    import json, os, sys
    import nnrecipes
    model = nnrecipes.build("mlp", input_shape=(3,), num_classes=2, num_layers=1, units=8)
    print(json.dumps([nnrecipes.export.export_model(model, sys.argv[1], {"by": os.getpid()})
                      for _ in range(3)]))
""")


@pytest.mark.large
def test_exports_of_one_model_from_two_processes_each_get_a_version(tmp_path):
    base = tmp_path / "mlp_demo"
    processes = [_start("-c", EXPORTER, base) for _ in range(2)]
    written = {}
    for process in processes:
        code, out, err = _finish(process)
        assert code == 0, err[-3000:]
        written[process.pid] = json.loads(out.strip().splitlines()[-1])
    paths = [p for paths in written.values() for p in paths]
    assert len(set(paths)) == 6 and _versions(base) == [1, 2, 3, 4, 5, 6]
    for pid, mine in written.items():  # every version holds the model of who claimed it
        for path in mine:
            manifest = nnrecipes.export.load_manifest(path)
            assert manifest["by"] == pid and manifest["version"] == int(os.path.basename(path))
    assert not _leftovers(base)


@pytest.mark.large
def test_two_export_commands_on_one_version_keep_both_formats(tmp_path):
    model = nnrecipes.build("mlp", input_shape=(3,), num_classes=2, num_layers=1, units=8)
    version = nnrecipes.export.export_model(model, str(tmp_path / "mlp_demo"))
    runs = [_nnrecipes("export", version, "--format", name) for name in ("onnx", "litert")]
    for process in runs:
        code, _, err = _finish(process)
        assert code == 0, err[-3000:]
    manifest = nnrecipes.export.load_manifest(version)
    assert sorted(manifest["formats"]) == ["litert", "onnx"]
    assert {"model.onnx", "model.tflite"} <= set(os.listdir(version))
    assert not [n for n in os.listdir(version) if n.startswith(".tmp-")]


@pytest.mark.large
def test_two_refits_of_one_model_keep_both_or_refuse_the_second(tmp_path):
    runs = [_nnrecipes("tune", "mlp", "--dataset", "wine", "--tuner", "random",
                       "--max-trials", "1", "--epochs", "1", "--space", "units=8",
                       "--only-space", "--directory", tmp_path / "tuning",
                       "--project-name", f"search{i}", "--seed", str(i), "--refit",
                       "--export-dir", tmp_path / "models", "--verbose", "0")
            for i in range(2)]
    results = [_finish(process) for process in runs]
    exported = [r for r in results if r[0] == 0]
    refused = [r for r in results if r[0] != 0]
    for code, _, err in refused:
        assert code == 1 and "Another run of the model in" in err and "a refit" in err, err
    model_dir = tmp_path / "models" / "mlp_wine"
    assert exported and _versions(model_dir) == list(range(1, len(exported) + 1))
    seeds = {nnrecipes.export.load_manifest(model_dir / str(v))["training"]["seed"]
             for v in _versions(model_dir)}
    assert len(seeds) == len(exported), "each refit kept its own version"
    assert not _leftovers(model_dir)


# ------------------------------------------------------------------- full disk

def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_at_a_checkpoint_keeps_the_previous_one(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    checkpoint = nnrecipes.callbacks.EpochCheckpoint(str(tmp_path), run={"a": 1})
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"loss": 1.0})
    monkeypatch.setattr(keras.Model, "save", _full_disk)
    with pytest.raises(storage.WriteError, match=r"Could not write the checkpoint of epoch 2 "
                                                  rf"in '{tmp_path}': No space left") as error:
        checkpoint.on_epoch_end(1, {"loss": 0.5})
    assert error.value.errno == errno.ENOSPC
    assert sorted(os.listdir(tmp_path)) == ["epoch-00001", "latest"], "nothing half-written"
    assert nnrecipes.callbacks.EpochCheckpoint(str(tmp_path)).latest()["epoch"] == 1


@pytest.mark.parametrize("where", ["saved_model", "keras", "manifest"])
def test_a_full_disk_during_an_export_keeps_the_previous_version(tmp_path, monkeypatch, where):
    from nnrecipes.export import saved_model

    model = nnrecipes.build("mlp", input_shape=(3,), num_classes=2, num_layers=1, units=8)
    base = str(tmp_path / "mlp_demo")
    first = nnrecipes.export.export_model(model, base, {"run": "first"})
    target = {"saved_model": (saved_model, "write_saved_model"),
              "keras": (keras.Model, "save"), "manifest": (saved_model, "model_card")}[where]
    monkeypatch.setattr(*target, _full_disk)
    what = {"saved_model": "the SavedModel", "keras": "model.keras",
            "manifest": "the manifest of version 2"}[where]
    with pytest.raises(storage.WriteError, match=f"Could not write {what} in '{base}'"):
        nnrecipes.export.export_model(model, base, {"run": "second"})
    assert _versions(base) == [1] and not _leftovers(base)
    assert nnrecipes.export.load_manifest(first)["run"] == "first"


def _tmpfs_available():
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    done = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs "
                           "/mnt"], capture_output=True, timeout=30)
    return done.returncode == 0


@pytest.mark.large
def test_a_real_full_disk_is_one_clear_error(tmp_path):
    if not _tmpfs_available():
        pytest.skip("needs `unshare -rm` to mount a small tmpfs (user namespaces)")
    # Three conv blocks (8x8 digits get two by default): a checkpoint larger
    # than the 3 MB disk, so the first one fails.
    script = (f"mount -t tmpfs -o size=3m tmpfs /mnt && cd {ROOT} && {sys.executable} -m "
              "nnrecipes train cnn --epochs 2 --conv-blocks 3 --export-dir /mnt/D --verbose 0; "
              "echo rc=$?; "
              "find /mnt/D")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                          text=True, timeout=TIMEOUT, env=ENV)
    assert "rc=1" in done.stdout, done.stdout[-2000:] + done.stderr[-3000:]
    assert "nnrecipes: error: Could not write the checkpoint of epoch 1 in " \
           "'/mnt/D/cnn_digits/.checkpoint': No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Segmentation" not in done.stderr
    assert ".staging-" not in done.stdout and ".tmp-" not in done.stdout
    assert not [line for line in done.stdout.splitlines()
                if line.startswith("/mnt/D/") and line.split("/")[-1].isdigit()]
