"""`auto`: the one rule that picks a recipe, and its defaults, from the data.

`nnrecipes.train("auto", data)`, `nnrecipes train auto --dataset ...`,
`nnrecipes.tune("auto", ...)` and `nnrecipes.build("auto", ...)` all ask
`choose` (through `choose_for(splits)` where the data is at hand), so the
rule lives here and nowhere else. Each row of `RULES` names a kind of data,
the recipe that kind gets, the defaults it changes, and the measurement
behind it (`benchmarks/baselines.py` reruns them all beside classical
baselines, on validation as well as test):

- images `(height, width, channels)` -> `cnn`: convolutions see 2-D
  neighbourhoods; the highest validation accuracy of cnn, mlp and gru with
  defaults on digits;
- tables `(features,)`, numeric or mixed -> `mlp`: the family for unordered
  features;
- numeric sequences with a regression target (forecasting) -> `gru`: of rnn,
  gru, lstm and transformer with defaults, the best mean rank of validation
  RMSE on daily temperatures, sunspots and airline passengers (first or
  second on each);
- numeric sequences with classes -> `gru`: the recurrent default (no catalog
  dataset measures this kind);
- text (raw strings) -> `mlp`: with its defaults (a TF-IDF vector of
  character 1-5-grams, then the dense blocks) it had a higher mean
  validation accuracy than `gru` with its defaults on SMS spam, SST-2, SST-5
  and TREC (benchmarks/text_classification.py);
- token ids -> `gru`: without the raw strings there is no TF-IDF bag, and
  on those four sets `gru` had a higher mean validation accuracy than the
  mlp's bag of word 1-2-gram embeddings.

Rules on size come after the kind and only where validation showed them to
help; see `SIZE_RULES`.

`nnrecipes.train("auto", data)` without the user's hyperparameters trains
the kind's portfolio (`nnrecipes.families.portfolio`, the linear model
first; the rule's recipe, with the rule's defaults, is one of its
candidates) and picks on validation (`nnrecipes.engine.portfolio`).

Example:
>>> nnrecipes.families.auto.choose("image", input_shape=(28, 28, 1)).recipe
'cnn'
"""

import dataclasses

import numpy as np

from nnrecipes.families import knobs

# The name that asks for the rule instead of a recipe.
NAME = "auto"

# kind -> (recipe, default hyperparameters it changes, why). "series" is a
# numeric sequence with a regression target; "sequence" one with classes.
RULES = {
    "image": ("cnn", {}, "cnn for images: convolutions see 2-D neighbourhoods; it had the "
                         "highest validation accuracy of cnn, mlp and gru with defaults on "
                         "digits"),
    "tabular": ("mlp", {}, "mlp for a table: the family for unordered features"),
    "series": ("gru", {}, "gru for a numeric sequence with a regression target (forecasting): "
                          "of rnn, gru, lstm and transformer with defaults it had the best "
                          "mean rank of validation RMSE on daily temperatures, sunspots and "
                          "airline passengers (first or second on each)"),
    "sequence": ("gru", {}, "gru for a numeric sequence with classes: the recurrent default "
                            "(no catalog dataset measures this kind)"),
    "text": ("mlp", {}, "mlp for text: with its defaults (a TF-IDF vector of character "
                        "1-5-grams, then dense blocks) it had a higher mean validation accuracy "
                        "than gru with defaults on SMS spam, SST-2, SST-5 and TREC"),
    "tokens": ("gru", {}, "gru for token ids: without raw strings there is no TF-IDF bag, and "
                          "gru had a higher mean validation accuracy than the mlp's bag of "
                          "word 1-2-gram embeddings on SMS spam, SST-2, SST-5 and TREC"),
}
# Rules on size, applied after the kind's: (kind, test on the facts, the
# defaults it changes, why). Empty until a size rule is measured to help on
# validation.
SIZE_RULES = []

KINDS = ("image", "tabular", "sequence", "text", "tokens", "bag")


