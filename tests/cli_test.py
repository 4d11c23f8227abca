"""The `nnrecipes` command: subcommands, per-recipe flags, errors."""

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

import nnrecipes
from nnrecipes import cli


def test_list_shows_every_recipe(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for name in nnrecipes.list_recipes():
        assert name in out
    assert "dnn" in out


def test_info_prints_the_declaration(capsys):
    assert cli.main(["info", "lstm"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "lstm"
    assert info["hyperparameters"]["units"]["default"] == 64
    assert cli.main(["info", "gru", "--task", "regression"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["hyperparameters"]["loss"]["values"][:3] == ["mse", "mae", "huber"]


def test_datasets_lists_the_catalog(capsys):
    assert cli.main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "fashion_mnist" in out


def test_train_help_has_one_flag_per_hyperparameter(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "transformer", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    recipe = nnrecipes.get_recipe("transformer")
    # Regression-only knobs (the forecasting means, `quantile`) have flags too.
    for name in {**recipe.hyperparameters(), **recipe.hyperparameters("regression")}:
        assert f"--{name.replace('_', '-')}" in out, name
    assert "regression only" in out
    assert "--data-dir" in out and "--epochs" in out and "--seed" in out


@pytest.mark.parametrize("argv, message", [
    (["train", "lstn"], "Did you mean 'lstm'"),
    (["train"], "name a recipe"),
    (["train", "mlp", "--units", "5000", "--no-export"], "out of range"),
    (["train", "mlp", "--optimizer", "adamm", "--no-export"], "must be one of"),
    (["train", "mlp", "--epochs", "0", "--no-export"], "`epochs` must be a positive integer"),
    (["train", "mlp", "--dataset", "fashion_mnst"], "Did you mean 'fashion_mnist'"),
    (["train", "cnn", "--dataset", "fashion_mnist", "--data-dir", "/nonexistent/dir"],
     "/nonexistent/dir/fashion_mnist/t10k-images-idx3-ubyte.gz"),
    (["train", "mlp", "--patience", "0", "--no-export"], "Received: --patience 0"),
    (["train", "mlp", "--patience", "3", "--no-early-stopping"], "contradict each other"),
])
def test_train_errors_are_one_clear_line(argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert message in str(exit_info.value.code)


def test_unknown_flags_are_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "mlp", "--unitz", "3"])
    assert exit_info.value.code == 2
    assert "--unitz" in capsys.readouterr().err


@pytest.mark.large
def test_console_script_trains_and_exports_with_hyperparameter_flags(tmp_path):
    script = pathlib.Path(sys.executable).parent / "nnrecipes"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "nnrecipes"]
    done = subprocess.run(
        command + ["train", "mlp", "--epochs", "2", "--num-layers", "1", "--units", "32",
                   "--batch-norm", "true", "--optimizer", "sgd", "--learning-rate", "0.05",
                   "--export-dir", str(tmp_path), "--verbose", "2", "--patience", "1"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Test metrics (digits, 360 held-out examples): accuracy=" in done.stdout
    assert "Against the baseline: accuracy " in done.stdout and "(majority class 0." in \
        done.stdout
    assert "Epoch 2/2" in done.stdout
    manifest = json.loads((tmp_path / "mlp_digits" / "1" / "manifest.json").read_text())
    values = manifest["hyperparameters"]
    assert (values["num_layers"], values["units"], values["batch_norm"]) == (1, 32, True)
    assert (values["optimizer"], values["learning_rate"]) == ("sgd", 0.05)
    assert manifest["early_stopping"]["patience"] == 1
    assert f"Kept epoch {manifest['early_stopping']['kept_epoch']} of 2" in done.stdout
    assert os.path.isfile(tmp_path / "mlp_digits" / "1" / "plots" / "confusion_matrix.png")


@pytest.mark.large
def test_python_dash_m_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "nnrecipes", "list"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "transformer" in done.stdout


def _command(*args):
    """`python -X importtime` running the console script (or `-m nnrecipes`) with `args`."""
    script = pathlib.Path(sys.executable).parent / "nnrecipes"
    entry = [str(script)] if script.exists() else ["-m", "nnrecipes"]
    return [sys.executable, "-X", "importtime", *entry, *args]


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["list", "--help"]])
def test_help_answers_without_importing_tensorflow(argv):
    for command in (_command(*argv), [sys.executable, "-X", "importtime", "-m", "nnrecipes",
                                      *argv]):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        seconds = time.perf_counter() - start
        assert done.returncode == 0, done.stderr[-2000:]
        assert "usage: nnrecipes" in done.stdout
        # -X importtime lists every module the process imported, one per line.
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert "nnrecipes.cli" in imported
        assert not imported & {"tensorflow", "keras", "numpy"}, command
        assert seconds < 3, (command, seconds)  # about 0.1 s on a quiet machine


def test_datasets_answers_without_importing_tensorflow():
    expected = set(nnrecipes.data.list_datasets())
    for command in (_command("datasets"), [sys.executable, "-X", "importtime", "-m",
                                          "nnrecipes", "datasets"]):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        seconds = time.perf_counter() - start
        assert done.returncode == 0, done.stderr[-2000:]
        assert {line.split()[0] for line in done.stdout.splitlines()} == expected
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert "nnrecipes.data.catalog" in imported
        assert not imported & {"tensorflow", "keras", "keras_tuner"}, command
        assert seconds < 5, (command, seconds)  # under 1 s on a quiet machine


def run_probe(probe):
    """Runs `python -c probe` in a fresh process; returns its printed words."""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_data_imports_tensorflow_only_for_its_pipelines():
    probe = ("import sys; sys.argv = ['nnrecipes']; import nnrecipes.data as d; "
             "print('tensorflow' in sys.modules, len(d.list_datasets()) > 0); "
             "d.as_datasets; print('tensorflow' in sys.modules)")
    assert run_probe(probe) == ["False", "True", "True"]


def test_import_nnrecipes_registers_the_lazy_data_layers():
    # A saved model with a TabularEncoder loads after `import nnrecipes` alone.
    probe = ("import keras, nnrecipes; objects = keras.saving.get_custom_objects(); "
             "print(all(f'nnrecipes>{n}' in objects for n in "
             "('TabularEncoder', 'Denormalization')))")
    assert run_probe(probe) == ["True"]


def test_native_log_filter_drops_tensorflow_lines_only(capfd):
    with cli.native_log_filter():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called "
                    b"are written to STDERR\n"
                    b"I0000 00:00:1796029287.827873    4745 port.cc:153] oneDNN custom "
                    b"operations are on.\n"
                    b"E0000 00:00:1796029491.045596   23331 cuda_platform.cc:52] failed "
                    b"call to cuInit\n"
                    b"a line of our own\n")
    assert capfd.readouterr().err == "a line of our own\n"
    with pytest.raises(RuntimeError):
        with cli.native_log_filter():
            os.write(2, b"W0000 00:00:1.0 1 loader.cc:1] why the import failed\n")
            raise RuntimeError("import failed")
    assert "why the import failed" in capfd.readouterr().err


def test_command_output_has_no_tensorflow_log_lines_unless_verbose():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    quiet = subprocess.run([sys.executable, "-m", "nnrecipes", "list"], capture_output=True,
                           text=True, timeout=120, env=env)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert quiet.stdout.startswith("cnn ")
    assert quiet.stderr == ""
    loud = subprocess.run([sys.executable, "-m", "nnrecipes", "--verbose", "list"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert loud.returncode == 0, loud.stderr[-2000:]
    assert loud.stdout == quiet.stdout
    assert any(cli.NATIVE_LOG_LINE.match(line) for line in loud.stderr.splitlines())


def test_train_prints_one_line_per_epoch_when_stdout_is_not_a_terminal(tmp_path, capsys):
    nnrecipes.train("mlp", epochs=2, export=False, export_dir=str(tmp_path), units=32)
    out = capsys.readouterr().out
    assert "\r" not in out and "\b" not in out
    epoch_lines = [line for line in out.splitlines() if "/step - " in line]
    assert len(epoch_lines) == 2, out
    assert all("val_loss" in line for line in epoch_lines)
