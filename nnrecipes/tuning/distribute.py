"""Where training runs: TPU, several GPUs, several machines, or one device.

`get_strategy("auto")` picks a TPU when a TPU cluster resolver finds one, a
`MirroredStrategy` over all GPUs when there are several, a
`MultiWorkerMirroredStrategy` when `TF_CONFIG` names a cluster of workers,
and TensorFlow's default strategy otherwise. `nnrecipes.train(...,
strategy=...)` and `nnrecipes.tune(..., strategy=...)` take the same names.
"""

import json
import os

import keras

STRATEGIES = ("auto", "default", "one_device", "mirrored", "multi_worker", "tpu")


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
            `TF_CONFIG`), `"tpu"`; or a `tf.distribute.Strategy`, returned
            as is. Defaults to `"auto"`.

    Returns:
        A `tf.distribute.Strategy`.

    Example:
    ```python
    strategy = nnrecipes.tuning.get_strategy("auto")
    with strategy.scope():
        model = nnrecipes.build("mlp", input_shape=(8,), num_classes=3)
    ```
    """
    import tensorflow as tf

    if isinstance(strategy, tf.distribute.Strategy):
        return strategy
    if strategy is None:
        strategy = "auto"
    if not isinstance(strategy, str) or strategy.lower() not in STRATEGIES:
        raise ValueError(
            f"`strategy` must be one of {list(STRATEGIES)} or a tf.distribute.Strategy. "
            f"Received: strategy={strategy!r}")
    name = strategy.lower()
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
    nnrecipes.tuning.set_mixed_precision(True)   # on a GPU machine
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
