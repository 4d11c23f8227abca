"""The `nnrecipes` command: subcommands, per-recipe flags, errors."""

import json
import os
import pathlib
import subprocess
import sys

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
    for name in nnrecipes.get_recipe("transformer").hyperparameters():
        assert f"--{name.replace('_', '-')}" in out, name
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
                   "--export-dir", str(tmp_path), "--verbose", "2"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Test metrics (digits, 360 held-out examples): accuracy=" in done.stdout
    assert "Epoch 2/2" in done.stdout
    manifest = json.loads((tmp_path / "mlp" / "1" / "manifest.json").read_text())
    values = manifest["hyperparameters"]
    assert (values["num_layers"], values["units"], values["batch_norm"]) == (1, 32, True)
    assert (values["optimizer"], values["learning_rate"]) == ("sgd", 0.05)


@pytest.mark.large
def test_python_dash_m_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "nnrecipes", "list"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "transformer" in done.stdout
