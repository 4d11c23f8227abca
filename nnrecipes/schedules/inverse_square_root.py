import keras
from keras import ops

from nnrecipes.schedules import _common


@keras.saving.register_keras_serializable(package="nnrecipes")
class InverseSquareRoot(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warmup, then decay with the inverse square root of the step.

    `lr = peak * min(step / warmup_steps, sqrt(warmup_steps / step))`: it
    rises linearly to `peak_learning_rate` at `warmup_steps`, then falls as
    `1 / sqrt(step)`. Vaswani et al.'s rate
    `d_model**-0.5 * min(step**-0.5, step * warmup**-1.5)` is this schedule with
    `peak_learning_rate = (d_model * warmup_steps)**-0.5`.

    Args:
        peak_learning_rate: the rate at the end of the warmup, > 0.
        warmup_steps: length of the warmup in steps, > 0.
        name: name of the schedule. Defaults to `"InverseSquareRoot"`.

    Example:
    ```python
    schedule = nnrecipes.schedules.InverseSquareRoot(1e-3, warmup_steps=4000)
    optimizer = keras.optimizers.Adam(schedule, beta_1=0.9, beta_2=0.98, epsilon=1e-9)
    ```

    Reference:
    - [Vaswani et al., 2017, section 5.3](https://arxiv.org/abs/1706.03762)
    """

    def __init__(self, peak_learning_rate, warmup_steps, name="InverseSquareRoot"):
        super().__init__()
        _common.check_positive("peak_learning_rate", peak_learning_rate)
        _common.check_positive("warmup_steps", warmup_steps, integer=True)
        self.peak_learning_rate = float(peak_learning_rate)
        self.warmup_steps = warmup_steps
        self.name = name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        warmup = float(self.warmup_steps)
        rising = step / warmup
        falling = ops.sqrt(warmup / ops.maximum(step, 1.0))
        return self.peak_learning_rate * ops.minimum(rising, falling)

    def get_config(self):
        return {
            "peak_learning_rate": self.peak_learning_rate,
            "warmup_steps": self.warmup_steps,
            "name": self.name,
        }
