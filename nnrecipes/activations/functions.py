"""Activation functions without weights, registered for saving and loading.

Each one can be passed wherever Keras takes an activation, e.g.
`keras.layers.Dense(8, activation=nnrecipes.activations.lisht)`, and is saved
as `"nnrecipes>lisht"`. The layer forms (`nnrecipes.activations.LiSHT`, ...)
are what the recipes' `activation="name"` hyperparameter uses.
"""

import keras
from keras import ops

# LeCun's constants: 1.7159 * tanh(2x/3) has f(1) = 1 and f(-1) = -1.
SCALED_TANH_AMPLITUDE = 1.7159
SCALED_TANH_SLOPE = 2.0 / 3.0


@keras.saving.register_keras_serializable(package="nnrecipes")
def lisht(x):
    """Linearly scaled hyperbolic tangent: `x * tanh(x)`.

    Non-negative and unbounded above, symmetric in `x`, with a gradient that
    does not vanish for large `|x|`.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape and dtype as `x`.

    Example:
    >>> nnrecipes.activations.lisht(keras.ops.array([-2.0, 0.0, 2.0]))

    Reference:
    - [Roy et al., 2019](https://arxiv.org/abs/1901.05894)
    """
    x = ops.convert_to_tensor(x)
    return x * ops.tanh(x)


@keras.saving.register_keras_serializable(package="nnrecipes")
def scaled_tanh(x):
    """LeCun's scaled hyperbolic tangent: `1.7159 * tanh(2x / 3)`.

    The constants make `f(1) = 1` and `f(-1) = -1`, so unit-variance inputs
    give outputs of about unit variance, and the second derivative peaks at
    `|x| = 1`.

    Args:
        x: input tensor.

    Returns:
        A tensor of the same shape and dtype as `x`.

    Example:
    >>> nnrecipes.activations.scaled_tanh(keras.ops.array([-1.0, 0.0, 1.0]))

    Reference:
    - [LeCun et al., 1998, "Efficient BackProp", section 4.4](
      http://yann.lecun.com/exdb/publis/pdf/lecun-98b.pdf)
    """
    x = ops.convert_to_tensor(x)
    return SCALED_TANH_AMPLITUDE * ops.tanh(SCALED_TANH_SLOPE * x)


@keras.saving.register_keras_serializable(package="nnrecipes")
def snake(x, frequency=1.0):
    """Snake: `x + sin(a * x)**2 / a`, with a fixed frequency `a`.

    A monotonic activation with a periodic component, so that networks can
    extrapolate periodic signals. For a trainable `a`, use the layer
    `nnrecipes.activations.Snake`.

    Args:
        x: input tensor.
        frequency: the frequency `a`, a positive number or a tensor that
            broadcasts against `x`. Defaults to `1.0`.

    Returns:
        A tensor of the same shape as `x`.

    Example:
    >>> nnrecipes.activations.snake(keras.ops.array([0.0, 1.0]), frequency=2.0)

    Reference:
    - [Ziyin et al., 2020](https://arxiv.org/abs/2006.08195)
    """
    x = ops.convert_to_tensor(x)
    a = ops.cast(frequency, x.dtype)
    # The small constant keeps a frequency that training drove to 0 finite;
    # the limit of the formula there is `x`, which this gives.
    return x + ops.square(ops.sin(a * x)) / (a + 1e-9)


@keras.saving.register_keras_serializable(package="nnrecipes")
def beta_swish(x, beta=1.0):
    """Swish with a slope parameter: `x * sigmoid(beta * x)`.

    `beta=1` is SiLU (Keras's `"silu"`); as `beta` grows it tends to ReLU, at
    `beta=0` it is the linear `x / 2`. For a trainable `beta`, use the layer
    `nnrecipes.activations.BetaSwish`.

    Args:
        x: input tensor.
        beta: the slope, a number or a tensor that broadcasts against `x`.
            Defaults to `1.0`.

    Returns:
        A tensor of the same shape as `x`.

    Example:
    >>> nnrecipes.activations.beta_swish(keras.ops.array([-1.0, 1.0]), beta=2.0)

    Reference:
    - [Ramachandran et al., 2017](https://arxiv.org/abs/1710.05941)
    """
    x = ops.convert_to_tensor(x)
    return x * ops.sigmoid(ops.cast(beta, x.dtype) * x)
