"""Exports: SavedModel (TensorFlow Serving layout), `.keras`, and a JSON manifest."""

from nnrecipes.export.saved_model import existing_versions
from nnrecipes.export.saved_model import export_model
from nnrecipes.export.saved_model import load_manifest

__all__ = ["existing_versions", "export_model", "load_manifest"]
