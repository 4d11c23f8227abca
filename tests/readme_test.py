"""Every Python snippet of README.md runs as written.

Each ```python block runs in a fresh namespace holding `nnrecipes`, `keras`,
`tf` and `np`, in a scratch folder beside a `shared/data` link to the real
datasets (the README's `../shared/data`). A snippet that uses names the README
leaves to the reader (`x_train`, `model`, ...) gets them from GIVEN below, small
arrays of the shapes the README states. A `>>>` block runs line by line and the
error it shows must be the one raised. No block is skipped: a block this file
does not know fails, so a new snippet needs its inputs here.
"""

import contextlib
import os
import pathlib
import re

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.conftest import shared_data_dir

README = ROOT / "README.md"


def python_blocks(text):
    """The README's ```python blocks, in order."""
    return re.findall(r"```python\n(.*?)```", text, re.S)


def _digits_like(shape, classes, n=64):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, *shape)).astype("float32"), np.arange(n) % classes


def _given_lstm():
    x_train, y_train = _digits_like((8, 8), 10)
    return {"x_train": x_train, "y_train": y_train}


def _given_texts():
    words = ["free prize now", "call me later", "win cash today", "see you at lunch"]
    return {"train_texts": [words[i % 4] + f" {i}" for i in range(40)],
            "train_labels": np.asarray([i % 2 for i in range(40)])}


def _given_transformer():
    return {"x_train": _digits_like((50, 8), 3, n=32)[0]}


def _given_diagnostics():
    import nnrecipes

    x, y = _digits_like((6,), 2)
    model = nnrecipes.build("mlp", input_shape=(6,), num_classes=2, units=8, num_layers=1)
    return {"model": model, "x": x, "y": y, "x_val": x[:16], "y_val": y[:16]}


def _given_adult_rows():
    """`rows.csv`: a header of Adult's columns and 5 raw rows."""
    from nnrecipes.data.tabular import ADULT_COLUMNS

    rows = ["39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,"
            "White,Male,2174,0,40,United-States"] * 5
    pathlib.Path("rows.csv").write_text(",".join(ADULT_COLUMNS) + "\n" + "\n".join(rows))
    return {}


# The first line of each block -> what it needs: (real data?, given names).
GIVEN = {
    "import nnrecipes": (False, _given_lstm),
    'result = nnrecipes.train("auto", "wine"': (False, dict),
    "vectorizer = keras.layers.TextVectorization": (False, _given_texts),
    '>>> nnrecipes.build("lstn"': (False, dict),
    'splits = nnrecipes.data.load("sms_spam"': (True, dict),
    'model = nnrecipes.build("transformer"': (False, _given_transformer),
    'splits = nnrecipes.data.load("adult"': (True, _given_adult_rows),
    "diagnostics = nnrecipes.diagnostics.TrainingDiagnostics": (False, _given_diagnostics),
    'result = nnrecipes.tune("mlp", "digits"': (False, dict),
}


def _key(block):
    first = block.splitlines()[0]
    keys = [k for k in GIVEN if first.startswith(k)]
    assert keys, (f"README has a Python block this test does not know; add its inputs to "
                  f"GIVEN in {__file__}. Its first line: {first!r}")
    return keys[0]


BLOCKS = python_blocks(README.read_text())


def test_the_readme_has_its_snippets():
    assert len(BLOCKS) >= 9
    assert len({_key(b) for b in BLOCKS}) == len(BLOCKS)


@contextlib.contextmanager
def _inside(folder):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _run_doctest(block, namespace):
    """Runs `>>>` lines; an output line `ValueError: text [...]` must be raised."""
    lines = block.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith(">>> "):
            continue
        shown = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith(">>>") \
            else ""
        error = re.match(r"(\w+Error): (.*)", shown)
        if not error:
            exec(line[4:], namespace)
            continue
        expected = error.group(2).split("[...]")[0].strip()
        with pytest.raises(Exception) as raised:
            exec(line[4:], namespace)
        assert type(raised.value).__name__ == error.group(1)
        assert str(raised.value).startswith(expected), (str(raised.value), expected)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.splitlines()[0][:40])
def test_readme_snippet_runs(block, tmp_path):
    needs_data, given = GIVEN[_key(block)]
    work = tmp_path / "work"
    work.mkdir()
    if needs_data:
        if shared_data_dir() is None:
            pytest.skip("the snippet reads ../shared/data, which is absent here "
                        "(set NNRECIPES_DATA_DIR)")
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "data").symlink_to(os.path.abspath(shared_data_dir()))
    import keras
    import tensorflow as tf

    import nnrecipes

    with _inside(work):
        namespace = {"nnrecipes": nnrecipes, "keras": keras, "tf": tf, "np": np, **given()}
        if block.startswith(">>>"):
            _run_doctest(block, namespace)
        else:
            exec(compile(block, "README.md", "exec"), namespace)
