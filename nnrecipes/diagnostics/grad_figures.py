"""One training step's gradient figures, backend-neutral.

`step_figures` turns a step's gradients and the weights before and after
its update into the global gradient norm, the per-layer norms and the
update-to-weight ratios. `GradientMonitor` calls it inside the traced step,
through `optimizer.apply` on TensorFlow and `optimizer.stateless_apply` on
JAX (`nnrecipes.diagnostics.gradients_jax`).
"""

import keras
from keras import ops

# Prefixes of the per-layer entries in `logs`.
GRAD_NORM = "grad_norm"
UPDATE_RATIO = "update_ratio"

def _is_indexed_slices(value):
    import tensorflow as tf

    return isinstance(value, tf.IndexedSlices)


def _squared_sum(value):
    """Sum of squares of a gradient: dense, or sparse rows of an embedding."""
    if keras.backend.backend() == "tensorflow" and _is_indexed_slices(value):
        import tensorflow as tf

        # Rows may repeat; add them up first so the norm is that of the
        # dense gradient.
        unique, position = tf.unique(value.indices)
        value = tf.math.unsorted_segment_sum(value.values, position, tf.shape(unique)[0])
    value = ops.cast(value, "float32")
    return ops.sum(ops.square(value))


def step_figures(grads, groups, count, before, after, scale=None, keep=None):
    """One step's gradient figures, as tensors (backend-neutral, traceable).

    Args:
        grads: the gradients, one per variable (None for none).
        groups: per variable, the index of its layer group (or None).
        count: the number of layer groups.
        before: per variable, its value before the update (or None for
            no update ratios).
        after: per variable, its value after the update.
        scale: the factor the loss was scaled by (or None).
        keep: a boolean tensor, False when the step was skipped (loss
            scaling overflow): its figures are zeros then.

    Returns:
        `(global_norm, layer_norms, ratios)` (`ratios` None without
        `before`), or None when no variable had a gradient.
    """
    grad_sq = [[] for _ in range(count)]
    delta_sq = [[] for _ in range(count)]
    weight_sq = [[] for _ in range(count)]
    total = []
    for i, grad in enumerate(grads):
        if grad is None:
            continue
        sq = _squared_sum(grad)
        total.append(sq)
        group = groups[i]
        if group is None:
            continue
        grad_sq[group].append(sq)
        if before is not None and before[i] is not None:
            old = ops.cast(before[i], "float32")
            new = ops.cast(after[i], "float32")
            delta_sq[group].append(ops.sum(ops.square(new - old)))
            weight_sq[group].append(ops.sum(ops.square(old)))
    if not total:
        return None

    def stacked(parts):
        return ops.stack([ops.sum(ops.stack(p)) if p else ops.zeros(()) for p in parts])

    global_norm = ops.sqrt(ops.sum(ops.stack(total)))
    layer_norms = ops.sqrt(stacked(grad_sq))
    if scale is not None:
        global_norm = global_norm / scale
        layer_norms = layer_norms / scale
    ratios = None
    if before is not None:
        ratios = ops.sqrt(stacked(delta_sq)) / (ops.sqrt(stacked(weight_sq)) + 1e-12)
    if keep is not None:
        global_norm = ops.where(keep, global_norm, 0.0)
        layer_norms = ops.where(keep, layer_norms, ops.zeros_like(layer_norms))
        if ratios is not None:
            ratios = ops.where(keep, ratios, ops.zeros_like(ratios))
    return global_norm, layer_norms, ratios
