"""Exports: SavedModel (TensorFlow Serving layout), `.keras`, ONNX, LiteRT, a JSON
manifest and a model card; running an export on new raw inputs."""

from nnrecipes.export import host
from nnrecipes.export.formats import FORMATS
from nnrecipes.export.formats import write_formats
from nnrecipes.export.load import load_model
from nnrecipes.export.model_card import baseline_metrics
from nnrecipes.export.model_card import model_card
from nnrecipes.export.predict import predict_file
from nnrecipes.export.runtime import RUNTIMES
from nnrecipes.export.runtime import Runner
from nnrecipes.export.saved_model import DEFAULT_EXPORT_DIR
from nnrecipes.export.saved_model import add_formats
from nnrecipes.export.saved_model import check_export_dir
from nnrecipes.export.saved_model import existing_versions
from nnrecipes.export.saved_model import export_model
from nnrecipes.export.saved_model import load_manifest
from nnrecipes.export.saved_model import write_saved_model

__all__ = [
    "DEFAULT_EXPORT_DIR", "FORMATS", "RUNTIMES", "Runner", "add_formats", "baseline_metrics", "check_export_dir",
    "existing_versions", "export_model", "host", "load_manifest", "load_model", "model_card",
    "predict_file", "write_formats", "write_saved_model",
]
