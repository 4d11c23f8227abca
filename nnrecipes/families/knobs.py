"""What each hyperparameter (knob) is for: its facts, written once.

A recipe declares a knob's range and default with a KerasTuner `hp.*` call
(`nnrecipes.families.common.declare_common` and each family's
`search_space`); this module holds what that call cannot say, one `Knob`
record per name in `KNOBS`:

- `group`: what the knob is about (architecture, regularization, ...);
- `kinds`: the data kinds it applies to (`nnrecipes.data.KINDS`: "tabular",
  "image", "sequence", "text");
- `tasks`: "classification", "regression" and/or "forecasting" (a
  regression whose input holds the target series);
- `searched`: whether a default search varies it (otherwise it stays at its
  default unless the user names it in `space`);
- `search`: the narrower range or values a default search draws from
  (`None`: the whole declared range);
- `help`: one line for the CLI and `nnrecipes info`.

Tuning's default space, the engine's text-vectorizer choice, manifests and
model cards read these facts; no other list of knob names is kept.
"""

import dataclasses
import warnings

KINDS = ("tabular", "image", "sequence", "text")
TASKS = ("classification", "regression", "forecasting")


@dataclasses.dataclass(frozen=True)
class Knob:
    """The facts of one hyperparameter.

    Args:
        group: what the knob is about, e.g. `"architecture"`.
        help: one line for the CLI and `nnrecipes info`.
        kinds: the data kinds it applies to. Defaults to every kind.
        tasks: the tasks it applies to. Defaults to every task.
        searched: whether a default search varies it. Defaults to `True`.
        search: `(low, high)` or a tuple of values a default search draws
            from, within the declared range. Defaults to `None` (all of it).
    """

    group: str
    help: str
    kinds: tuple = KINDS
    tasks: tuple = TASKS
    searched: bool = True
    search: tuple = None

    def __post_init__(self):
        for field, valid in (("kinds", KINDS), ("tasks", TASKS)):
            unknown = sorted(set(getattr(self, field)) - set(valid))
            if unknown:
                raise ValueError(f"Unknown {field} {unknown}; valid: {list(valid)}. "
                                 f"Received: {field}={getattr(self, field)!r}")

    def applies(self, kind, task):
        """Whether the knob changes a model of `kind` data for `task`."""
        return kind in self.kinds and task in self.tasks


_TEXT = ("text",)
_TABLE = ("tabular",)
_IMAGE = ("image",)

