import keras
from keras import ops

from nnrecipes.schedules import _common

MODES = ("triangular", "triangular2", "exp_range")


@keras.saving.register_keras_serializable(package="nnrecipes")
class CyclicalLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """Cyclical learning rate: back and forth between two bounds.

    With `cycle = floor(1 + step / (2 * step_size))` and
    `x = |step / step_size - 2 * cycle + 1|`, the rate is
    `base + (maximal - base) * max(0, 1 - x) * scale`, where `scale` is 1
    (`"triangular"`), `1 / 2**(cycle - 1)` (`"triangular2"`: the amplitude
    halves every cycle) or `gamma**step` (`"exp_range"`).

    Args:
        base_learning_rate: the lower bound, > 0.
        max_learning_rate: the upper bound, >= `base_learning_rate`.
        step_size: steps in half a cycle, > 0 (Smith suggests 2 to 10 epochs'
            worth of steps).
        mode: `"triangular"`, `"triangular2"` or `"exp_range"`. Defaults to
            `"triangular"`.
        gamma: decay per step of `"exp_range"`, in (0, 1]. Defaults to `1.0`.
        name: name of the schedule. Defaults to `"CyclicalLearningRate"`.

    Example:
    ```python
    schedule = nnrecipes.schedules.CyclicalLearningRate(
        1e-4, 1e-2, step_size=500, mode="triangular2")
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    ```

    Reference:
    - [Smith, 2017](https://arxiv.org/abs/1506.01186)
    """

    def __init__(self, base_learning_rate, max_learning_rate, step_size, mode="triangular",
                 gamma=1.0, name="CyclicalLearningRate"):
        super().__init__()
        _common.check_positive("base_learning_rate", base_learning_rate)
        _common.check_positive("max_learning_rate", max_learning_rate)
        if max_learning_rate < base_learning_rate:
            raise ValueError(
                "`max_learning_rate` must be >= `base_learning_rate`. Received: "
                f"base_learning_rate={base_learning_rate}, max_learning_rate={max_learning_rate}"
            )
        _common.check_positive("step_size", step_size)
        if mode not in MODES:
            raise ValueError(f"`mode` must be one of {list(MODES)}. Received: mode={mode!r}")
        if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) \
                or not 0.0 < gamma <= 1.0:
            raise ValueError(f"`gamma` must be in (0, 1]. Received: gamma={gamma!r}")
        self.base_learning_rate = float(base_learning_rate)
        self.max_learning_rate = float(max_learning_rate)
        self.step_size = step_size
        self.mode = mode
        self.gamma = float(gamma)
        self.name = name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        cycle = ops.floor(1.0 + step / (2.0 * self.step_size))
        x = ops.abs(step / self.step_size - 2.0 * cycle + 1.0)
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1.0 / ops.power(2.0, cycle - 1.0)
        else:
            scale = ops.power(self.gamma, step)
        amplitude = self.max_learning_rate - self.base_learning_rate
        return self.base_learning_rate + amplitude * ops.maximum(0.0, 1.0 - x) * scale

    def get_config(self):
        return {
            "base_learning_rate": self.base_learning_rate,
            "max_learning_rate": self.max_learning_rate,
            "step_size": self.step_size,
            "mode": self.mode,
            "gamma": self.gamma,
            "name": self.name,
        }
