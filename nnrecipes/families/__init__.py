"""One module per architecture family; importing them registers the recipes."""

from nnrecipes.families import auto
from nnrecipes.families import cnn
from nnrecipes.families import knobs
from nnrecipes.families import mlp
from nnrecipes.families import rnn
from nnrecipes.families import tabm
from nnrecipes.families import transformer

__all__ = ["auto", "cnn", "knobs", "mlp", "rnn", "tabm", "transformer"]
