"""`auto`'s portfolio: for each kind of data, a short ordered list of
configurations that `nnrecipes.engine.portfolio` trains, fastest first, and
picks from (or averages) on validation.

Each kind's list starts with the linear model written as a recipe: the
`mlp` with no hidden layer (`num_layers=0`), i.e. logistic (classification)
or ridge-like (regression) regression on the same preprocessing as the
other candidates: a table's encoded columns, a text's TF-IDF vector, an
image's pixels; for a series the window's linear map plus the forecasters'
autoregressive path, which starts at the ridge autoregression
(`nnrecipes.families.common.fit_autoregressive_path`). So `auto` is never
far below the linear baseline on validation: if nothing beats it there, it
is the pick.

The lists after the linear candidate were chosen once on the catalog by
greedy portfolio selection over validation scores (AutoGluon's and
TabRepo's method): `benchmarks/portfolio.py` trains the pool
(`POOL`) on catalog datasets, records each one's validation score, and
adds, one at a time, the configuration that most lowers the mean
normalized validation error of "the best member so far" over the
datasets; its printout and the reason are in RESULTS.md ("Portfolio in
`auto`"). The order within a list is the order of measured training time
(fastest first), so a time budget that runs out drops the slowest.

Example:
>>> [c.name for c in nnrecipes.families.portfolio.candidates_for("tabular")][0]
'linear'
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One configuration of a portfolio.

    Attributes:
        name: a short name, unique in its list (e.g. `"linear"`).
        recipe: the recipe's name.
        hyperparameters: the recipe's hyperparameters it sets.
        why: what it adds to the list, in words.
    """

    name: str
    recipe: str
    hyperparameters: dict
    why: str

    def to_dict(self):
        """`{"name", "recipe", "hyperparameters", "why"}` for the manifest."""
        return {"name": self.name, "recipe": self.recipe,
                "hyperparameters": dict(self.hyperparameters), "why": self.why}


LINEAR_WHY = ("the linear model (no hidden layer) on the same preprocessing: the floor "
              "`auto` never falls far below on validation")
# A one-layer (convex) model takes ten times the mlp's step, so it converges
# within the epochs the others get.
LINEAR = Candidate("linear", "mlp", {"num_layers": 0, "learning_rate": 0.01}, LINEAR_WHY)

# The pool `benchmarks/portfolio.py` selects from, by kind (the portfolio's
# `row` names: "series" is a numeric sequence with a regression target).
POOL = {
    "tabular": (LINEAR,
                Candidate("mlp", "mlp", {}, "the mlp's defaults"),
                Candidate("mlp_wide_1", "mlp", {"num_layers": 1, "units": 512},
                          "one wide hidden layer"),
                Candidate("mlp_periodic", "mlp", {"numeric_embedding": "periodic"},
                          "periodic number embeddings")),
    "text": (LINEAR,
             Candidate("mlp", "mlp", {}, "the mlp's defaults (character 1-5-gram TF-IDF)"),
             Candidate("mlp_words", "mlp", {"text_units": "word"},
                       "word 1-2-gram TF-IDF: long texts, where words beat characters"),
             Candidate("linear_words", "mlp", {"num_layers": 0, "learning_rate": 0.01,
                                               "text_units": "word"},
                       "logistic regression on word 1-2-gram TF-IDF")),
    "image": (LINEAR, Candidate("cnn", "cnn", {}, "the cnn's defaults")),
    "series": (LINEAR, Candidate("gru", "gru", {}, "the gru's defaults")),
    "sequence": (LINEAR, Candidate("gru", "gru", {}, "the gru's defaults")),
    "tokens": (LINEAR, Candidate("gru", "gru", {}, "the gru's defaults")),
}

# The declaration: kind -> the candidates `auto` trains, in this order, and
# the measurement behind the list (RESULTS.md, "Portfolio in `auto`").
PORTFOLIOS = {
    # `python benchmarks/portfolio.py --kind tabular --epochs 20` (seed 0,
    # 2026-12-04, RESULTS.md "Portfolio in `auto`"): the mlp's defaults had
    # the lowest validation error of the pool on all five tables (tied on
    # breast_cancer and wine), so greedy selection stopped after it (mean
    # normalized error 0.520 -> 0.000); the wide layer and periodic
    # embeddings covered no failure of it.
    "tabular": (("linear", "mlp"),
                "greedy selection over validation (benchmarks/portfolio.py): of linear, "
                "mlp, mlp_wide_1 and mlp_periodic, the mlp was best or tied on banknote, "
                "breast_cancer, pima_diabetes, wine and wine_quality_red, and no other "
                "member lowered the portfolio's error"),
    # `python benchmarks/portfolio.py --kind text --datasets trec sst2
    # --epochs 3 --max-train 1000` (seed 0, 2026-12-04; a small, under-trained
    # run, RESULTS.md): greedy 0.250 -> 0.000 with the mlp; word n-grams
    # (mlp_words, linear_words) covered no failure of it.
    "text": (("linear", "mlp"),
             "greedy selection over validation (benchmarks/portfolio.py, 1,000 training "
             "texts of trec and sst2, 3 epochs): of linear, mlp, mlp_words and "
             "linear_words, the character mlp was best or tied on both, and no other "
             "member lowered the portfolio's error"),
    "image": (("linear", "cnn"),
              "the linear floor and the rule's cnn (no image set beyond digits "
              "measured for more)"),
    "series": (("linear", "gru"),
               "the linear floor (ridge-started autoregression) and the rule's gru"),
    "sequence": (("linear", "gru"),
                 "the linear floor and the rule's gru (no catalog set of this kind)"),
    "tokens": (("linear", "gru"),
               "the linear floor and the rule's gru (no catalog set of this kind)"),
}


def row_of(kind, task="classification"):
    """The portfolio row of data of `kind` (`"bag"` is text; a numeric sequence
    with a regression target is `"series"`)."""
    row = {"bag": "text"}.get(kind, kind)
    if row == "sequence" and task == "regression":
        row = "series"
    if row not in PORTFOLIOS:
        raise ValueError(f"`auto`'s portfolio has a list for {sorted(PORTFOLIOS)} data. "
                         f"Received: kind={kind!r}")
    return row


def candidates_for(kind, task="classification"):
    """The declared candidates of data of `kind`, in training order.

    Returns:
        A tuple of `Candidate`s, the linear one first.
    """
    row = row_of(kind, task)
    pool = {c.name: c for c in POOL[row]}
    return tuple(pool[name] for name in PORTFOLIOS[row][0])


def reason_for(kind, task="classification"):
    """Why the list of data of `kind` is what it is (the measurement)."""
    return PORTFOLIOS[row_of(kind, task)][1]
