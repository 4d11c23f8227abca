"""The `export` and `predict` command parsers: light, and in step with the library."""

import subprocess
import sys

import pytest

from nnrecipes.export import cli as export_cli
from nnrecipes.export import formats
from nnrecipes.export import runtime


def test_names_match_the_library():
    assert export_cli.FORMAT_NAMES == tuple(formats.FORMATS)
    assert export_cli.RUNTIME_NAMES == runtime.RUNTIMES


def test_parsers_import_without_tensorflow_in_the_command_process():
    code = ("import sys; sys.argv = ['nnrecipes']; import nnrecipes.export.cli as c; "
            "c.command_parser().parse_args(['predict', 'v', 'in.csv', '-o', 'o.csv']); "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]


@pytest.mark.parametrize("argv, message", [
    (["export", "v"], "--format"),
    (["export", "v", "--format", "tflite"], "expected onnx or litert"),
    (["predict", "v", "in.csv"], "--output"),
    (["predict", "v", "in.csv", "-o", "o.csv", "--runtime", "tensorrt"], "invalid choice"),
])
def test_bad_arguments_are_named(argv, message, capsys):
    with pytest.raises(SystemExit):
        export_cli.command_parser().parse_args(argv)
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["export", "predict"])
def test_command_help_answers_without_tensorflow(command):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "nnrecipes", command,
                           "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and f"usage: nnrecipes {command}" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "nnrecipes.export.cli" in imported
    assert not imported & {"tensorflow", "keras", "numpy"}
