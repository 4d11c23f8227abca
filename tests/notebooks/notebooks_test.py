"""Executes every teaching notebook top to bottom in a fresh kernel (small data)."""

import os
import pathlib
import time

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = [
    "01_neurons_and_layers", "02_activation_functions", "03_backpropagation",
    "04_losses_and_regularization", "05_optimizers", "06_architectures",
    "07_hyperparameter_search", "08_common_challenges", "09_export_and_serving",
]
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_nine_notebooks_are_there():
    assert [p.stem for p in PATHS] == EXPECTED


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_committed_without_outputs(path):
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    dirty = [i for i, c in enumerate(code) if c.outputs or c.execution_count is not None]
    assert not dirty, f"{path.name}: code cells {dirty} hold outputs; clear them before committing"
    assert "NNRECIPES_NOTEBOOK_SMALL" in code[0].source, (
        f"{path.name}: the first code cell must read NNRECIPES_NOTEBOOK_SMALL")


@pytest.mark.large
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_runs_top_to_bottom_and_plots(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("NNRECIPES_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws
    # Exports and tuning state go to a scratch folder, never into the checkout.
    monkeypatch.setenv("NNRECIPES_NOTEBOOK_WORKDIR", str(tmp_path))
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(book, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError naming the cell that failed
    seconds = time.perf_counter() - start
    figures = sum(1 for cell in book.cells if cell.cell_type == "code"
                  for out in cell.outputs if "image/png" in out.get("data", {}))
    assert figures >= 1, f"{path.name} ran but drew no figure"
    print(f"{path.stem}: {seconds:.1f} s, {figures} figures")
    assert not (NOTEBOOKS / "saved_models").exists(), "a notebook wrote into notebooks/"
