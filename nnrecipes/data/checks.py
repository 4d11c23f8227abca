"""Checks and views of a `Splits` before any training: data a model cannot
learn from is refused early, and a dataset is viewed in an input kind the
recipe takes."""

import numpy as np


def choose_view(splits, recipe):
    """Returns `splits` in the first input kind the recipe accepts.

    The dataset's own kind wins; images are otherwise flattened or read row by
    row as sequences.

    Args:
        splits: a `nnrecipes.data.Splits`.
        recipe: a `nnrecipes.Recipe` (its `name` and `input_kinds` are read).

    Example:
    >>> view = nnrecipes.data.choose_view(nnrecipes.data.load("digits"),
    ...                                   nnrecipes.get_recipe("mlp"))
    >>> view.kind, view.input_shape
    ('tabular', (64,))
    """
    if splits.kind in recipe.input_kinds:
        return splits
    for kind in recipe.input_kinds:
        try:
            return splits.as_kind(kind)
        except ValueError:
            continue
    raise ValueError(
        f"Recipe {recipe.name!r} takes {list(recipe.input_kinds)} input, and dataset "
        f"{splits.name!r} holds {splits.kind} data that cannot be viewed so. "
        f"Received: recipe={recipe.name!r}, dataset={splits.name!r}"
    )


def check_splits(splits):
    """Rejects data a model cannot learn from, before any training starts:
    an empty split, inputs and targets of different lengths, NaN or infinite
    numbers, labels outside `0..num_classes-1`.

    Example:
    >>> nnrecipes.data.check_splits(nnrecipes.data.load("wine"))  # passes
    """
    for part in ("train", "val", "test"):
        x, y = getattr(splits, f"x_{part}"), getattr(splits, f"y_{part}")
        if len(x) == 0:
            raise ValueError(f"Dataset {splits.name!r} has an empty {part} split.")
        if len(x) != len(y):
            raise ValueError(
                f"Dataset {splits.name!r}: the {part} split has {len(x)} inputs but "
                f"{len(y)} targets."
            )
        for what, values in (("inputs", x), ("targets", y)):
            if np.issubdtype(values.dtype, np.number) and not np.isfinite(values).all():
                raise ValueError(
                    f"Dataset {splits.name!r}: the {part} {what} hold NaN or infinite "
                    "values; drop or impute them first."
                )
        if splits.num_classes is not None:
            bad = (y < 0) | (y >= splits.num_classes)
            if bad.any():
                raise ValueError(
                    f"Dataset {splits.name!r}: {part} labels must lie in "
                    f"0..{splits.num_classes - 1}. Received: {np.unique(y[bad])[:10].tolist()}"
                )
