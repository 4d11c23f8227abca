import math

import keras
from keras import ops

from nnrecipes.schedules import _common


def _anneal(start, end, fraction, kind):
    if kind == "cos":
        return end + (start - end) * (1.0 + ops.cos(math.pi * fraction)) / 2.0
    return start * (1.0 - fraction) + end * fraction  # exact at both ends


@keras.saving.register_keras_serializable(package="nnrecipes")
class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """One-cycle policy: one rise to a high learning rate, then a long fall.

    The rate goes from `max_learning_rate / div_factor` up to
    `max_learning_rate` over the first `warmup_fraction * total_steps` steps,
    then down to `max_learning_rate / (div_factor * final_div_factor)` at
    `total_steps`, and stays there. Each phase follows a half cosine
    (`anneal="cos"`) or a straight line (`anneal="linear"`, Smith's
    original form).

    Args:
        max_learning_rate: the peak rate, > 0.
        total_steps: number of optimizer steps of the whole cycle, > 1.
        warmup_fraction: fraction of the steps spent rising, in (0, 1).
            Defaults to `0.3`.
        div_factor: the initial rate is `max_learning_rate / div_factor`.
            Defaults to `25.0`.
        final_div_factor: the final rate is the initial rate divided by this.
            Defaults to `1e4`.
        anneal: `"cos"` or `"linear"`. Defaults to `"cos"`.
        name: name of the schedule. Defaults to `"OneCycle"`.

    Example:
    ```python
    schedule = nnrecipes.schedules.OneCycle(1e-2, total_steps=1000)
    optimizer = keras.optimizers.SGD(learning_rate=schedule, momentum=0.9)
    ```

    Reference:
    - [Smith, 2018](https://arxiv.org/abs/1803.09820)
    - [Smith & Topin, 2017](https://arxiv.org/abs/1708.07120)
    """

    def __init__(self, max_learning_rate, total_steps, warmup_fraction=0.3, div_factor=25.0,
                 final_div_factor=1e4, anneal="cos", name="OneCycle"):
        super().__init__()
        _common.check_positive("max_learning_rate", max_learning_rate)
        _common.check_positive("total_steps", total_steps, integer=True)
        if total_steps < 2:
            raise ValueError(f"`total_steps` must be >= 2. Received: total_steps={total_steps}")
        if isinstance(warmup_fraction, bool) or not isinstance(warmup_fraction, (int, float)) \
                or not 0.0 < warmup_fraction < 1.0:
            raise ValueError(
                "`warmup_fraction` must be in (0, 1). "
                f"Received: warmup_fraction={warmup_fraction!r}"
            )
        _common.check_positive("div_factor", div_factor)
        _common.check_positive("final_div_factor", final_div_factor)
        if anneal not in ("cos", "linear"):
            raise ValueError(f"`anneal` must be 'cos' or 'linear'. Received: anneal={anneal!r}")
        self.max_learning_rate = float(max_learning_rate)
        self.total_steps = total_steps
        self.warmup_fraction = float(warmup_fraction)
        self.div_factor = float(div_factor)
        self.final_div_factor = float(final_div_factor)
        self.anneal = anneal
        self.name = name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        peak = self.max_learning_rate
        initial = peak / self.div_factor
        final = initial / self.final_div_factor
        warmup = max(1.0, self.warmup_fraction * self.total_steps)
        decay = max(1.0, self.total_steps - warmup)
        rising = _anneal(initial, peak, ops.minimum(step / warmup, 1.0), self.anneal)
        falling = _anneal(peak, final, ops.clip((step - warmup) / decay, 0.0, 1.0),
                          self.anneal)
        return ops.where(step < warmup, rising, falling)

    def get_config(self):
        return {
            "max_learning_rate": self.max_learning_rate,
            "total_steps": self.total_steps,
            "warmup_fraction": self.warmup_fraction,
            "div_factor": self.div_factor,
            "final_div_factor": self.final_div_factor,
            "anneal": self.anneal,
            "name": self.name,
        }
