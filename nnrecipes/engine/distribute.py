"""Where training runs: TPU, several GPUs, several machines, or one device.

`get_strategy("auto")` picks a TPU when a TPU cluster resolver finds one, a
`MirroredStrategy` over all GPUs when there are several, a
`MultiWorkerMirroredStrategy` when `TF_CONFIG` names a cluster of workers,
and TensorFlow's default strategy otherwise. `nnrecipes.train(...,
strategy=...)` and `nnrecipes.tune(..., strategy=...)` take the same names.

On the JAX backend the scale-out path is `keras.distribution`:
`"data_parallel"` (and `"auto"` with several devices) is a
`keras.distribution.DataParallel` over every local device; `"default"` is
the single device. The `tf.distribute` names refuse there, naming the
backend they need.
"""

import contextlib
import json
import os
import weakref

import keras

STRATEGIES = ("auto", "default", "one_device", "mirrored", "multi_worker", "tpu",
              "data_parallel")
# The names that are `tf.distribute` strategies: TensorFlow backend only.
TF_STRATEGIES = ("one_device", "mirrored", "multi_worker", "tpu")

# The public keras.distribution classes (their base class is not public).
_DISTRIBUTIONS = (keras.distribution.DataParallel, keras.distribution.ModelParallel)

# model -> its multi-worker step functions, made once per model.
_LOOPS = weakref.WeakKeyDictionary()


