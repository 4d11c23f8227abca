"""Layers that the recipes are made of, registered for saving and loading.

- `PositionalEmbedding` (learned) and `SinusoidalPositionalEmbedding` (fixed)
- `TransformerEncoder`: one pre-/post-LN encoder block
- `WeightNormalization`: wrapper for Dense and Conv layers
- `DropPath` (also `StochasticDepth`): stochastic depth for residual branches
- `ResidualDenseBlock`, `ResidualConvBlock`: composite residual blocks
- `MaskedGlobalPooling1D`: mean/max over the unmasked steps, safe for all-padding rows
- `ReversibleInstanceNormalization` (RevIN) and `ChannelHistory`: what a forecaster adds
  around its network (per-window scaling, the last value, an autoregressive path)
- `PeriodicEmbedding`: learned sin/cos embeddings of numeric features (tables)
- `BatchEnsembleDense`, `EnsembleMean`: k members sharing one kernel, and their mean (TabM)
- `MemberLossModel`: a model of `EnsembleMean` output trained on the mean of the members' losses
- `nested_layers(layer)`: every layer inside a model or layer, at any depth
"""

from nnrecipes.layers.batch_ensemble_dense import BatchEnsembleDense
from nnrecipes.layers.channel_history import ChannelHistory
from nnrecipes.layers.drop_path import DropPath
from nnrecipes.layers.drop_path import StochasticDepth
from nnrecipes.layers.ensemble_mean import EnsembleMean
from nnrecipes.layers.masked_global_pooling import MaskedGlobalPooling1D
from nnrecipes.layers.member_loss_model import MemberLossModel
from nnrecipes.layers.nested import nested_layers
from nnrecipes.layers.periodic_embedding import PeriodicEmbedding
from nnrecipes.layers.positional_embedding import PositionalEmbedding
from nnrecipes.layers.residual_conv_block import ResidualConvBlock
from nnrecipes.layers.residual_dense_block import ResidualDenseBlock
from nnrecipes.layers.reversible_instance_normalization import ReversibleInstanceNormalization
from nnrecipes.layers.sinusoidal_positional_embedding import SinusoidalPositionalEmbedding
from nnrecipes.layers.transformer_encoder import TransformerEncoder
from nnrecipes.layers.weight_normalization import WeightNormalization

__all__ = [
    "BatchEnsembleDense",
    "ChannelHistory",
    "DropPath",
    "EnsembleMean",
    "MaskedGlobalPooling1D",
    "MemberLossModel",
    "PeriodicEmbedding",
    "PositionalEmbedding",
    "ResidualConvBlock",
    "ResidualDenseBlock",
    "ReversibleInstanceNormalization",
    "SinusoidalPositionalEmbedding",
    "StochasticDepth",
    "TransformerEncoder",
    "WeightNormalization",
    "nested_layers",
]
