"""`BatchEnsembleDense`: k dense layers that share one weight matrix."""

import keras
from keras import ops

# How the rank-one input factors `r` start (`"random_signs"`: each entry +1 or -1).
SCALING_INITS = ("ones", "random_signs")


def _random_signs(shape, dtype=None):
    # keras.random needs no seed generator state here: the values are drawn once at build.
    draws = keras.random.uniform(shape, dtype="float32")
    return ops.cast(ops.where(draws < 0.5, -1.0, 1.0), dtype or "float32")


@keras.saving.register_keras_serializable(package="nnrecipes")
class BatchEnsembleDense(keras.layers.Layer):
    """A BatchEnsemble linear layer: `k` members sharing one kernel `W`.

    Member `i` computes `y_i = ((x_i * r_i) W) * s_i + b_i`, where `r_i`
    (input size) and `s_i` (`units`) are its rank-one factors and `b_i` its
    own bias; `W` is shared, so `k` members cost one matrix of weights. An
    input of shape `(batch, features)` is first copied to every member
    (`(batch, k, features)`). As in TabM, the first layer of a network
    starts its `r` at random signs (`r_init="random_signs"`), which is what
    makes the members differ, and later layers at ones (`"ones"`).

    Args:
        units: output units per member.
        k: number of members. Defaults to `32`.
        r_init: `"random_signs"` or `"ones"`, the start of `r`. Defaults to
            `"ones"`.
        s_init: the same for `s`. Defaults to `"ones"`.
        kernel_initializer: initializer of `W`. Defaults to `"glorot_uniform"`.
        kernel_regularizer: regularizer of `W`. Defaults to `None`.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: tensor `(batch, features)` or `(batch, k, features)`.

    Returns:
        tensor `(batch, k, units)`.

    Example:
    ```python
    x = keras.random.normal((4, 10))
    y = nnrecipes.layers.BatchEnsembleDense(8, k=3, r_init="random_signs")(x)  # (4, 3, 8)
    ```

    Reference:
    - [Wen et al., 2020, "BatchEnsemble"](https://arxiv.org/abs/2002.06715)
    - [Gorishniy et al., 2025, "TabM: Advancing Tabular Deep Learning with
      Parameter-Efficient Ensembling"](https://arxiv.org/abs/2410.24210)
    """

    def __init__(self, units, k=32, r_init="ones", s_init="ones",
                 kernel_initializer="glorot_uniform", kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("units", units), ("k", k)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer. "
                                 f"Received: {name}={value!r}")
        for name, value in (("r_init", r_init), ("s_init", s_init)):
            if value not in SCALING_INITS:
                raise ValueError(f"`{name}` must be one of {SCALING_INITS}. "
                                 f"Received: {name}={value!r}")
        self.units = units
        self.k = k
        self.r_init = r_init
        self.s_init = s_init
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        if len(input_shape) not in (2, 3) or input_shape[-1] is None:
            raise ValueError("BatchEnsembleDense takes inputs of shape (batch, features) or "
                             "(batch, k, features) with a known number of features. "
                             f"Received: input_shape={tuple(input_shape)}")
        if len(input_shape) == 3 and input_shape[1] != self.k:
            raise ValueError(f"A 3-D input must have k={self.k} members on axis 1. "
                             f"Received: input_shape={tuple(input_shape)}")
        features = input_shape[-1]
        inits = {"ones": "ones", "random_signs": _random_signs}
        self.kernel = self.add_weight(name="kernel", shape=(features, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.r = self.add_weight(name="r", shape=(self.k, features),
                                 initializer=inits[self.r_init])
        self.s = self.add_weight(name="s", shape=(self.k, self.units),
                                 initializer=inits[self.s_init])
        self.bias = self.add_weight(name="bias", shape=(self.k, self.units),
                                    initializer="zeros")

    @property
    def no_weight_decay_variables(self):
        """The members' own weights (`r`, `s`, bias), which weight decay
        leaves alone (`nnrecipes.families.common.exclude_from_weight_decay`):
        only the shared kernel decays."""
        return [self.r, self.s, self.bias] if self.built else []

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        if len(x.shape) == 2:
            x = ops.repeat(x[:, None, :], self.k, axis=1)
        x = x * ops.cast(self.r, x.dtype)[None]
        y = ops.einsum("bkf,fu->bku", x, ops.cast(self.kernel, x.dtype))
        return y * ops.cast(self.s, x.dtype)[None] + ops.cast(self.bias, x.dtype)[None]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.k, self.units)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, k=self.k, r_init=self.r_init, s_init=self.s_init,
                      kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
                      kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer))
        return config
