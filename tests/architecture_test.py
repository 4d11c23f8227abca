"""The package stays in layers: no import circles between its parts, and no
private name taken from another part."""

import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nnrecipes"


def test_layers_contract_holds():
    lint = shutil.which("lint-imports") or str(pathlib.Path(sys.executable).parent /
                                               "lint-imports")
    if not pathlib.Path(lint).exists():
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    done = subprocess.run([lint, "--config", str(ROOT / "setup.cfg")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def _part(module):
    """The part of nnrecipes a dotted module name belongs to."""
    names = module.split(".")
    return names[1] if len(names) > 1 else ""


def test_no_private_name_crosses_parts():
    offences = []
    for path in PACKAGE.rglob("*.py"):
        here = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "nnrecipes.") and _part(node.module) != _part(here):
                for alias in node.names:
                    taken = node.module.split(".")[-1:] + [alias.name]
                    if any(name.startswith("_") and not name.startswith("__")
                           for name in taken):
                        offences.append(f"{here}: from {node.module} import {alias.name}")
    assert not offences, offences