KNOBS = {
    # Architecture (each family declares its own ranges).
    "num_layers": Knob("architecture", "number of hidden dense layers", search=(1, 3)),
    "units": Knob("architecture", "units (width) of each hidden layer", search=(32, 512)),
    "embedding_dim": Knob("architecture", "size of each token's embedding vector",
                          kinds=_TEXT),
    "k": Knob("architecture", "ensemble members of a TabM network (they share weights "
              "but their rank-one factors)", kinds=_TABLE, search=(8, 32)),
    "conv_blocks": Knob("architecture", "number of convolution blocks", search=(1, 4)),
    "filters": Knob("architecture", "filters of the first convolution block",
                    search=(16, 128)),
    "convs_per_block": Knob("architecture", "convolutions in each block"),
    "kernel_size": Knob("architecture", "width of each convolution kernel"),
    "pooling": Knob("architecture", "how features are pooled (max or average)"),
    "residual": Knob("architecture", "residual connections around each block"),
    "drop_path": Knob("regularization", "stochastic depth: rate of dropping a whole block",
                      search=(0.0, 0.3)),
    "dense_units": Knob("architecture", "units of the dense layer before the head "
                        "(0: none)"),
    "bidirectional": Knob("architecture", "read sequences in both directions"),
    "cell_activation": Knob("architecture", "activation inside each recurrent cell",
                            search=("tanh",)),
    "recurrent_dropout": Knob("regularization", "dropout on the recurrent state",
                              searched=False),
    "num_blocks": Knob("architecture", "number of transformer blocks", search=(1, 4)),
    "embed_dim": Knob("architecture", "width of each transformer block", search=(32, 256)),
    "num_heads": Knob("architecture", "attention heads of each block", search=(1, 8)),
    "ff_dim": Knob("architecture", "width of each block's feed-forward layer",
                   search=(32, 512)),
    "positional": Knob("architecture", "positional encoding (learned or sinusoidal)"),
    # Tables.
    "numeric_scaling": Knob("table", "how numeric columns are scaled", kinds=_TABLE),
    "numeric_embedding": Knob("table", "embedding of each numeric column (none, linear, "
                              "periodic)", kinds=_TABLE),
    "periodic_sigma": Knob("table", "frequency scale of the periodic numeric embedding",
                           kinds=_TABLE, searched=False),
    "categorical_embedding": Knob("table", "embedding size of categorical columns "
                                  "(0: one-hot)", kinds=_TABLE),
    # What every family shares (nnrecipes.families.common.declare_common).
    "activation": Knob("architecture", "activation of the hidden layers",
                       search=("relu", "gelu", "swish", "tanh")),
    "dropout": Knob("regularization", "dropout rate after each hidden block",
                    search=(0.0, 0.5)),
    "batch_norm": Knob("regularization", "batch normalization after each hidden layer"),
    "l1": Knob("regularization", "L1 penalty on the kernels", searched=False),
    "l2": Knob("regularization", "L2 penalty on the kernels", searched=False),
    "group_lasso": Knob("regularization", "group lasso penalty: prunes whole units",
                        searched=False),
    "kernel_initializer": Knob("initialization", "initializer of the kernels"),
    "lsuv": Knob("initialization", "LSUV initialization from a data batch",
                 searched=False),
    "optimizer": Knob("optimizer", "the optimizer", search=("adam", "adamw", "nadam")),
    "learning_rate": Knob("optimizer", "learning rate (a schedule's peak)",
                          search=(1e-4, 1e-2)),
    "momentum": Knob("optimizer", "momentum of sgd and rmsprop", searched=False),
    "global_clipnorm": Knob("optimizer", "clip the gradients' global norm (0: off)",
                            searched=False),
    "lr_schedule": Knob("schedule", "learning-rate schedule by name"),
    "decay_steps": Knob("schedule", "training length of the schedule, in steps",
                        searched=False),
    "warmup_steps": Knob("schedule", "steps of linear warmup", searched=False),
    "loss": Knob("loss", "the loss minimized (trials are compared on one loss)",
                 searched=False),
    "quantile": Knob("loss", "quantile fitted by the pinball loss",
                     tasks=("regression", "forecasting"), searched=False),
    # Training techniques: each changes what a trial means, so searched when named.
    "label_smoothing": Knob("technique", "label smoothing of the crossentropy",
                            tasks=("classification",), searched=False),
    "weight_decay": Knob("technique", "decoupled weight decay", searched=False),
    "ema": Knob("technique", "exponential moving average of the weights",
                searched=False),
    "ema_momentum": Knob("technique", "momentum of the weights' moving average",
                         searched=False),
    "gradient_accumulation_steps": Knob("technique", "batches per optimizer update",
                                        searched=False),
    "augment": Knob("augmentation", "image augmentation policy", kinds=_IMAGE,
                    searched=False),
    "random_erasing": Knob("augmentation", "probability of erasing a random patch",
                           kinds=_IMAGE, searched=False),
    "mixup": Knob("augmentation", "MixUp's Beta(alpha, alpha) (0: off)",
                  kinds=("tabular", "image", "sequence"), tasks=("classification",),
                  searched=False),
    "cutmix": Knob("augmentation", "CutMix's Beta(alpha, alpha) (0: off)", kinds=_IMAGE,
                   tasks=("classification",), searched=False),
    # Forecasting means.
    "revin": Knob("forecasting", "reversible instance normalization of the series",
                  kinds=("sequence",), tasks=("forecasting",), searched=False),
    "residual_forecast": Knob("forecasting", "forecast the change from the last value",
                              kinds=("sequence",), tasks=("forecasting",), searched=False),
    "autoregressive": Knob("forecasting", "a linear autoregressive path beside the network",
                           kinds=("sequence",), tasks=("forecasting",), searched=False),
    "autoregressive_steps": Knob("forecasting", "lags of the autoregressive path "
                                 "(0: the window)", kinds=("sequence",),
                                 tasks=("forecasting",), searched=False),
    # Text (raw strings): the vectorizer adapted on the training texts.
    "text_units": Knob("text", "tokens of the text: words, characters or auto",
                       kinds=_TEXT, searched=False),
    "word_ngrams": Knob("text", "largest word n-gram of the vectorizer", kinds=_TEXT,
                        searched=False),
    "char_ngrams": Knob("text", "largest character n-gram of the vectorizer",
                        kinds=_TEXT, searched=False),
    "max_tokens": Knob("text", "vocabulary size of the vectorizer", kinds=_TEXT,
                       searched=False),
    "embedding_dropout": Knob("regularization", "dropout of whole tokens in training",
                              kinds=_TEXT, searched=False),
    "tf_idf_units": Knob("architecture", "width of the MLP's blocks on a TF-IDF vector "
                         "(0: units)", kinds=_TEXT, searched=False),
    "text_bag": Knob("text", "what the MLP gets from a text: token ids or a TF-IDF vector",
                     kinds=_TEXT, searched=False),
}

