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
    # `train auto ... --help` starts TensorFlow (auto loads the data to choose).
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    argv = ["train", "auto", "--dataset", "wine", "--help"]
    quiet = subprocess.run([sys.executable, "-m", "nnrecipes", *argv], capture_output=True,
                           text=True, timeout=120, env=env)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert quiet.stdout.startswith("usage: nnrecipes train auto")
    assert quiet.stderr == ""
    loud = subprocess.run([sys.executable, "-m", "nnrecipes", "--verbose", *argv],
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


# Every answer that needs no model, with the words it must hold and its exit status.
ANSWERS_WITHOUT_A_MODEL = [
    (["list"], "transformer", 0),
    (["info", "lstm"], '"units"', 0),
    (["datasets"], "digits", 0),
    (["--help"], "usage: nnrecipes", 0),
    (["train", "mlp", "--help"], "--learning-rate", 0),
    (["tune", "mlp", "--help"], "--tensorboard", 0),
    (["train", "lstn"], "Did you mean 'lstm'?", 1),
    (["info", "lstn"], "Did you mean 'lstm'?", 1),
    (["train", "lstm", "--epoch", "3"], "unknown flag --epoch; did you mean --epochs", 2),
    (["train", "mlp", "--dataset", "csv:no/such/file.csv"], "no file or folder at", 1),
    (["tune", "mlp", "--dataset", "csv:no/such/file.csv"], "no file or folder at", 1),
    (["train", "auto", "--dataset", "csv:no/such/file.csv"], "no file or folder at", 1),
    (["train", "mlp", "--dataset", "digts"], "Did you mean 'digits'?", 1),
    (["train", "mlp", "--epochs", "x"], "invalid int value: 'x'", 2),
    (["train", "mlp", "--units", "many"], "invalid int value: 'many'", 2),
    (["train", "mlp", "--patience", "0"], "Received: --patience 0", 1),
    (["train", "mlp", "--target", "y"], "--target names a column of a csv: dataset", 1),
]


@pytest.mark.parametrize("argv, words, status", ANSWERS_WITHOUT_A_MODEL)
def test_answers_that_need_no_model_do_not_import_tensorflow(argv, words, status):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "nnrecipes", *argv],
                          capture_output=True, text=True, timeout=60)
    lines = done.stderr.splitlines()
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines
                if line.startswith("import time:")}
    said = done.stdout + "\n".join(line for line in lines
                                   if not line.startswith("import time:"))
    assert done.returncode == status, said[-2000:]
    assert words in said
    assert not imported & {"tensorflow", "keras", "keras_tuner"}, argv


def test_an_unknown_flag_is_one_line_with_the_closest_flags(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "lstm", "--epoch", "3"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == ("nnrecipes train lstm: error: unknown flag --epoch; did you mean "
                   "--epochs?\n")
    with pytest.raises(SystemExit):
        cli.main(["train", "mlp", "--zzzzqq"])
    assert "lists the flags" in capsys.readouterr().err


def test_exported_files_names_every_file_written(tmp_path):
    for name in ("saved_model.pb", "fingerprint.pb", "model.keras", "manifest.json",
                 "model.onnx", "model.tflite", "README.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / "variables").mkdir()
    (tmp_path / "plots").mkdir()
    assert cli.exported_files(tmp_path) == [
        "SavedModel", "README.md", "manifest.json", "model.keras", "model.onnx",
        "model.tflite", "plots/"]


def _table(tmp_path):
    """A small CSV whose target `kind` is not the last column."""
    rows = ["a,kind,b"] + [f"{i % 7},{'yes' if i % 2 else 'no'},{i % 3}" for i in range(80)]
    path = tmp_path / "table.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_target_names_the_csv_target_column(tmp_path):
    path = _table(tmp_path)
    args = cli.argparse.Namespace(dataset=f"csv:{path}", data_dir=None, seed=0, target="kind")
    splits = cli.load_with_target(args)
    assert splits.num_classes == 2 and splits.x_train.shape[1] == 2
    args.target = "b"  # three values: a different target
    assert cli.load_with_target(args).num_classes == 3
    args.target = "knd"
    with pytest.raises(SystemExit) as exit_info:
        cli.load_with_target(args)
    message = str(exit_info.value.code)
    assert "no column 'knd'" in message and "['a', 'kind', 'b']" in message


def test_train_writes_tensorboard_logs(tmp_path, capsys):
    path, logs = _table(tmp_path), tmp_path / "tb"
    assert cli.main(["train", "mlp", "--dataset", f"csv:{path}", "--target", "kind",
                     "--epochs", "2", "--no-export", "--no-diagnostics", "--verbose", "0",
                     "--tensorboard", str(logs)]) == 0
    assert "TensorBoard logs:" in capsys.readouterr().out
    assert list((logs / "train").glob("events.out.tfevents.*"))
    assert list((logs / "validation").glob("events.out.tfevents.*"))


def test_tune_writes_tensorboard_logs_per_trial_with_hparams(tmp_path, capsys):
    path, logs = _table(tmp_path), tmp_path / "tb"
    assert cli.main(["tune", "mlp", "--dataset", f"csv:{path}", "--target", "kind",
                     "--tuner", "random", "--max-trials", "2", "--epochs", "1",
                     "--directory", str(tmp_path / "search"), "--only-space",
                     "--space", "units=8,16", "--tensorboard", str(logs)]) == 0
    capsys.readouterr()
    trials = sorted(p for p in logs.iterdir() if p.is_dir())
    assert len(trials) == 2, trials
    for trial in trials:
        events = list(trial.rglob("events.out.tfevents.*"))
        assert events, trial
        # KerasTuner's HParams callback writes the trial's hyperparameters.
        assert any(b"hparams" in e.read_bytes() for e in events), trial
