"""ONNX and LiteRT files beside the SavedModel of an export version.

`write_formats(model, folder, ["onnx", "litert"])` writes `model.onnx`
(through tf2onnx) and `model.tflite` (LiteRT built-in ops only, so the
plain `ai-edge-litert` interpreter runs it) with Keras's own
`model.export(format="litert")` and tf2onnx (see `write_onnx` for why not
Keras's ONNX export).

What a format cannot carry:

- String inputs. `TextVectorization` and `nnrecipes.data.TabularEncoder`
  use string lookup tables, which do not convert to ONNX, and LiteRT runs
  them only with Flex (TensorFlow) ops. For such models both files hold the
  model *after* that layer: it takes int64 token ids (text) or float32
  encoded features (tables), and the folder holds `preprocessing.json`
  (plus `vocabulary.txt`) that `nnrecipes.export.host.encode` turns raw
  inputs with, in NumPy. The SavedModel still takes raw strings. The
  LiteRT Flex alternative (the whole model, string ops included) is not
  offered: neither the `ai-edge-litert` interpreter nor TensorFlow's own
  `tf.lite.Interpreter` from pip (TF 2.21) runs Flex ops ("Select
  TensorFlow op(s) ... not supported by this interpreter"), so such a file
  would need a custom LiteRT build to run at all.
- Recurrent layers are unrolled in the LiteRT file (same weights, same
  outputs): a masked LSTM/GRU loop needs Flex TensorList ops otherwise.
"""

import os

import keras
import tensorflow as tf

from nnrecipes.data.preprocessing import TabularEncoder
from nnrecipes.export import host
from nnrecipes.names import did_you_mean

FORMATS = {"onnx": "model.onnx", "litert": "model.tflite"}
# The packages each format needs (the `export` extra of setup.cfg).
PACKAGES = {"onnx": ("tf2onnx", "onnxruntime"), "litert": ("ai_edge_litert",)}
STRING_LAYERS = (keras.layers.TextVectorization, TabularEncoder)


def check_formats(formats):
    """Returns `formats` as a list of known names, or raises naming the bad one."""
    if isinstance(formats, str):
        formats = [f for f in formats.split(",") if f.strip()]
    formats = [str(f).strip().lower() for f in formats or ()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"Unknown export format {unknown[0]!r}."
                         f"{did_you_mean(unknown[0], FORMATS)} Valid: {list(FORMATS)}. "
                         f"Received: formats={formats}")
    if formats and keras.backend.backend() != "tensorflow":
        raise ValueError(
            f"Export formats {formats} convert a TensorFlow graph of the model, so they "
            "need the TensorFlow backend (KERAS_BACKEND=tensorflow); this process runs "
            f"Keras on {keras.backend.backend()!r}. The SavedModel and model.keras are "
            "written on every backend: add the files afterwards in a TensorFlow process "
            "with `KERAS_BACKEND=tensorflow nnrecipes export VERSION_DIR --format "
            f"{','.join(formats)}`. Received: formats={formats}")
    for name in formats:
        for module in PACKAGES[name]:
            _require(module, name)
    return list(dict.fromkeys(formats))


def split_string_preprocessing(model):
    """Splits off a model's first layer when it turns strings into numbers.

    Returns:
        `(layer, core)`: the `TextVectorization` / `TabularEncoder` layer and
        the model from its output on; `(None, model)` for numeric inputs.
    """
    if model.inputs[0].dtype != "string":
        return None, model
    first = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if not first or not isinstance(first[0], STRING_LAYERS):
        raise ValueError(
            f"A model that takes strings can be exported to ONNX or LiteRT when its first "
            f"layer is one of {[c.__name__ for c in STRING_LAYERS]}. Received: first layer "
            f"{type(first[0]).__name__ if first else None}")
    layer = first[0]
    try:
        core = keras.Model(layer.output, model.output, name=f"{model.name}_core")
    except ValueError:  # the layer's first call belongs to another model
        raise ValueError(
            f"Layer {layer.name!r} was first called in another model, so this model cannot "
            "be cut after it; export the model loaded from its `.keras` file instead. "
            f"Received: model={model.name!r}") from None
    return layer, core


def _input_spec(model):
    tensor = model.inputs[0]
    return tf.TensorSpec([None, *tensor.shape[1:]], tf.as_dtype(tensor.dtype), name="inputs")


def _has_recurrent(layer):
    def walk(config):
        if isinstance(config, dict):
            return "unroll" in config or any(walk(v) for v in config.values())
        if isinstance(config, list):
            return any(walk(v) for v in config)
        return False

    return walk(layer.get_config())


def unrolled(model):
    """A copy of `model` with every recurrent layer unrolled, same weights.

    The other layers are shared with `model`, not copied (a copied
    `Normalization` would lose its adapted statistics).
    """
    def clone(layer):
        if not _has_recurrent(layer):
            return layer
        config = layer.get_config()

        def fix(value):
            if isinstance(value, dict):
                if "unroll" in value:
                    value["unroll"] = True
                for item in value.values():
                    fix(item)
            elif isinstance(value, list):
                for item in value:
                    fix(item)

        fix(config)
        return type(layer).from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def _check_litert_runs(path):
    from ai_edge_litert.interpreter import Interpreter

    try:
        Interpreter(model_path=path).allocate_tensors()
    except RuntimeError as error:
        raise ValueError(
            f"The LiteRT file needs ops the LiteRT interpreter lacks: "
            f"{str(error).splitlines()[0][:300]}") from None