# The knobs that decide the text vectorizer (`nnrecipes.data.preprocessing_for`).
VECTORIZER_GROUP = "text"
# The knobs that transform the training batches (`nnrecipes.data.training_augmentation`).
AUGMENTATION_GROUP = "augmentation"


def knob(name):
    """The facts of the hyperparameter `name`.

    Example:
    >>> nnrecipes.families.knobs.knob("char_ngrams").kinds
    ('text',)
    """
    try:
        return KNOBS[name]
    except KeyError:
        raise ValueError(f"Unknown hyperparameter {name!r}: it has no facts in "
                         f"nnrecipes.families.knobs.KNOBS. Received: name={name!r}") from None


def task_of(splits, *, forecasting=True):
    """The task of a `nnrecipes.data.Splits`: the one place it is derived.

    Args:
        splits: the data (its `num_classes` and `info` are read).
        forecasting: tell a forecast (a series whose target is one of its
            input channels, `info["target_feature"]`) from a regression.
            Defaults to `True`; `False` gives the task a model is built and
            compiled for (`"classification"` or `"regression"`), as
            `nnrecipes.engine.task_of(splits, forecasting=False)` does.

    Returns:
        `"classification"`, `"regression"` or (with `forecasting`) `"forecasting"`.

    Example:
    >>> nnrecipes.families.knobs.task_of(nnrecipes.data.load("wine"))
    'classification'
    """
    if splits.num_classes is not None:
        return "classification"
    info = splits.info or {}
    return "forecasting" if forecasting and "target_feature" in info else "regression"


def applicable(names, kind, task):
    """The names among `names` whose knob applies to `kind` data and `task`.

    Args:
        names: hyperparameter names (an iterable or a dict's keys).
        kind: a data kind, one of `KINDS`.
        task: one of `TASKS`.

    Returns:
        A list, in the order of `names`.
    """
    return [name for name in names if knob(name).applies(kind, task)]


def applicable_values(values, kind, task):
    """`values` (name -> value) without the knobs that do not apply to
    `kind` data and `task`, for manifests, model cards and trial listings.
    Names that are not knobs (e.g. `batch_size`) are kept.

    Example:
    >>> nnrecipes.families.knobs.applicable_values(
    ...     {"units": 8, "char_ngrams": 5}, "tabular", "classification")
    {'units': 8}
    """
    return {k: v for k, v in values.items() if k not in KNOBS or KNOBS[k].applies(kind, task)}


def describe(name):
    """The facts of `name` as a JSON-ready dict (for `nnrecipes info`)."""
    fact = knob(name)
    return {"group": fact.group, "help": fact.help, "kinds": list(fact.kinds),
            "tasks": list(fact.tasks), "searched": fact.searched,
            **({"search": list(fact.search)} if fact.search is not None else {})}


def text_values(values):
    """The values of the knobs that decide the text vectorizer."""
    return {k: v for k, v in values.items()
            if k in KNOBS and KNOBS[k].group == VECTORIZER_GROUP}


def augmentation_values(values, kind, task, *, asked=()):
    """The values of the augmentation knobs that apply to `kind` data and
    `task`: all that `nnrecipes.engine.fit` passes to
    `nnrecipes.data.training_augmentation` (their `kinds` and `tasks` above
    say where each applies; e.g. MixUp cannot mix token ids).

    Args:
        values: resolved hyperparameters (name -> value).
        kind: the kind of the data the model takes, one of `KINDS`.
        task: one of `TASKS`.
        asked: the names the user set; those that do not apply are dropped
            with a warning. Defaults to `()`.

    Returns:
        A dict name -> value.

    Example:
    >>> nnrecipes.families.knobs.augmentation_values(
    ...     {"units": 8, "mixup": 0.2, "cutmix": 0.5}, "tabular", "classification")
    {'mixup': 0.2}
    """
    group = [n for n in values if n in KNOBS and KNOBS[n].group == AUGMENTATION_GROUP]
    ignored = [n for n in group if n in asked and not KNOBS[n].applies(kind, task)]
    if ignored:
        given = ", ".join(f"{n}={values[n]!r} (kinds {list(KNOBS[n].kinds)}, tasks "
                          f"{list(KNOBS[n].tasks)})" for n in ignored)
        warnings.warn(f"{given}: not applicable to {kind} data for {task}, so not applied.",
                      UserWarning, stacklevel=3)
    return {n: values[n] for n in group if KNOBS[n].applies(kind, task)}
