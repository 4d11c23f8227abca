"""Executes every teaching notebook top to bottom in a fresh kernel (small data).

A notebook passes only if what it teaches still holds: its own `assert` cells run, the
claims below run in its kernel after its last cell, and it draws the figures it has.
"""

import ast
import os
import pathlib
import time

import pytest

from tests.conftest import TEST_WORKERS
from tests.conftest import shared_data_dir

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = [
    "01_neurons_and_layers", "02_activation_functions", "03_backpropagation",
    "04_losses_and_regularization", "05_optimizers", "06_architectures",
    "07_hyperparameter_search", "08_common_challenges", "09_export_and_serving",
    "10_loss_landscapes", "11_batch_size", "12_evaluation", "13_training_stability",
]
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))

# Figures each notebook draws in its small run (all its sections run: the offline
# data is there).
FIGURES = {
    "01_neurons_and_layers": 2, "02_activation_functions": 4, "03_backpropagation": 2,
    "04_losses_and_regularization": 2, "05_optimizers": 3, "06_architectures": 2,
    "07_hyperparameter_search": 2, "08_common_challenges": 2, "09_export_and_serving": 2,
    "10_loss_landscapes": 4, "11_batch_size": 2, "12_evaluation": 6,
    "13_training_stability": 3,
}

# Notebooks with sections on the file-based datasets (`../shared/data`).
NEEDS_DATA = {"06_architectures", "12_evaluation"}

# What a notebook teaches but does not assert itself, checked on its variables after its
# last cell. Margins come from several small runs (fixed seeds). Notebooks 10-13 assert
# their claims in their own cells.
CLAIMS = {
    "01_neurons_and_layers": """
h = history.history
assert h["loss"][-1] < 0.2 * h["loss"][0], "training did not lower the loss"
assert h["val_accuracy"][-1] > 0.85, "the learned weights do not classify the wines"
""",
    "02_activation_functions": """
assert abs(d_sigmoid.max() - 0.25) < 1e-3, "the sigmoid's largest slope is 1/4"
assert np.abs(two_layers - one_layer).max() < 1e-8, "two linear layers are one"
scores = {t.split(":")[0]: float(t.split()[-1]) for t in (ax.get_title() for ax in axes)}
assert max(scores["relu"], scores["tanh"], scores["lisht"]) > scores["linear"] + 0.25, scores
assert scores["linear"] < 0.65, "a linear model cannot separate a checkerboard"
""",
    "03_backpropagation": """
assert losses[-1] < 0.3 * losses[0], "our own gradients do not descend"
""",
    "04_losses_and_regularization": """
plain = histories["no regularization"]
assert plain["loss"][-1] < 0.01 and plain["val_loss"][-1] > 20 * plain["loss"][-1], (
    "100 examples and 2x256 units should memorize the training set")
assert len(histories["early stopping"]["loss"]) < epochs, "early stopping did not stop"
assert histories["dropout 0.5"]["loss"][-1] > 10 * plain["loss"][-1], (
    "dropout should keep the network from memorizing the training set")
""",
    "05_optimizers": """
assert all(h["loss"][-1] < h["loss"][0] for h in curves.values())
assert curves["SGD + momentum 0.9"]["val_loss"][-1] < 0.5 * curves["SGD"]["val_loss"][-1], (
    "momentum should train faster than plain SGD at the same rate")
assert one_cycle["val_loss"][-1] < curves["SGD"]["val_loss"][-1]
assert 1e-4 < result.suggestion < 1e-1, result.suggestion
""",
    "06_architectures": """
assert len(scores) == 5, f"five families should have been scored: {sorted(scores)}"
for name, score in scores.items():
    assert score > (0.9 if "SMS" in name else 0.6), (name, score)
assert rmse < baseline, "the GRU should beat the persistence forecast"
""",
    "07_hyperparameter_search": """
assert len(grid.trials) == 4, "the grid has 2 x 2 points"
for name, r in results.items():  # chance is 0.1; the small run trains 3 epochs on 200 images
    assert r.best_trial["score"] > 0.5, (name, r.best_trial)
assert all(len(r.trials) >= 2 for r in results.values())
""",
    "08_common_challenges": """
assert "overfitting" in overfit.report.codes
assert "overfitting" not in regularized.report.codes
assert "unstable_training" in unstable.report.codes
assert "unstable_training" not in steady.report.codes
""",
    "09_export_and_serving": """
assert model.evaluate(digits.x_test, digits.y_test, verbose=0)[1] > 0.5, "an untrained export"
assert (served.argmax(1) == reloaded.argmax(1)).all() and (lite.argmax(1) == served.argmax(1)).all()
assert sizes["TFLite"] < sizes[".keras"], sizes
""",
}