def _tf_config_cluster():
    """The cluster that `TF_CONFIG` describes, or None when it names none."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        return None
    try:
        config = json.loads(text)
    except ValueError:
        raise ValueError(
            "The TF_CONFIG environment variable must hold JSON such as "
            '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", '
            f'"index": 0}}}}. Received: TF_CONFIG={text!r}') from None
    cluster = config.get("cluster") or {}
    workers = len(cluster.get("worker", [])) + len(cluster.get("chief", []))
    return config if workers > 1 else None


def _find_tpu():
    import tensorflow as tf

    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        if not resolver.master():
            return None
    except (ValueError, RuntimeError, tf.errors.NotFoundError, KeyError):
        return None
    return resolver


def _tpu_strategy(resolver):
    import tensorflow as tf

    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def get_strategy(strategy="auto"):
    """Returns a `tf.distribute.Strategy` by name.

    Args:
        strategy: one of `"auto"` (a TPU when one is found, else a
            `MultiWorkerMirroredStrategy` when `TF_CONFIG` names several
            workers, else `MirroredStrategy` with two or more GPUs, else the
            default strategy), `"default"` (TensorFlow's default strategy:
            the current device), `"one_device"` (the first GPU, or the CPU),
            `"mirrored"` (all local GPUs), `"multi_worker"` (the cluster in
            `TF_CONFIG`), `"tpu"`, `"data_parallel"` (JAX backend: a
            `keras.distribution.DataParallel` over all local devices); or a
            `tf.distribute.Strategy` or `keras.distribution.Distribution`,
            returned as is. Defaults to `"auto"`.

    Returns:
        A `tf.distribute.Strategy` on TensorFlow; on the other backends a
        `keras.distribution.DataParallel` or `SingleDevice` (each has a
        `scope()`, like a strategy).

    Example:
    ```python
    strategy = nnrecipes.engine.get_strategy("auto")
    with strategy.scope():
        model = nnrecipes.build("mlp", input_shape=(8,), num_classes=3)
    ```
    """
    if isinstance(strategy, (*_DISTRIBUTIONS, SingleDevice)):
        return strategy
    if keras.backend.backend() != "tensorflow":
        return _keras_distribution(strategy)
    import tensorflow as tf

    if isinstance(strategy, tf.distribute.Strategy):
        return strategy
    name = _checked_name(strategy)
    if name == "data_parallel":
        raise ValueError(
            "strategy='data_parallel' is Keras's own data parallelism "
            "(keras.distribution.DataParallel), which nnrecipes runs on the JAX backend. "
            "Set KERAS_BACKEND=jax, or on TensorFlow use strategy='mirrored'. "
            "Received: strategy='data_parallel', KERAS_BACKEND='tensorflow'")
    if name == "auto":
        resolver = _find_tpu()
        if resolver is not None:
            return _tpu_strategy(resolver)
        if _tf_config_cluster() is not None:
            return tf.distribute.MultiWorkerMirroredStrategy()
        if len(tf.config.list_logical_devices("GPU")) > 1:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        if not os.environ.get("TF_CONFIG"):
            raise ValueError(
                "strategy='multi_worker' reads the cluster from the TF_CONFIG environment "
                "variable, which is not set. Set it on every worker, e.g. "
                'TF_CONFIG=\'{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, '
                '"task": {"type": "worker", "index": 0}}\'. Received: TF_CONFIG=None')
        _tf_config_cluster()  # checks the JSON
        return tf.distribute.MultiWorkerMirroredStrategy()
    resolver = _find_tpu()
    if resolver is None:
        raise ValueError(
            "strategy='tpu' found no TPU: the TPU cluster resolver returned none. "
            f"Valid on this machine: {['auto', 'default', 'one_device', 'mirrored']}. "
            "Received: strategy='tpu'")
    return _tpu_strategy(resolver)


class SingleDevice:
    """Training on one device, outside any distribution (non-TensorFlow backends).

    Its `scope()` does nothing, so code written for a strategy runs as is.
    """

    num_replicas_in_sync = 1

    def scope(self):
        return contextlib.nullcontext()

    def __repr__(self):
        return "<SingleDevice>"


def _checked_name(strategy):
    if strategy is None:
        return "auto"
    if not isinstance(strategy, str) or strategy.lower() not in STRATEGIES:
        raise ValueError(
            f"`strategy` must be one of {list(STRATEGIES)} or a tf.distribute.Strategy. "
            f"Received: strategy={strategy!r}")
    return strategy.lower()


def _keras_distribution(strategy):
    """`get_strategy` on the JAX and PyTorch backends: keras.distribution."""
    backend = keras.backend.backend()
    if strategy is not None and not isinstance(strategy, str):
        raise ValueError(
            f"On the {backend} backend `strategy` must be one of "
            f"{['auto', 'default', 'data_parallel']} or a keras.distribution.Distribution; "
            f"tf.distribute strategies need KERAS_BACKEND=tensorflow. "
            f"Received: strategy={strategy!r}")
    name = _checked_name(strategy)
    if name in TF_STRATEGIES:
        raise ValueError(
            f"strategy={name!r} is a tf.distribute strategy, which needs "
            f"KERAS_BACKEND=tensorflow. On the {backend} backend use "
            f"{['auto', 'default'] + (['data_parallel'] if backend == 'jax' else [])}. "
            f"Received: strategy={strategy!r}, KERAS_BACKEND={backend!r}")
    if name == "data_parallel" and backend != "jax":
        raise ValueError(
            "strategy='data_parallel' (keras.distribution.DataParallel) needs "
            f"KERAS_BACKEND=jax. Received: strategy='data_parallel', KERAS_BACKEND={backend!r}")
    devices = keras.distribution.list_devices() if backend == "jax" else []
    if name == "data_parallel" or (name == "auto" and len(devices) > 1):
        return keras.distribution.DataParallel(devices=devices)
    return SingleDevice()


def _in_scope(strategy):
    """`strategy.scope()` for a keras.distribution (fit reads it), else nothing."""
    if isinstance(strategy, _DISTRIBUTIONS):
        return strategy.scope()
    return contextlib.nullcontext()


def is_chief(strategy=None):
    """Whether this process is the one that writes results (exports, files).

    Every process is the chief except the non-zero workers of a
    `MultiWorkerMirroredStrategy` cluster.
    """
    config = _tf_config_cluster()
    if config is None:
        return True
    task = config.get("task") or {}
    kind, index = task.get("type", "worker"), int(task.get("index", 0))
    has_chief = bool((config.get("cluster") or {}).get("chief"))
    return kind == "chief" or (not has_chief and kind == "worker" and index == 0)


def set_mixed_precision(enabled=True):
    """Switches Keras's global dtype policy to mixed precision, or back.

    On a GPU (`"mixed_float16"`) or TPU (`"mixed_bfloat16"`) layers compute
    in 16 bits and keep float32 weights; recipe heads stay in float32. On a
    machine without either, asking for it is an error: it would only be
    slower there.

    Args:
        enabled: `True` for mixed precision, `False` for float32. Defaults to
            `True`.

    Returns:
        The policy name now in force.

    Example:
    ```python
    nnrecipes.engine.set_mixed_precision(True)   # on a GPU machine
    ```
    """
    import tensorflow as tf

    if not enabled:
        keras.mixed_precision.set_global_policy("float32")
        return "float32"
    if tf.config.list_logical_devices("GPU"):
        policy = "mixed_float16"
    elif tf.config.list_logical_devices("TPU"):
        policy = "mixed_bfloat16"
    else:
        raise ValueError(
            "Mixed precision needs a GPU or a TPU; this machine has neither, where 16-bit "
            "compute is slower than float32. Received: mixed_precision=True")
    keras.mixed_precision.set_global_policy(policy)
    return policy


@contextlib.contextmanager
def mixed_precision_scope(enabled=True):
    """Mixed precision for the layers made inside the block; the previous
    global policy comes back after it (the layers keep theirs).

    Example:
    ```python
    with nnrecipes.engine.mixed_precision_scope(True):   # on a GPU
        model = nnrecipes.build("cnn", input_shape=(28, 28, 1), num_classes=10)
    ```
    """
    previous = keras.mixed_precision.global_policy().name
    if enabled:
        set_mixed_precision(True)
    try:
        yield
    finally:
        if enabled:
            keras.mixed_precision.set_global_policy(previous)


def is_multi_worker(strategy):
    """Whether `strategy` synchronizes several worker processes."""
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and _tf_config_cluster() is not None)


def _auto_sharded(dataset):
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


# keras-team/keras#20585: Keras's `fit` and `evaluate` reduce the input batch
# and scalar metrics over an axis that does not exist under a
# MultiWorkerMirroredStrategy, so they fail there. Every Keras release up to
# this one has the bug; `tests/engine/distribute_test.py` runs plain `fit`
# under two workers and fails the day it works, so this loop can go.
KERAS_FIT_FAILS_UNDER_MULTI_WORKER = True


class _MultiWorkerLoop:
    """Synchronous data-parallel steps over the workers of a
    `MultiWorkerMirroredStrategy`, around Keras's own `train_step` and
    `test_step` (see `KERAS_FIT_FAILS_UNDER_MULTI_WORKER`).

    Each replica runs the model's `train_step` on its shard: the compiled
    loss through `Loss.__call__` (reduction, sample weights, the per-replica
    scaling of `keras.losses`), regularization losses, the optimizer's loss
    scaling under mixed precision, and the compiled metrics. The optimizer
    sums the gradients over all replicas; the metrics (the loss among them)
    are read back aggregated over every worker.
    """

    def __init__(self, model, strategy, sample_batch):
        import tensorflow as tf

        self.model = model
        self.strategy = strategy
        x0, y0 = sample_batch
        with strategy.scope():
            # Optimizer slots, the compiled loss and metric variables are made
            # once, outside the replicas, where variables may be created.
            model.optimizer.build(model.trainable_variables)
            y_pred = model(x0, training=False)
            model.compute_loss(x=x0, y=y0, y_pred=y_pred, training=False)
            model.compute_metrics(x0, y0, y_pred, sample_weight=None)
        model.reset_metrics()

        @tf.function
        def train_step(x, y):
            strategy.run(model.train_step, args=((x, y),))

        @tf.function
        def test_step(x, y):
            strategy.run(model.test_step, args=((x, y),))

        self.train_step, self.test_step = train_step, test_step

    def _results(self, prefix=""):
        return {prefix + k: float(v) for k, v in self.model.get_metrics_result().items()}

    def iterator(self, dataset):
        return iter(self.strategy.experimental_distribute_dataset(_auto_sharded(dataset)))

    def run_epoch(self, iterator, steps=None):
        self.model.reset_metrics()
        done = 0
        while steps is None or done < steps:
            try:
                x, y = next(iterator)
            except StopIteration:
                break
            self.train_step(x, y)
            done += 1
        return self._results()

    def evaluate(self, dataset, prefix=""):
        self.model.reset_metrics()
        for x, y in self.strategy.experimental_distribute_dataset(_auto_sharded(dataset)):
            self.test_step(x, y)
        return self._results(prefix)


def _current_strategy():
    """TensorFlow's current strategy; on other backends Keras's distribution."""
    if keras.backend.backend() != "tensorflow":
        return keras.distribution.distribution() or SingleDevice()
    import tensorflow as tf

    return tf.distribute.get_strategy()


def fit(model, train_data, *, strategy=None, validation_data=None, epochs=1, initial_epoch=0,
        callbacks=None, verbose=0, **kwargs):
    """`model.fit`, and the same under a multi-worker strategy.

    With a `MultiWorkerMirroredStrategy` over several workers (every worker
    runs this with the same arguments), epochs run as synchronous steps on
    each worker's shard of `train_data` (a batched `tf.data.Dataset`);
    callbacks get the usual epoch logs and a `keras.callbacks.History` is
    returned. Otherwise this is `model.fit(...)`.

    Args:
        model: a compiled model, built inside `strategy.scope()`.
        train_data: a batched `tf.data.Dataset` of `(x, y)`.
        strategy: the strategy the model was built under. Defaults to the
            current one.
        validation_data: a batched dataset evaluated after each epoch.
        epochs, initial_epoch, callbacks, verbose: as in `model.fit`.
        **kwargs: other `model.fit` arguments (single-process only).

    Returns:
        A `keras.callbacks.History`.
    """
    strategy = strategy or _current_strategy()
    if not is_multi_worker(strategy):
        with _in_scope(strategy):
            return model.fit(train_data, validation_data=validation_data, epochs=epochs,
                             initial_epoch=initial_epoch, callbacks=callbacks,
                             verbose=verbose, **kwargs)
    steps_per_epoch = kwargs.pop("steps_per_epoch", None)
    unsupported = sorted(k for k, v in kwargs.items()
                         if v is not None and k not in ("shuffle", "batch_size"))
    if unsupported:
        raise ValueError(f"Under a multi-worker strategy `fit` takes no {unsupported}. "
                         f"Received: {unsupported}")
    loop = _MultiWorkerLoop(model, strategy, next(iter(train_data)))
    _LOOPS[model] = loop  # reused by `evaluate`
    callback_list = keras.callbacks.CallbackList(list(callbacks or []), add_history=True,
                                                 model=model, epochs=epochs,
                                                 verbose=verbose)
    callback_list.on_train_begin()
    # With `steps_per_epoch`, one pass over `train_data` spans several epochs.
    iterator = loop.iterator(train_data) if steps_per_epoch else None
    for epoch in range(initial_epoch, epochs):
        callback_list.on_epoch_begin(epoch)
        logs = loop.run_epoch(iterator if iterator is not None else loop.iterator(train_data),
                              steps_per_epoch)
        if validation_data is not None:
            logs.update(loop.evaluate(validation_data, prefix="val_"))
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return model.history


def evaluate(model, data, *, strategy=None, verbose=0):
    """`model.evaluate(..., return_dict=True)`, also under a multi-worker
    strategy (see `fit`)."""
    strategy = strategy or _current_strategy()
    if not is_multi_worker(strategy):
        with _in_scope(strategy):
            return model.evaluate(data, verbose=verbose, return_dict=True)
    loop = _LOOPS.get(model) or _MultiWorkerLoop(model, strategy, next(iter(data)))
    return loop.evaluate(data)


def predict(model, data, *, strategy=None):
    """`model.predict(data)`, also under a multi-worker strategy (where each
    worker predicts every batch itself: the weights are the same on all)."""
    import numpy as np

    strategy = strategy or _current_strategy()
    if not is_multi_worker(strategy):
        with _in_scope(strategy):
            return model.predict(data, verbose=0)
    return np.concatenate([np.asarray(model(x, training=False)) for x in data])
