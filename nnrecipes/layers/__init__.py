"""Layers that the recipes are made of, registered for saving and loading."""

from nnrecipes.layers.positional_embedding import PositionalEmbedding
from nnrecipes.layers.transformer_encoder import TransformerEncoder

__all__ = ["PositionalEmbedding", "TransformerEncoder"]
