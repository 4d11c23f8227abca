import keras
from keras import ops

from nnrecipes.schedules import _common


@keras.saving.register_keras_serializable(package="nnrecipes")
class LinearWarmup(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warmup in front of any schedule (or a constant rate).

    For `step < warmup_steps` the rate rises on a straight line from
    `initial_learning_rate` to `schedule(0)`; afterwards it is
    `schedule(step - warmup_steps)`, so the wrapped schedule starts when the
    warmup ends.

    Args:
        schedule: a `keras.optimizers.schedules.LearningRateSchedule`, or a
            number for a constant rate after the warmup.
        warmup_steps: length of the warmup in steps, >= 0.
        initial_learning_rate: the rate at step 0. Defaults to `0.0`.
        name: name of the schedule. Defaults to `"LinearWarmup"`.

    Example:
    ```python
    decay = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=9000)
    schedule = nnrecipes.schedules.LinearWarmup(decay, warmup_steps=1000)
    optimizer = keras.optimizers.AdamW(learning_rate=schedule)
    ```

    Reference:
    - [Goyal et al., 2017](https://arxiv.org/abs/1706.02677) (gradual warmup)
    """

    def __init__(self, schedule, warmup_steps, initial_learning_rate=0.0, name="LinearWarmup"):
        super().__init__()
        if isinstance(schedule, dict):
            schedule = keras.optimizers.schedules.deserialize(schedule)
        if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            _common.check_positive("schedule", schedule)
            schedule = float(schedule)
        _common.check_positive("warmup_steps", warmup_steps, integer=True, allow_zero=True)
        _common.check_positive("initial_learning_rate", initial_learning_rate, allow_zero=True)
        self.schedule = schedule
        self.warmup_steps = warmup_steps
        self.initial_learning_rate = float(initial_learning_rate)
        self.name = name

    def _after(self, step):
        if isinstance(self.schedule, float):
            return ops.full_like(step, self.schedule)
        return ops.cast(self.schedule(step), "float32")

    def __call__(self, step):
        step = ops.cast(step, "float32")
        if not self.warmup_steps:
            return self._after(step)
        target = self._after(ops.zeros_like(step))
        fraction = ops.minimum(step / self.warmup_steps, 1.0)
        warming = self.initial_learning_rate + (target - self.initial_learning_rate) * fraction
        after = self._after(ops.maximum(step - self.warmup_steps, 0.0))
        return ops.where(step < self.warmup_steps, warming, after)

    def get_config(self):
        schedule = self.schedule
        if not isinstance(schedule, float):
            schedule = keras.optimizers.schedules.serialize(schedule)
        return {
            "schedule": schedule,
            "warmup_steps": self.warmup_steps,
            "initial_learning_rate": self.initial_learning_rate,
            "name": self.name,
        }
