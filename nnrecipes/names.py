"""Close-match suggestions for names looked up by name.

Every lookup of a name (recipes, hyperparameters and their values such as
activations, optimizers, losses, initializers and schedules, datasets, export
formats) words its "did you mean" with `did_you_mean`, so all of them suggest
the same way.
"""

import difflib


def did_you_mean(name, valid):
    """The hint for a name not among `valid`: `" Did you mean 'x'?"`, or `""`.

    Args:
        name: the name received (anything; only strings get a suggestion).
        valid: the valid names (any iterable; non-strings are ignored).

    Returns:
        A string to put after the error's first sentence: empty when no valid
        name is close.

    Example:
    >>> did_you_mean("relux", ["relu", "elu", "gelu"])
    " Did you mean 'relu'?"
    """
    if not isinstance(name, str):
        return ""
    options = [v for v in valid if isinstance(v, str)]
    close = difflib.get_close_matches(name, options, n=1)
    if not close:
        close = difflib.get_close_matches(name.lower(), options, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
