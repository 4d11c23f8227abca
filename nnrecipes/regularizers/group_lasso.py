import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class GroupLasso(keras.regularizers.Regularizer):
    """Group lasso: `strength * sqrt(group_size) * sum_g ||w_g||_2`.

    A weight tensor is split into groups along `axis`, one group per index of
    that axis, and the penalty is the sum of the groups' Euclidean norms
    (not squared). Like L1 on single weights, this drives whole groups to
    exactly zero, so training prunes units rather than scattered weights.
    With the default `axis=-1`, each group is one output unit's incoming
    weights (a Dense column, or one convolution filter); `axis=0` on a Dense
    kernel groups each input's outgoing weights, which removes input
    features, as Scardapane et al. do.

    Args:
        strength: the weight `lambda` of the penalty, >= 0. Defaults to
            `0.01`.
        axis: the axis whose indices define the groups. Defaults to `-1`.

    Example:
    ```python
    layer = keras.layers.Dense(
        32, kernel_regularizer=nnrecipes.regularizers.GroupLasso(1e-3))
    ```

    Reference:
    - [Yuan & Lin, 2006](https://doi.org/10.1111/j.1467-9868.2005.00532.x)
    - [Scardapane et al., 2017](https://arxiv.org/abs/1607.00485)
    """

    def __init__(self, strength=0.01, axis=-1):
        if isinstance(strength, bool) or not isinstance(strength, (int, float)) or strength < 0:
            raise ValueError(
                f"`strength` must be a number >= 0. Received: strength={strength!r}"
            )
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"`axis` must be an integer. Received: axis={axis!r}")
        self.strength = float(strength)
        self.axis = axis

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        rank = len(x.shape)
        axis = self.axis % rank
        others = tuple(i for i in range(rank) if i != axis)
        group_size = math.prod(x.shape[i] for i in others) if others else 1
        squares = ops.sum(ops.square(x), axis=others) if others else ops.square(x)
        # The floor keeps the gradient finite for a group that is already 0.
        norms = ops.sqrt(ops.maximum(squares, 1e-12))
        return self.strength * math.sqrt(group_size) * ops.sum(norms)

    def get_config(self):
        return {"strength": self.strength, "axis": self.axis}
