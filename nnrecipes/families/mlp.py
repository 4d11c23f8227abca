"""MLP: a feed-forward stack of dense layers."""

import keras

from nnrecipes.data.preprocessing import NUMERIC_SCALINGS
from nnrecipes.data.preprocessing import TEXT_BAGS
from nnrecipes.families import common
from nnrecipes.layers import MaskedGlobalPooling1D
from nnrecipes.layers import PeriodicEmbedding
from nnrecipes.families.base import Recipe
from nnrecipes.families.base import register_recipe


# How the MLP embeds each feature of a table before its dense blocks.
NUMERIC_EMBEDDINGS = ("none", "periodic")
# Width of the blocks on a TF-IDF vector (`tf_idf_units`; 0: `units`, 256).
# Adam updates the whole vocabulary x width first kernel at every step
# (50,000 x 256 = 12.8M weights), most of a step once the vector is sparse.
# benchmarks/text_classification.py (seed 0, 2026-12-04), validation accuracy
# with 256 / 64 / 32 units: SMS spam 0.9873 / 0.9916 / 0.9916, SST-2 0.8073 /
# 0.8005 / 0.7959; 64 fits in 30-45% of the time but its mean is 0.12 points
# lower, so the default stays `units` until SST-5 and TREC say otherwise.
TF_IDF_UNITS = 0


@register_recipe("mlp", aliases=("dnn", "fnn", "feedforward", "dense"))
class MLPRecipe(Recipe):
    """Multilayer perceptron: `num_layers` dense blocks of `units` each.

    Images and sequences are flattened; token ids are embedded and averaged
    over the real tokens (a bag of embeddings; a text with no known token
    averages to zeros, so it gets the prediction of an empty bag, not NaN).
    With `text_bag="tf_idf"` a raw text instead becomes one L2-normalized
    TF-IDF vector over its n-grams (`nnrecipes.data.preprocessing_for`; input
    kind `"bag"`), whose n-grams are dropped with `embedding_dropout` in
    training before the dense blocks (`tf_idf_units` wide; 0: `units`).
    `engine.fit` trains that network on sparse vectors made once per run
    (`nnrecipes.engine.vectorized`).

    Tables (1-D feature input) have two knobs of their own:
    `numeric_scaling` switches the `nnrecipes.data.NumericScaler` that
    `nnrecipes.data.preprocessing_for` puts after a table's encoder
    (`"standard"`, `"quantile"` or `"robust"`; it does nothing for a model
    built without one), and `numeric_embedding="periodic"` puts a
    `nnrecipes.layers.PeriodicEmbedding` (frequencies from
    `N(0, periodic_sigma)`) before the dense blocks. A table's categorical
    columns are one-hot codes, or with `categorical_embedding=N` a trained
    vector of N numbers per category (`nnrecipes.data.TabularEncoder`).
    """

    description = "Multilayer perceptron (DNN/FNN): stacked dense layers."
    input_kinds = ("tabular", "image", "sequence", "tokens", "bag")

    def search_space(self, hp, task):
        values = {
            # 0: no hidden layer, the linear model (logistic or ridge regression on
            # the same preprocessing; `auto`'s portfolio has it as a candidate).
            "num_layers": hp.Int("num_layers", 0, 8, default=2),
            "units": hp.Int("units", 8, 2048, step=2, sampling="log", default=256),
            "embedding_dim": hp.Int("embedding_dim", 8, 512, step=2, sampling="log",
                                    default=64),
        }
        # Tables only (see the class docstring).
        values["numeric_scaling"] = hp.Choice("numeric_scaling", NUMERIC_SCALINGS,
                                              default="standard")
        values["numeric_embedding"] = hp.Choice("numeric_embedding", NUMERIC_EMBEDDINGS,
                                                default="none")
        values["periodic_sigma"] = hp.Float("periodic_sigma", 0.001, 100.0, sampling="log",
                                            default=0.1)
        values["categorical_embedding"] = hp.Int("categorical_embedding", 0, 64, default=0)
        # Text: one TF-IDF vector of character 1-5-grams per text (the 50,000
        # most frequent), n-gram dropout 0.2, then the dense blocks. Of the
        # configurations in benchmarks/text_classification.py it had the
        # smallest mean validation gap to the better TF-IDF + logistic
        # regression on SMS spam, SST-2, SST-5 and TREC: -0.60 points over
        # seeds 0 and 1 (20,000 n-grams: -0.92; 2026-11-30). Word 1-2-grams
        # (`text_units="word"`, -1.66 with seed 0) and the fastText-style
        # embedding bag (`text_bag="embedding"`, -2.48) ranked below it.
        values.update(common.declare_common(hp, task, dropout=0.2, text_units="char",
                                            word_ngrams=2, char_ngrams=5, max_tokens=50000,
                                            embedding_dropout=0.2))
        # What the text's vectorizer gives the blocks (`nnrecipes.data.TEXT_BAGS`).
        values["text_bag"] = hp.Choice("text_bag", TEXT_BAGS, default="tf_idf")
        # The blocks' width on a TF-IDF vector: the first kernel (vocabulary
        # x width) is what Adam updates whole at every step, so this width is
        # most of the cost of a step; 0 takes `units`. See TF_IDF_UNITS.
        values["tf_idf_units"] = hp.Int("tf_idf_units", 0, 2048, default=TF_IDF_UNITS)
        return values

    def build_body(self, x, kind, *, vocab_size=None, num_layers, units, embedding_dim,
                   numeric_embedding="none", periodic_sigma=0.1, tf_idf_units=0, **values):
        if kind == "tokens":
            x = common.token_embedding(x, vocab_size, embedding_dim,
                                       dropout=values["embedding_dropout"])
            x = MaskedGlobalPooling1D("mean", name="mean_over_tokens")(x)
        elif kind == "bag" and values["embedding_dropout"]:
            # Word dropout of a TF-IDF vector: each n-gram's weight is dropped.
            x = keras.layers.Dropout(values["embedding_dropout"], name="tf_idf_dropout")(x)
        elif kind in ("image", "sequence"):
            x = keras.layers.Flatten(name="flatten")(x)
        elif numeric_embedding == "periodic":
            x = PeriodicEmbedding(sigma=periodic_sigma, name="periodic_embedding")(x)
            x = keras.layers.Flatten(name="flatten")(x)
        if kind == "bag" and tf_idf_units:
            units = tf_idf_units
        for i in range(num_layers):
            x = common.dense_block(x, units, values, name=f"block{i + 1}")
        return x
