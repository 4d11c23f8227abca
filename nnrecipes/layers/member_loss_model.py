"""`MemberLossModel`: an ensemble trained on the mean of its members' losses."""

import keras
from keras import ops

from nnrecipes.layers.ensemble_mean import EnsembleMean


@keras.saving.register_keras_serializable(package="nnrecipes")
class MemberLossModel(keras.Model):
    """A functional model whose output is the `EnsembleMean` of k members,
    trained on the mean of the members' losses.

    Made like any functional model, `MemberLossModel(inputs, outputs)`, where
    `outputs` is the output of an `nnrecipes.layers.EnsembleMean` (the
    members' predictions, `(batch, k, ...)`, averaged). At inference
    (`predict`, `evaluate`, export) it is that functional model: it outputs
    the mean. In training, the compiled loss is applied to each member's
    prediction and averaged over the members (each member is fitted on its
    own, as TabM trains, rather than the mean being fitted), plus the
    model's regularization losses once; the training metrics see the mean.
    For cross-entropy this is the mean of `-log p_i(y)` over the members,
    not `-log` of their mean probability.

    Args:
        inputs: the functional model's inputs.
        outputs: the output of an `EnsembleMean` (one tensor).
        **kwargs: other `keras.Model` arguments (`name`, `trainable`).

    Example:
    ```python
    inputs = keras.Input((6,))
    members = nnrecipes.layers.BatchEnsembleDense(3, k=4, r_init="random_signs")(inputs)
    outputs = nnrecipes.layers.EnsembleMean()(keras.layers.Softmax()(members))
    model = nnrecipes.layers.MemberLossModel(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    ```

    Reference:
    - [Gorishniy et al., 2025, "TabM: Advancing Tabular Deep Learning with
      Parameter-Efficient Ensembling"](https://arxiv.org/abs/2410.24210): the
      members are trained on the mean of their losses.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        outputs = self.outputs
        last = [layer for layer in self.layers
                if isinstance(layer, EnsembleMean) and len(outputs) == 1
                and layer.output is outputs[0]]
        if not last:
            raise ValueError("MemberLossModel needs one output, made by an EnsembleMean "
                             f"layer. Received: outputs={outputs}")
        # A `keras.Function` (not a layer: nothing is tracked or saved twice)
        # over the same graph, ending at the members' predictions.
        self._members = keras.Function(self.input, last[0].input)

    def call(self, inputs, training=None, mask=None):
        if training:
            # The layers inside take `training=True` from the call context.
            return self._members(inputs)
        return super().call(inputs, training=training, mask=mask)

    def _is_members(self, y_pred):
        return (y_pred is not None and not isinstance(y_pred, (list, tuple, dict))
                and len(y_pred.shape) == len(self.outputs[0].shape) + 1)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if self._is_members(y_pred):
            k = y_pred.shape[1]
            y_pred = ops.reshape(y_pred, (-1, *y_pred.shape[2:]))
            y = ops.repeat(y, k, axis=0)
            if sample_weight is not None:
                sample_weight = ops.repeat(sample_weight, k, axis=0)
        return super().compute_loss(x, y, y_pred, sample_weight, training=training)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        if self._is_members(y_pred):
            y_pred = ops.mean(y_pred, axis=1)
        return super().compute_metrics(x, y, y_pred, sample_weight)
