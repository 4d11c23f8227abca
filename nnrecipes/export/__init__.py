"""Exports: SavedModel (TensorFlow Serving layout), `.keras`, ONNX, LiteRT, a JSON
manifest and a model card; running an export on new raw inputs.

Its modules load on first use of a name, so `nnrecipes.export.cli` (the
`export` and `predict` command parsers) imports without TensorFlow.
"""

import importlib

# Public name -> the module that defines it; a name mapped to itself is a module.
_EXPORTS = {
    "DEFAULT_EXPORT_DIR": "nnrecipes.export.saved_model",
    "FORMATS": "nnrecipes.export.formats",
    "RUNTIMES": "nnrecipes.export.runtime",
    "ModelRunner": "nnrecipes.export.runtime",
    "Runner": "nnrecipes.export.runtime",
    "add_formats": "nnrecipes.export.saved_model",
    "baseline_metrics": "nnrecipes.evaluation",
    "check_export_dir": "nnrecipes.export.saved_model",
    "check_inputs": "nnrecipes.export.saved_model",
    "claims": "nnrecipes.export.claims",
    "existing_versions": "nnrecipes.export.claims",
    "model_name": "nnrecipes.export.claims",
    "export_model": "nnrecipes.export.saved_model",
    "formats": "nnrecipes.export.formats",
    "host": "nnrecipes.export.host",
    "load_manifest": "nnrecipes.export.saved_model",
    "load_model": "nnrecipes.export.load",
    "manifest": "nnrecipes.export.manifest",
    "model_card": "nnrecipes.export.card",
    "predict": "nnrecipes.export.predict",
    "predict_file": "nnrecipes.export.predict",
    "save_for_serving": "nnrecipes.export.saved_model",
    "without_optimizer": "nnrecipes.export.saved_model",
    "write_formats": "nnrecipes.export.formats",
    "write_saved_model": "nnrecipes.export.saved_model",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nnrecipes.export' has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    value = module if _EXPORTS[name].endswith(f".{name}") else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
