"""Argument checks shared by the schedules."""


def check_positive(name, value, integer=False, allow_zero=False):
    """Raises unless `value` is a positive number (an integer if asked)."""
    kind = int if integer else (int, float)
    ok = isinstance(value, kind) and not isinstance(value, bool)
    ok = ok and (value >= 0 if allow_zero else value > 0)
    if not ok:
        what = "an integer" if integer else "a number"
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"`{name}` must be {what} {bound}. Received: {name}={value!r}")