def code_cells(book):
    return [c for c in book.cells if c.cell_type == "code"]


def count_asserts(source):
    """Assert statements in notebook code (IPython magics left out)."""
    python = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    return sum(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(python)))


def test_the_notebooks_are_there():
    assert [p.stem for p in PATHS] == EXPECTED
    assert set(FIGURES) == set(EXPECTED)
    assert set(CLAIMS) <= set(EXPECTED) and NEEDS_DATA <= set(EXPECTED)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_committed_without_outputs(path):
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    code = code_cells(book)
    assert code, f"{path.name} has no code cells"
    dirty = [i for i, c in enumerate(code) if c.outputs or c.execution_count is not None]
    assert not dirty, f"{path.name}: code cells {dirty} hold outputs; clear them before committing"
    assert "NNRECIPES_NOTEBOOK_SMALL" in code[0].source, (
        f"{path.name}: the first code cell must read NNRECIPES_NOTEBOOK_SMALL")


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_states_its_claims(path):
    """Each notebook's lessons are checked: asserts in its cells or in CLAIMS above."""
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(path, as_version=4)
    own = sum(count_asserts(c.source) for c in code_cells(book))
    added = count_asserts(CLAIMS.get(path.stem, ""))
    assert own + added >= 3, f"{path.name} checks {own} + {added} claims; state what it teaches"


# Notebooks run TEST_WORKERS at a time (tests/conftest.py), each in its own kernel (a
# separate process); each test still checks its own notebook.
RUN_TEST = "test_runs_top_to_bottom_and_its_claims_hold"


def execute(path, workdir):
    """Runs `path` top to bottom (small settings, CLAIMS appended) in a fresh kernel.

    Returns:
        `(book, seconds, error)`: the executed notebook, its wall time and the
        exception that stopped it (`None` when every cell ran).
    """
    import nbclient
    import nbformat

    # Exports and tuning state go to a scratch folder, never into the checkout.
    env = {**os.environ, "NNRECIPES_NOTEBOOK_SMALL": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
           "NNRECIPES_NOTEBOOK_WORKDIR": str(workdir)}
    env.pop("MPLBACKEND", None)  # the kernel's inline backend draws
    book = nbformat.read(path, as_version=4)
    if path.stem in CLAIMS:
        book.cells.append(nbformat.v4.new_code_cell(CLAIMS[path.stem].strip()))
    client = nbclient.NotebookClient(book, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    try:
        client.execute(env=env)  # CellExecutionError names the cell (or claim) that failed
    except Exception as error:  # handed to the notebook's own test, which raises it
        return book, time.perf_counter() - start, error
    return book, time.perf_counter() - start, None


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """`{stem: future of execute(...)}` for the notebooks this session selected,
    started TEST_WORKERS at a time in the order their tests run."""
    import concurrent.futures

    for module in ("nbformat", "nbclient", "ipykernel"):
        pytest.importorskip(module)
    stems = [item.callspec.params["path"].stem for item in request.session.items
             if getattr(item, "originalname", None) == RUN_TEST and hasattr(item, "callspec")]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=TEST_WORKERS)
    futures = {}
    for stem in stems:
        if stem in futures or (stem in NEEDS_DATA and shared_data_dir() is None):
            continue
        futures[stem] = pool.submit(execute, NOTEBOOKS / f"{stem}.ipynb",
                                    tmp_path_factory.mktemp(stem))
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.large
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_runs_top_to_bottom_and_its_claims_hold(path, runs):
    if path.stem in NEEDS_DATA and shared_data_dir() is None:
        pytest.skip(f"{path.name} has sections on the offline datasets; set NNRECIPES_DATA_DIR")
    book, seconds, error = runs[path.stem].result()
    if error is not None:
        raise error
    code = code_cells(book)
    assert all(c.execution_count is not None for c in code), "a cell did not run"
    printed = "".join(out.get("text", "") for c in code for out in c.outputs)
    assert "skipping" not in printed, f"{path.name} skipped a section:\n{printed[-2000:]}"
    figures = sum(1 for c in code for out in c.outputs if "image/png" in out.get("data", {}))
    assert figures == FIGURES[path.stem], (
        f"{path.name} drew {figures} figures; it draws {FIGURES[path.stem]}")
    print(f"{path.stem}: {seconds:.1f} s, {figures} figures")
    assert not (NOTEBOOKS / "saved_models").exists(), "a notebook wrote into notebooks/"
