"""TabM: an MLP of BatchEnsemble layers, k members trained at once, averaged."""

import keras

from nnrecipes import activations
from nnrecipes.families import common
from nnrecipes.families.base import Recipe
from nnrecipes.families.base import register_recipe
from nnrecipes.layers import BatchEnsembleDense
from nnrecipes.layers import EnsembleMean
from nnrecipes.layers import MemberLossModel
from nnrecipes.layers import PeriodicEmbedding

# How TabM embeds each number of a table before its blocks.
NUMERIC_EMBEDDINGS = ("none", "periodic")


@register_recipe("tabm", aliases=("batch_ensemble_mlp",))
class TabMRecipe(Recipe):
    """TabM: `num_layers` BatchEnsemble blocks of `units`, `k` members.

    Each block is `nnrecipes.layers.BatchEnsembleDense` (one kernel shared by
    the `k` members, each with its own rank-one factors and bias), the
    activation and dropout. Only the first block's input factors start at
    random signs (the paper's "TabM" variant); the rest start at ones. The
    members share the head; `nnrecipes.layers.EnsembleMean` averages their
    softmax probabilities (classification) or values (regression), so the
    model has the output of any other recipe and predicts, exports and
    scores unchanged. As in the paper, training minimizes the mean of the
    members' losses (each member fits the targets), not the loss of their
    mean: the model is a `nnrecipes.layers.MemberLossModel`, whose training
    loss is the compiled loss averaged over the members, while validation,
    `predict` and export see the mean.

    Defaults follow the paper (k=32, 3 blocks of 512, dropout 0.1, learning
    rate 2e-3), except weight decay: the paper's AdamW with 3e-4 is
    `weight_decay=3e-4` (Keras decouples it on Adam), left off by default as
    every recipe leaves its techniques off (`tests/families/techniques_test.py`).
    The decay reaches the shared kernels only: the members' `r`, `s` and
    biases (matrices of `(k, units)`) are excluded, as the biases of every
    recipe are (`nnrecipes.families.common.exclude_from_weight_decay`).
    `numeric_embedding="periodic"`
    puts a `nnrecipes.layers.PeriodicEmbedding` first (the paper's TabM with
    number embeddings uses piecewise-linear ones, which the package lacks).

    Reference:
    - [Gorishniy et al., 2025, "TabM: Advancing Tabular Deep Learning with
      Parameter-Efficient Ensembling"](https://arxiv.org/abs/2410.24210)
    """

    description = "TabM: BatchEnsemble MLP, k weight-sharing members averaged (tables)."
    input_kinds = ("tabular",)

    def search_space(self, hp, task):
        values = {
            "k": hp.Int("k", 1, 64, default=32),
            "num_layers": hp.Int("num_layers", 1, 5, default=3),
            "units": hp.Int("units", 8, 1024, step=2, sampling="log", default=512),
            "numeric_embedding": hp.Choice("numeric_embedding", NUMERIC_EMBEDDINGS,
                                           default="none"),
            "periodic_sigma": hp.Float("periodic_sigma", 0.001, 100.0, sampling="log",
                                       default=0.1),
        }
        values.update(common.declare_common(hp, task, dropout=0.1, learning_rate=2e-3))
        return values

    def build_body(self, x, kind, *, vocab_size=None, k, num_layers, units,
                   numeric_embedding="none", periodic_sigma=0.1, **values):
        if numeric_embedding == "periodic":
            x = PeriodicEmbedding(sigma=periodic_sigma, name="periodic_embedding")(x)
            x = keras.layers.Flatten(name="flatten")(x)
        for i in range(num_layers):
            x = BatchEnsembleDense(units, k=k, r_init="random_signs" if i == 0 else "ones",
                                   name=f"block{i + 1}_dense", **common.weight_args(values))(x)
            x = activations.activation_layer(values["activation"], name=f"block{i + 1}_act")(x)
            if values["dropout"]:
                x = keras.layers.Dropout(values["dropout"], name=f"block{i + 1}_dropout")(x)
        return x

    def finish_outputs(self, outputs):
        return EnsembleMean(name="ensemble_mean")(outputs)

    def make_model(self, inputs, outputs):
        return MemberLossModel(inputs, outputs, name=self.name)