@dataclasses.dataclass(frozen=True)
class Choice:
    """What `choose` picked.

    Attributes:
        recipe: the recipe's name.
        hyperparameters: defaults the rule changes (the user's own values
            win over them).
        reason: why, in words, with the facts read from the data.
    """

    recipe: str
    hyperparameters: dict
    reason: str

    def to_dict(self):
        """For the manifest: `{"recipe", "hyperparameters", "reason"}`."""
        return {"recipe": self.recipe, "hyperparameters": dict(self.hyperparameters),
                "reason": self.reason}


def is_auto(name):
    """Whether `name` asks for the rule (`"auto"`, any case)."""
    return isinstance(name, str) and name.strip().lower() == NAME


def choose(kind, *, task="classification", input_shape=None, examples=None,
           text_chars=None):
    """Picks the recipe and its defaults for data of `kind` (the rule).

    Args:
        kind: what one example is: `"image"`, `"tabular"`, `"sequence"`,
            `"text"` (raw strings), `"tokens"` (token ids) or `"bag"` (TF-IDF
            vectors of texts).
        task: `"classification"` or `"regression"`. Defaults to
            `"classification"`.
        input_shape: the shape of one example, where known. Defaults to
            `None`.
        examples: the number of training examples, where known. Defaults to
            `None`.
        text_chars: the median length of the training texts in characters,
            where known. Defaults to `None`.

    Returns:
        A `Choice`.

    Example:
    >>> choice = nnrecipes.families.auto.choose("sequence", task="regression")
    >>> choice.recipe
    'gru'
    """
    if kind not in KINDS:
        raise ValueError(f"`auto` picks a recipe by the kind of data: one of {list(KINDS)}. "
                         f"Received: kind={kind!r}")
    if task not in ("classification", "regression"):
        raise ValueError("`task` must be 'classification' or 'regression'. "
                         f"Received: task={task!r}")
    row = {"bag": "text"}.get(kind, kind)
    if row == "sequence" and task == "regression":
        row = "series"
    recipe, hyperparameters, why = RULES[row]
    hyperparameters = dict(hyperparameters)
    facts = {"kind": kind, "task": task, "input_shape": None if input_shape is None
             else tuple(input_shape), "examples": examples, "text_chars": text_chars}
    reasons = [why]
    for rule_kind, test, changes, rule_why in SIZE_RULES:
        if rule_kind == row and test(facts):
            hyperparameters.update(changes)
            reasons.append(rule_why)
    return Choice(recipe, hyperparameters, f"{_facts_text(facts)} -> " + "; ".join(reasons))


def choose_for(splits):
    """`choose` with the facts read from a `nnrecipes.data.Splits`.

    Example:
    >>> nnrecipes.families.auto.choose_for(nnrecipes.data.load("wine")).recipe
    'mlp'
    """
    text_chars = None
    if splits.kind == "text":
        text_chars = int(np.median([len(str(t)) for t in splits.x_train]))
    return choose(splits.kind,
                  task=knobs.task_of(splits, forecasting=False),
                  input_shape=splits.input_shape, examples=len(splits.x_train),
                  text_chars=text_chars)


def _facts_text(facts):
    kind, shape = facts["kind"], facts["input_shape"]
    if kind == "image" and shape:
        what = f"images of {'x'.join(str(d) for d in shape[:2])} pixels, " \
               f"{shape[2] if len(shape) > 2 else 1} channel(s)"
    elif kind == "tabular" and shape:
        what = f"a table of {shape[0]} columns"
    elif kind == "sequence" and shape:
        what = f"sequences of {shape[0]} steps x {shape[1]} features"
    elif kind == "text":
        what = "raw text"
        if facts["text_chars"] is not None:
            what += f" (median {facts['text_chars']} characters)"
    elif kind == "tokens" and shape:
        what = f"token ids, {shape[0]} per example"
    elif kind == "bag" and shape:
        what = f"TF-IDF vectors of texts over {shape[0]} n-grams"
    else:
        what = f"{kind} data"
    what += f", {facts['task']}"
    if facts["examples"] is not None:
        what += f", {facts['examples']:,} training examples"
    return what
