"""Initialization procedures that act on a whole model.

- `lsuv_init(model, x_batch)`: layer-sequential unit-variance initialization
"""

from nnrecipes.initializers.lsuv import lsuv_init

__all__ = ["lsuv_init"]
