import numpy as np

import keras
from keras import ops

from nnrecipes.layers.nested import nested_layers
from nnrecipes.layers.weight_normalization import WeightNormalization


def _candidates(model):
    """Layers whose output scale LSUV sets: those with a kernel, and
    WeightNormalization wrappers in place of the layers they wrap."""
    # Nested ones included, e.g. the dense layers inside a TransformerEncoder.
    layers = nested_layers(model)
    wrapped = {id(layer.layer) for layer in layers if isinstance(layer, WeightNormalization)}
    found = []
    for layer in layers:
        if id(layer) in wrapped:
            continue
        if isinstance(layer, WeightNormalization) or isinstance(
                getattr(layer, "kernel", None), keras.Variable):
            found.append(layer)
    return found


class _Recorder:
    """Records the first output of chosen layers during one forward pass, by
    putting a recording `call` on each layer instance (removed on exit)."""

    def __init__(self, layers):
        self.layers = layers
        self.outputs = {}
        self.order = []

    def __enter__(self):
        for layer in self.layers:
            original = layer.call

            def recording_call(*args, _layer=layer, _original=original, **kwargs):
                output = _original(*args, **kwargs)
                if id(_layer) not in self.outputs:
                    self.outputs[id(_layer)] = output
                    self.order.append(_layer)
                return output

            layer.call = recording_call
        return self

    def __exit__(self, *exc):
        for layer in self.layers:
            del layer.call
        return False

    def run(self, model, x):
        self.outputs.clear()
        self.order.clear()
        model(x, training=False)


def _scale_variable(layer):
    return layer.g if isinstance(layer, WeightNormalization) else layer.kernel


def _orthogonalize(layer, seed):
    kernel = layer.v if isinstance(layer, WeightNormalization) else layer.kernel
    shape = tuple(kernel.shape)
    flat = (int(np.prod(shape[:-1])) if len(shape) > 1 else 1, shape[-1])
    values = keras.initializers.Orthogonal(seed=seed)(flat, dtype=kernel.dtype)
    kernel.assign(ops.reshape(values, shape))
    if isinstance(layer, WeightNormalization):
        layer.match_length_to_direction()


def lsuv_init(model, x_batch, *, tolerance=0.1, max_iterations=10, orthogonal=True,
              seed=None, verbose=False):
    """Layer-sequential unit-variance (LSUV) initialization from a data batch.

    Works on any built Keras model (Functional, Sequential or subclassed).
    Every layer with a kernel that the forward pass calls (Dense, Conv, the
    projections inside attention and the blocks of `nnrecipes.layers`) is
    first given an orthogonal kernel (`orthogonal=True`); then, layer by
    layer in the order the forward pass reaches them, the kernel is divided
    by the standard deviation of the layer's output on `x_batch` (before its
    own activation, if it has one) until that variance is within `tolerance`
    of 1 or `max_iterations` passes are spent. Biases are left as they are.
    Recurrent layers (LSTM, GRU, SimpleRNN) are left alone: their cells
    return an output and states, not one output to scale, and the paper
    does not cover them.
    For a `WeightNormalization` wrapper, its length `g` is scaled instead.
    Layers whose output has zero variance (e.g. all-zero inputs) are left
    alone. Run it once, before training.

    Args:
        model: a built `keras.Model`.
        x_batch: a batch of training inputs (what `model(x_batch)` accepts);
            a few hundred samples give a stable variance.
        tolerance: stop when `|variance - 1| < tolerance`. Defaults to `0.1`.
        max_iterations: most forward passes per layer. Defaults to `10`.
        orthogonal: start from orthogonal kernels, as in the paper. Defaults
            to `True`.
        seed: seed of the orthogonal initializer. Defaults to `None`.
        verbose: print each layer's final variance. Defaults to `False`.

    Returns:
        A dict: layer name -> output variance after initialization, in
        forward order.

    Example:
    ```python
    model = nnrecipes.build("mlp", input_shape=(20,), num_classes=3)
    nnrecipes.initializers.lsuv_init(model, x_train[:256])
    model.fit(x_train, y_train)
    ```

    Reference:
    - [Mishkin & Matas, 2015](https://arxiv.org/abs/1511.06422)
    """
    if not isinstance(model, keras.Model) or not model.built:
        raise ValueError(
            "`lsuv_init` needs a built keras.Model (call it once or build it first). "
            f"Received: model={model!r}"
        )
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) \
            or not 0 < tolerance < 1:
        raise ValueError(f"`tolerance` must be in (0, 1). Received: tolerance={tolerance!r}")
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int) \
            or max_iterations < 1:
        raise ValueError(
            "`max_iterations` must be a positive integer. "
            f"Received: max_iterations={max_iterations!r}"
        )
    layers = _candidates(model)
    if not layers:
        raise ValueError(
            "The model has no layer with a kernel for LSUV to initialize. "
            f"Received: model with layers {[layer.name for layer in model.layers]}"
        )
    variances = {}
    with _Recorder(layers) as recorder:
        recorder.run(model, x_batch)
        # A layer whose output is not one tensor (a recurrent cell returns its
        # output and states) is left alone, orthogonal start included.
        order = [layer for layer in recorder.order
                 if hasattr(recorder.outputs[id(layer)], "shape")]
        if orthogonal:
            for i, layer in enumerate(order):
                _orthogonalize(layer, None if seed is None else seed + i)
        for layer in order:
            with _linear_activation(layer):
                variance = _unit_variance(layer, recorder, model, x_batch, tolerance,
                                          max_iterations)
            if variance is not None:
                variances[layer.name] = variance
                if verbose:
                    print(f"LSUV {layer.name}: output variance {variance:.4f}")
    return variances


def _output_variance(layer, recorder, model, x_batch):
    recorder.run(model, x_batch)
    output = recorder.outputs.get(id(layer))
    if output is None or not hasattr(output, "shape"):
        return None
    return float(ops.convert_to_numpy(ops.var(output)))


def _unit_variance(layer, recorder, model, x_batch, tolerance, max_iterations):
    for _ in range(max_iterations):
        variance = _output_variance(layer, recorder, model, x_batch)
        if variance is None or variance < 1e-12 or abs(variance - 1.0) < tolerance:
            return variance
        target = _scale_variable(layer)
        target.assign(target / np.sqrt(variance).astype(target.dtype))
    return _output_variance(layer, recorder, model, x_batch)


class _linear_activation:
    """Makes a layer's fused activation linear for a while, so LSUV measures
    the output before the nonlinearity, as the paper does."""

    def __init__(self, layer):
        self.layer = layer.layer if isinstance(layer, WeightNormalization) else layer
        self.saved = getattr(self.layer, "activation", None)

    def __enter__(self):
        if callable(self.saved):
            self.layer.activation = keras.activations.linear

    def __exit__(self, *exc):
        if callable(self.saved):
            self.layer.activation = self.saved
        return False
