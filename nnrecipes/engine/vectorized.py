"""Training a TF-IDF text model on vectors made once per run.

`training_view(model, splits)` is None for every model but a TF-IDF text
model (`nnrecipes.data.sparse_text.tf_idf_parts`); for that one it holds
the network on a sparse input (the same layers, so the same weights),
compiled like `model` with `model`'s own optimizer, and the training and
validation splits vectorized once as `tf.SparseTensor`s. `engine.fit`
trains the network on them; callbacks that save or restore the run (the
epoch checkpoint) see the string model through `OnModel`, so a checkpoint
is the model that takes raw strings, as before.
"""

import dataclasses

import keras

from nnrecipes.data import sparse_text

@dataclasses.dataclass
class TrainingView:
    """What `engine.fit` trains instead of a TF-IDF text model.

    Attributes:
        model: the compiled network on a sparse input.
        x_train: the training texts' TF-IDF vectors (`tf.SparseTensor`).
        x_val: the validation texts' vectors, or None without validation.
        string_model: the model that takes raw strings (trained through `model`).
    """

    model: keras.Model
    x_train: object
    x_val: object
    string_model: keras.Model

    def bound(self, callback):
        """`callback` seeing the string model (None stays None)."""
        return None if callback is None else OnModel(callback, self.string_model)


def training_view(model, splits, *, validate=True):
    """A `TrainingView` of `model` on `splits`, or None when it does not apply.

    Args:
        model: a compiled model (see `engine.build_model`).
        splits: the `nnrecipes.data.Splits` it trains on.
        validate: also vectorize `x_val`. Defaults to `True`.

    Returns:
        A `TrainingView`, or None for any model that is not a TF-IDF text model.
    """
    parts = sparse_text.tf_idf_parts(model)
    if parts is None or splits.kind != "text" or model.optimizer is None:
        return None
    vectorizer, normalization, _ = parts
    network = sparse_text.sparse_network(model)
    compile_like(network, model)
    x_train = sparse_text.tf_idf_vectors(vectorizer, normalization, splits.x_train)
    x_val = (sparse_text.tf_idf_vectors(vectorizer, normalization, splits.x_val)
             if validate else None)
    return TrainingView(network, x_train, x_val, model)


def compile_like(network, model):
    """Compiles `network` with `model`'s optimizer (the object: one state),
    loss and metrics (new metric objects of the same config)."""
    config = model.get_compile_config() or {}
    metrics = config.get("metrics")
    weighted = config.get("weighted_metrics")
    network.compile(
        optimizer=model.optimizer, loss=model.loss,
        loss_weights=config.get("loss_weights"),
        metrics=keras.saving.deserialize_keras_object(metrics) if metrics else None,
        weighted_metrics=keras.saving.deserialize_keras_object(weighted) if weighted else None,
        steps_per_execution=config.get("steps_per_execution", 1),
        jit_compile=config.get("jit_compile", False))


class OnModel(keras.callbacks.Callback):
    """Forwards every hook to `callback`, which sees `model` instead of the
    model being fitted (a network that shares `model`'s weights).

    Example:
    ```python
    network.fit(data, callbacks=[OnModel(checkpoint, string_model)])
    ```
    """

    def __init__(self, callback, model):
        super().__init__()
        self.callback = callback
        self.bound_model = model

    def set_model(self, model):
        super().set_model(model)
        self.callback.set_model(self.bound_model)

    def set_params(self, params):
        super().set_params(params)
        self.callback.set_params(params)


def _forwarding(hook):
    def forward(self, *args, **kwargs):
        return getattr(self.callback, hook)(*args, **kwargs)

    forward.__name__ = hook
    return forward


# Batch hooks are left out: forwarding them would make Keras call every batch.
for _hook in ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
              "on_test_begin", "on_test_end"):
    setattr(OnModel, _hook, _forwarding(_hook))
