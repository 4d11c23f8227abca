"""`tf.data` input pipelines: seeded shuffling, batching, caching, prefetching."""

import numpy as np
import tensorflow as tf


def make_dataset(x, y=None, *, batch_size=64, shuffle=False, seed=0, cache=True,
                 drop_remainder=False, map_fn=None):
    """A batched `tf.data.Dataset` over in-memory arrays.

    The order is: cache (the source examples, once), shuffle (seeded, a new
    order each epoch), batch, an optional per-batch `map_fn` (e.g.
    augmentation, run in parallel), then `prefetch(AUTOTUNE)` so the next
    batches are ready while the model trains on the current one.

    Args:
        x: inputs, a NumPy array (numbers or strings) or a dict of them.
        y: targets, or None for inputs only. Defaults to `None`.
        batch_size: examples per batch. Defaults to `64`.
        shuffle: shuffle the examples each epoch. Defaults to `False`.
        seed: the shuffle's seed; the same seed gives the same epoch orders.
            Defaults to `0`.
        cache: keep the examples in memory after the first pass. Defaults to
            `True`.
        drop_remainder: drop the last, smaller batch. Defaults to `False`.
        map_fn: a function applied to each batch, `(x, y) -> (x, y)` (or
            `x -> x` without targets). Defaults to `None`.

    Returns:
        A `tf.data.Dataset` of batches.

    Example:
    ```python
    train = nnrecipes.data.make_dataset(x_train, y_train, batch_size=128, shuffle=True)
    model.fit(train, epochs=5)
    ```
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
    n = _count(x)
    if y is not None and len(y) != n:
        raise ValueError(
            f"`x` and `y` must hold as many examples. Received: len(x)={n}, len(y)={len(y)}")
    x = _tensor_ready(x)
    dataset = tf.data.Dataset.from_tensor_slices(x if y is None else (x, _tensor_ready(y)))
    if cache:
        dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(min(n, 100_000), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if map_fn is not None:
        dataset = dataset.map(map_fn, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _count(x):
    """Examples in an array, a dict of arrays or a `tf.SparseTensor` (rows)."""
    if isinstance(x, tf.SparseTensor):
        return int(x.dense_shape[0])
    return len(x) if not isinstance(x, dict) else len(next(iter(x.values())))


def _tensor_ready(array):
    if isinstance(array, tf.SparseTensor):
        return array  # e.g. TF-IDF vectors (nnrecipes.data.sparse_text), sliced by rows
    if isinstance(array, dict):
        return {k: _tensor_ready(v) for k, v in array.items()}
    array = np.asarray(array)
    if array.dtype == object:
        return array.astype(str)  # tf.data takes str arrays as tf.string
    return array


def epoch_batches(x, y, *, batch_size, seed, first_epoch, epochs):
    """The training batches of epochs `first_epoch..epochs-1`, in a fixed order.

    Epoch `e` is shuffled with a seed made from `(seed, e)`, so a run resumed
    at epoch `e` sees exactly the batches an uninterrupted run would. Fit it
    with `steps_per_epoch = ceil(len(x) / batch_size)`.

    Example:
    ```python
    train = nnrecipes.data.epoch_batches(x, y, batch_size=64, seed=0, first_epoch=0,
                                         epochs=10)
    model.fit(train, epochs=10, steps_per_epoch=-(-len(x) // 64))
    ```
    """
    examples = tf.data.Dataset.from_tensor_slices((_tensor_ready(x), _tensor_ready(y)))
    examples = examples.cache()
    batches = None
    for epoch in range(first_epoch, epochs):
        one = examples.shuffle(_count(x), seed=seed * 1_000_003 + epoch).batch(batch_size)
        batches = one if batches is None else batches.concatenate(one)
    return batches.prefetch(tf.data.AUTOTUNE)


def as_datasets(splits, *, batch_size=64, seed=0, cache=True):
    """The train, validation and test `tf.data` pipelines of a `Splits`.

    Only the training pipeline is shuffled (seeded by `seed`).

    Returns:
        `(train, validation, test)` datasets of `(x, y)` batches.

    Example:
    ```python
    splits = nnrecipes.data.load("digits")
    train, val, test = nnrecipes.data.as_datasets(splits, batch_size=32)
    ```
    """
    return (
        make_dataset(splits.x_train, splits.y_train, batch_size=batch_size, shuffle=True,
                     seed=seed, cache=cache),
        make_dataset(splits.x_val, splits.y_val, batch_size=batch_size, cache=cache),
        make_dataset(splits.x_test, splits.y_test, batch_size=batch_size, cache=cache),
    )
