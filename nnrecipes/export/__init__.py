"""Exports: SavedModel (TensorFlow Serving layout), `.keras`, and a JSON manifest."""

from nnrecipes.export.load import load_model
from nnrecipes.export.saved_model import check_export_dir
from nnrecipes.export.saved_model import existing_versions
from nnrecipes.export.saved_model import export_model
from nnrecipes.export.saved_model import load_manifest

__all__ = [
    "check_export_dir", "existing_versions", "export_model", "load_manifest", "load_model",
]
