"""Regularizers that Keras lacks, registered for saving and loading.

- `GroupLasso`: structured sparsity over whole units (a weight regularizer)
- `KLSparsity`: the KL sparsity activity regularizer of sparse autoencoders
- `Combined`: the sum of several regularizers (e.g. L2 and group lasso)
"""

from nnrecipes.regularizers.combined import Combined
from nnrecipes.regularizers.group_lasso import GroupLasso
from nnrecipes.regularizers.kl_sparsity import KLSparsity

__all__ = ["Combined", "GroupLasso", "KLSparsity"]
