"""Shared fixtures: the offline data folder, quiet TensorFlow, a fixed seed."""

import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_data_dir():
    """The real-data folder: $NNRECIPES_DATA_DIR, else ../shared/data beside the repo."""
    path = os.environ.get("NNRECIPES_DATA_DIR") or str(SHARED_DATA)
    return path if os.path.isdir(path) else None


# Independent child processes (workers, command-line runs, notebook kernels) that a test
# starts run this many at a time: each is mostly one core's Python, so two on two cores
# take about 0.6 of the time of one after the other. 1 runs them one by one.
TEST_WORKERS = max(1, int(os.environ.get("NNRECIPES_TEST_WORKERS", "2")))


def in_parallel(*calls):
    """Calls each zero-argument callable, TEST_WORKERS at a time in threads (for calls
    that wait on a child process), and returns their results in order; the first
    exception raised is raised here."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=TEST_WORKERS) as pool:
        futures = [pool.submit(call) for call in calls]
    return [future.result() for future in futures]


def keras_backend():
    """The Keras backend this test run uses (`KERAS_BACKEND`, default tensorflow)."""
    import keras

    return keras.backend.backend()


def pytest_collection_modifyitems(config, items):
    """Tests marked `tf_backend` skip, with their reason, off TensorFlow.

    `@pytest.mark.tf_backend("why")` (or `pytestmark = pytest.mark.tf_backend(...)`)
    marks a test that needs Keras's TensorFlow backend: tf.distribute, TF-IDF
    in the model, tf.GradientTape, SavedModel-only routes.
    """
    backend = keras_backend()
    if backend == "tensorflow":
        return
    for item in items:
        marker = item.get_closest_marker("tf_backend")
        if marker is not None:
            why = marker.args[0] if marker.args else "needs the TensorFlow backend"
            item.add_marker(pytest.mark.skip(
                reason=f"TensorFlow backend only ({why}); this run uses {backend}"))


@pytest.fixture(scope="session")
def data_dir():
    """Path of the offline datasets; skips the test (with the reason) when absent."""
    path = shared_data_dir()
    if path is None:
        pytest.skip(
            f"real-data test: no dataset folder at {SHARED_DATA} and NNRECIPES_DATA_DIR "
            "is unset (CI has it; set NNRECIPES_DATA_DIR to run this locally)"
        )
    return path


@pytest.fixture(autouse=True)
def _seed():
    import keras

    keras.utils.set_random_seed(1234)
    yield
