"""Learning-rate schedules, registered so they save inside the optimizer.

- `OneCycle`: Smith's one-cycle policy
- `CyclicalLearningRate`: triangular / triangular2 / exp_range cycles
- `LinearWarmup`: a linear warmup in front of any schedule
- `InverseSquareRoot`: the Transformer's warmup then `1/sqrt(step)` decay

`make_schedule(name, learning_rate, ...)` builds one by the name that the
recipes' `lr_schedule` hyperparameter takes (`SCHEDULE_NAMES`).
"""

import keras

from nnrecipes.schedules._common import check_positive
from nnrecipes.schedules.cyclical import CyclicalLearningRate
from nnrecipes.schedules.inverse_square_root import InverseSquareRoot
from nnrecipes.schedules.linear_warmup import LinearWarmup
from nnrecipes.schedules.one_cycle import OneCycle
from nnrecipes.names import did_you_mean

SCHEDULE_NAMES = ("constant", "cosine", "one_cycle", "triangular", "triangular2",
                  "exp_range", "inverse_sqrt")


def make_schedule(name, learning_rate, *, decay_steps=10000, warmup_steps=0):
    """Returns the learning rate (a number or a schedule) that `name` means.

    `learning_rate` is the peak rate of every schedule; `decay_steps` is the
    length of training in optimizer steps. Schedules without a warmup of
    their own get a `LinearWarmup` of `warmup_steps` in front (none when 0).

    - `"constant"`: `learning_rate`.
    - `"cosine"`: Keras's `CosineDecay` to 0 at `decay_steps`.
    - `"one_cycle"`: `OneCycle` over `decay_steps`, rising for
      `warmup_steps` (30% of the steps when `warmup_steps` is 0).
    - `"triangular"`, `"triangular2"`, `"exp_range"`: `CyclicalLearningRate`
      between `learning_rate / 4` and `learning_rate`, five cycles over
      `decay_steps`; `"exp_range"` decays the amplitude 100-fold over them.
    - `"inverse_sqrt"`: `InverseSquareRoot` with `warmup_steps` (10% of
      `decay_steps` when 0).

    Args:
        name: a name from `SCHEDULE_NAMES`.
        learning_rate: the peak (or constant) rate, > 0.
        decay_steps: number of training steps, > 1. Defaults to `10000`.
        warmup_steps: warmup steps, >= 0 and < `decay_steps`. Defaults to `0`.

    Returns:
        A float (for `"constant"` without warmup) or a
        `keras.optimizers.schedules.LearningRateSchedule`.

    Example:
    >>> nnrecipes.schedules.make_schedule("one_cycle", 1e-2, decay_steps=500)
    """
    if name not in SCHEDULE_NAMES:
        raise ValueError(
            f"Unknown learning-rate schedule {name!r}.{did_you_mean(name, SCHEDULE_NAMES)} "
            f"Valid: {list(SCHEDULE_NAMES)}. "
            f"Received: name={name!r}"
        )
    check_positive("learning_rate", learning_rate)
    check_positive("decay_steps", decay_steps, integer=True)
    check_positive("warmup_steps", warmup_steps, integer=True, allow_zero=True)
    if decay_steps < 2 or warmup_steps >= decay_steps:
        raise ValueError(
            "`decay_steps` must be >= 2 and larger than `warmup_steps`. "
            f"Received: decay_steps={decay_steps}, warmup_steps={warmup_steps}"
        )
    learning_rate = float(learning_rate)
    if name == "one_cycle":
        fraction = warmup_steps / decay_steps if warmup_steps else 0.3
        return OneCycle(learning_rate, decay_steps, warmup_fraction=fraction)
    if name == "inverse_sqrt":
        return InverseSquareRoot(learning_rate, warmup_steps or max(1, decay_steps // 10))
    remaining = decay_steps - warmup_steps
    if name == "constant":
        schedule = learning_rate
    elif name == "cosine":
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, remaining)
    else:
        gamma = 0.01 ** (1.0 / remaining) if name == "exp_range" else 1.0
        schedule = CyclicalLearningRate(learning_rate / 4.0, learning_rate,
                                        step_size=max(1, remaining // 10), mode=name,
                                        gamma=gamma)
    if warmup_steps:
        return LinearWarmup(schedule, warmup_steps)
    return schedule


__all__ = [
    "CyclicalLearningRate",
    "InverseSquareRoot",
    "LinearWarmup",
    "OneCycle",
    "SCHEDULE_NAMES",
    "make_schedule",
]
