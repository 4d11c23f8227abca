import keras
from keras import ops


@keras.saving.register_keras_serializable(package="nnrecipes")
class KLSparsity(keras.regularizers.Regularizer):
    """KL sparsity penalty on a layer's activations (sparse autoencoders).

    For each unit `j`, its mean activation over the batch `rho_hat_j` is
    pulled towards a small target `rho` by the penalty
    `weight * sum_j KL(rho || rho_hat_j)`, with
    `KL(rho || r) = rho log(rho / r) + (1 - rho) log((1 - rho) / (1 - r))`.
    Activations must lie in (0, 1), e.g. after a sigmoid; `rho_hat` is
    clipped to `[1e-7, 1 - 1e-7]`.

    Use it as an `activity_regularizer`. A Keras layer divides its activity
    penalty by the batch size; this regularizer returns the penalty times the
    batch size, so the loss a layer adds is exactly the formula above.

    Args:
        target: the target mean activation `rho`, in (0, 1). Defaults to
            `0.05`.
        weight: the weight `beta` of the penalty, >= 0. Defaults to `1.0`.

    Example:
    ```python
    encoder = keras.layers.Dense(
        64, activation="sigmoid",
        activity_regularizer=nnrecipes.regularizers.KLSparsity(0.05, 1e-3))
    ```

    Reference:
    - [Ng, 2011, "Sparse autoencoder", CS294A lecture notes](
      https://web.stanford.edu/class/cs294a/sparseAutoencoder_2011new.pdf)
    """

    def __init__(self, target=0.05, weight=1.0):
        if isinstance(target, bool) or not isinstance(target, (int, float)) \
                or not 0.0 < target < 1.0:
            raise ValueError(f"`target` must be a number in (0, 1). Received: target={target!r}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise ValueError(f"`weight` must be a number >= 0. Received: weight={weight!r}")
        self.target = float(target)
        self.weight = float(weight)

    def penalty(self, x):
        """Returns `weight * sum_j KL(target || mean activation of unit j)`."""
        x = ops.convert_to_tensor(x)
        axes = tuple(range(len(x.shape) - 1))
        rho_hat = ops.clip(ops.mean(x, axis=axes), 1e-7, 1.0 - 1e-7)
        rho = self.target
        kl = (rho * ops.log(rho / rho_hat)
              + (1.0 - rho) * ops.log((1.0 - rho) / (1.0 - rho_hat)))
        return self.weight * ops.sum(kl)

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        batch = ops.cast(ops.shape(x)[0], x.dtype) if len(x.shape) else 1.0
        return self.penalty(x) * batch

    def get_config(self):
        return {"target": self.target, "weight": self.weight}
