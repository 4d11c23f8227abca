"""Run an export version in SavedModel, ONNX Runtime or LiteRT form.

`Runner(version_dir, "onnx")` takes a batch of *raw* inputs (the same that
the SavedModel's `serve` takes) and returns the model's outputs as NumPy;
for string models it applies `preprocessing.json` first (see
`nnrecipes.export.host`). `ModelRunner(model)` puts a `keras.Model` in
memory behind the same interface, so `nnrecipes.predict` checks and runs
both the same way.
"""

import os

import numpy as np

from nnrecipes.export import host
from nnrecipes.export.formats import FORMATS
from nnrecipes.export.saved_model import load_manifest

RUNTIMES = ("saved_model", *FORMATS)


class Runner:
    """One export, loaded in one runtime, called on batches of raw inputs.

    Args:
        version_dir: an export version folder, e.g. `"saved_models/cnn/1"`.
        runtime: `"saved_model"`, `"onnx"` or `"litert"`. Defaults to
            `"saved_model"`.

    Example:
    ```python
    runner = nnrecipes.export.Runner("saved_models/cnn/1", "onnx")
    probabilities = runner(images)   # raw pixels, (n, 8, 8, 1)
    ```
    """

    def __init__(self, version_dir, runtime="saved_model"):
        if runtime not in RUNTIMES:
            raise ValueError(f"Unknown runtime {runtime!r}. Valid: {list(RUNTIMES)}. "
                             f"Received: runtime={runtime!r}")
        if not os.path.isfile(os.path.join(version_dir, "manifest.json")):
            raise FileNotFoundError(
                f"{version_dir!r} is not an export version folder (no manifest.json); give "
                f"a folder such as saved_models/cnn/1. Received: version_dir={version_dir!r}")
        self.version_dir = version_dir
        self.label = f"This export ({version_dir})"
        self.runtime = runtime
        self.manifest = load_manifest(version_dir)
        serving = self.manifest["serving"]
        self.input_shape = tuple(serving["input_shape"][1:])
        self.input_dtype = serving["input_dtype"]
        self.preprocessing = None
        if runtime == "saved_model":
            import tensorflow as tf

            self.saved_model = tf.saved_model.load(version_dir)  # keeps the variables alive
            self._serve = self.saved_model.serve
            return
        file = os.path.join(version_dir, FORMATS[runtime])
        if not os.path.isfile(file):
            raise FileNotFoundError(
                f"{version_dir!r} has no {FORMATS[runtime]}: write it with `nnrecipes export "
                f"{version_dir} --format {runtime}`.")
        self.preprocessing = host.load(version_dir)
        if runtime == "onnx":
            import onnxruntime

            self._session = onnxruntime.InferenceSession(
                file, providers=["CPUExecutionProvider"])
            self._input = self._session.get_inputs()[0]
            self._dtype = "int64" if "int64" in self._input.type else (
                "int32" if "int32" in self._input.type else "float32")
        else:
            from ai_edge_litert.interpreter import Interpreter

            self._interpreter = Interpreter(model_path=file)
            self._input = self._interpreter.get_input_details()[0]
            self._output = self._interpreter.get_output_details()[0]
            self._dtype = np.dtype(self._input["dtype"]).name
            self._batch = None

    def __call__(self, batch):
        """Outputs of the model on `batch` (raw inputs), a float32 NumPy array."""
        shape = tuple(np.shape(batch)[1:])
        if shape != self.input_shape:
            raise ValueError(
                f"This export takes a batch of inputs of shape {self.input_shape} each. "
                f"Received: batch of shape {np.shape(batch)}")
        if self.runtime == "saved_model":
            import tensorflow as tf

            if self.input_dtype == "string":
                batch = tf.constant(np.asarray(batch, dtype=object).astype(str).tolist())
            else:
                batch = tf.constant(np.asarray(batch, dtype=self.input_dtype))
            return np.asarray(self._serve(batch))
        x = (host.encode(batch, self.preprocessing) if self.preprocessing is not None
             else np.asarray(batch))
        x = x.astype(self._dtype, copy=False)
        if self.runtime == "onnx":
            return self._session.run(None, {self._input.name: x})[0]
        interpreter = self._interpreter
        if self._batch != x.shape:
            interpreter.resize_tensor_input(self._input["index"], x.shape)
            interpreter.allocate_tensors()
            self._batch = x.shape
        interpreter.set_tensor(self._input["index"], np.ascontiguousarray(x))
        interpreter.invoke()
        return interpreter.get_tensor(self._output["index"]).copy()


class ModelRunner:
    """A `keras.Model` in memory, called on batches of raw inputs like a `Runner`.

    Strings (texts, table rows) go in as a string tensor, which
    `model.predict` does not take from a NumPy object array.

    Args:
        model: a `keras.Model` with one input.
        manifest: the run's record (`TrainResult.manifest`): its dataset's
            `columns` and its classes. Defaults to `None`: the column names
            of the model's `TabularEncoder`, if it has one.

    Example:
    ```python
    runner = nnrecipes.export.ModelRunner(result.model, result.manifest)
    probabilities = runner(splits.x_test[:8])
    ```
    """

    runtime = "keras"

    def __init__(self, model, manifest=None):
        if len(model.inputs) != 1:
            raise ValueError(f"Only a model with one input can be run on raw inputs. "
                             f"Received: {len(model.inputs)} inputs")
        self.model = model
        self.label = f"Model {model.name!r}"
        self.input_shape = tuple(model.inputs[0].shape[1:])
        self.input_dtype = str(model.inputs[0].dtype)
        self.manifest = dict(manifest or {})
        if "dataset" not in self.manifest:
            names = next((getattr(layer, "columns", None) for layer in model.layers
                          if type(layer).__name__ == "TabularEncoder"), None)
            if names:
                self.manifest["dataset"] = {"info": {"columns": list(names)}}

    def __call__(self, batch):
        """Outputs of the model on `batch` (raw inputs), a float32 NumPy array."""
        import keras
        import tensorflow as tf

        shape = tuple(np.shape(batch)[1:])
        if shape != self.input_shape:
            raise ValueError(
                f"This model takes a batch of inputs of shape {self.input_shape} each. "
                f"Received: batch of shape {np.shape(batch)}")
        if self.input_dtype == "string":
            batch = tf.constant(np.asarray(batch, dtype=object).astype(str).tolist())
        else:
            batch = np.asarray(batch, dtype=self.input_dtype)
        return np.asarray(keras.ops.convert_to_numpy(self.model(batch, training=False)),
                          dtype="float32")