def write_formats(model, folder, formats):
    """Writes the files of `formats` into `folder`, each one atomically.

    Args:
        model: the `keras.Model` (best loaded from the export's `.keras`).
        folder: the export version folder (or its staging folder).
        formats: names from `FORMATS`: `"onnx"`, `"litert"`.

    Returns:
        A dict for the manifest: per format its file, the input it takes
        (`"raw"`, `"token_ids"`, `"tf_idf"` or `"features"`), shape, dtype and the
        preprocessing file to apply first (or None).

    Example:
    ```python
    info = nnrecipes.export.formats.write_formats(model, "saved_models/cnn/1",
                                                  ["onnx", "litert"])
    ```
    """
    formats = check_formats(formats)
    if not formats:
        return {}
    layer, core = split_string_preprocessing(model)
    preprocessing = None
    if layer is not None:
        spec, files = host.describe(layer)
        for name, text in files.items():
            _write_text(os.path.join(folder, name), text)
        _write_text(os.path.join(folder, host.PREPROCESSING_FILE),
                    _json(spec))
        preprocessing = host.PREPROCESSING_FILE
    spec = _input_spec(core)
    kind = "raw" if layer is None else ("token_ids" if spec.dtype.is_integer else "features")
    if layer is not None and layer.get_config().get("output_mode") == "tf_idf":
        kind = "tf_idf"
    info, staged = {}, {}
    try:
        # Every file is converted and checked first, then all appear together.
        for name in formats:
            staged[name] = os.path.join(folder, f".tmp-{os.getpid()}-{FORMATS[name]}")
            if name == "onnx":
                write_onnx(core, spec, staged[name])
            else:
                source = unrolled(core) if any(map(_has_recurrent, core.layers)) else core
                source.export(staged[name], format="litert", verbose=False,
                              input_signature=[spec])
                _check_litert_runs(staged[name])
        for name, staging in staged.items():
            final = os.path.join(folder, FORMATS[name])
            os.replace(staging, final)
            info[name] = {"file": FORMATS[name], "input": kind,
                          "input_shape": [None, *spec.shape[1:]],
                          "input_dtype": spec.dtype.name, "preprocessing": preprocessing,
                          "bytes": os.path.getsize(final)}
    finally:
        for staging in staged.values():
            if os.path.exists(staging):
                os.remove(staging)
    return info


def _erfc(ctx, node, name, args):
    """tf2onnx lacks TensorFlow's `Erfc` (in exact GELU): 1 - Erf(x)."""
    import numpy as np

    erf = ctx.make_node("Erf", [node.input[0]], op_name_scope=node.name)
    one = ctx.make_const(f"{node.name}_one", np.array(1.0, dtype="float32"))
    node.type = "Sub"
    ctx.replace_inputs(node, [one.output[0], erf.output[0]])


def write_onnx(model, spec, path, opset=17):
    """Writes `model` as ONNX, its weights and statistics frozen as constants.

    Keras's `model.export(format="onnx")` is not used: it leaves the
    statistics of an adapted `Normalization` layer as extra graph inputs
    ("Required inputs ([...normalize.../Sub/y:0, ...]) are missing" in ONNX
    Runtime), and tf2onnx lacks `Erfc` (GELU); here the traced function is
    frozen first, and `Erfc` is written as `1 - Erf`.
    """
    check_formats(["onnx"])
    import onnxruntime
    import tf2onnx
    # private: TensorFlow 2 exports no public way to freeze a concrete
    # function's variables into constants, and tf2onnx's public
    # `convert.from_function` keeps captured tensors (an adapted
    # Normalization's mean and variance) as extra graph inputs. Guarded by
    # tests/upstream_test.py::test_tensorflow_freezes_a_function_with_convert_to_constants.
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    function = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(function, lower_control_flow=False,
                                               aggressive_inlining=True)
    tf2onnx.convert.from_graph_def(
        frozen.graph.as_graph_def(), input_names=[t.name for t in frozen.inputs],
        output_names=[t.name for t in frozen.outputs], opset=opset,
        custom_op_handlers={"Erfc": (_erfc, [])}, output_path=path)
    try:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own error types
        raise ValueError(f"The ONNX file does not load in ONNX Runtime: "
                         f"{str(error).splitlines()[0][:300]}") from None
    if len(session.get_inputs()) != 1:
        raise ValueError(f"The ONNX file takes {len(session.get_inputs())} inputs instead of "
                         f"one: {[i.name for i in session.get_inputs()]}")


# How to install the export extra, worded as the README does: from a checkout
# (`pip install -e ".[export]"`), or from an installed release.
EXTRA_HINT = ('pip install -e ".[export]" in a checkout '
              '(pip install "nnrecipes[export]" otherwise)')


def _require(module, fmt):
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ValueError(
            f"Export format {fmt!r} needs the {module!r} package, which is not installed: "
            f"{EXTRA_HINT}. Received: format={fmt!r}")


def _json(value):
    import json

    return json.dumps(value, indent=2) + "\n"


def _write_text(path, text):
    staging = os.path.join(os.path.dirname(path), f".tmp-{os.getpid()}-{os.path.basename(path)}")
    with open(staging, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(staging, path)
