"""Losses: NumPy references per sample, for every Keras reduction, with and
without sample weights; reachability by name from the recipes."""

import numpy as np
import pytest

import keras
import tensorflow as tf

import nnrecipes
from nnrecipes import losses

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(5)
LOGITS = RNG.normal(size=(6, 4)).astype("float32")
PROBS = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype("float32")
LABELS = np.array([0, 3, 1, 2, 2, 0])
ONE_HOT = np.eye(4, dtype="float32")[LABELS]
WEIGHTS = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 3.0], dtype="float32")
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]

P_TRUE = PROBS[np.arange(6), LABELS]


def np_poly1(epsilon):
    return -np.log(P_TRUE) + epsilon * (1 - P_TRUE)


def np_focal(alpha, gamma):
    a = np.asarray(alpha)[LABELS] if isinstance(alpha, list) else alpha
    return -a * (1 - P_TRUE) ** gamma * np.log(P_TRUE)


def np_symmetric(alpha, beta, log_zero=-4.0):
    ce = -np.log(P_TRUE)
    rce = -np.sum(PROBS * np.where(ONE_HOT > 0, 0.0, log_zero), axis=-1)
    return alpha * ce + beta * rce


def np_reduce(values, weights, reduction):
    weighted = values if weights is None else values * weights
    if reduction in ("none", None):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean_with_sample_weight" and weights is not None:
        return weighted.sum() / weights.sum()
    return weighted.sum() / values.size


CASES = {
    "poly1": (lambda r: losses.PolyLoss(epsilon=2.0, reduction=r), np_poly1(2.0)),
    "poly1_negative": (lambda r: losses.PolyLoss(epsilon=-0.5, reduction=r), np_poly1(-0.5)),
    "focal": (lambda r: losses.SparseFocalCrossentropy(alpha=0.4, gamma=1.5, reduction=r),
              np_focal(0.4, 1.5)),
    "focal_per_class": (
        lambda r: losses.SparseFocalCrossentropy(alpha=[0.1, 0.2, 0.3, 0.4], reduction=r),
        np_focal([0.1, 0.2, 0.3, 0.4], 2.0)),
    "symmetric": (lambda r: losses.SymmetricCrossentropy(alpha=0.3, beta=2.0, reduction=r),
                  np_symmetric(0.3, 2.0)),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_classification_losses_match_numpy(case, reduction):
    make, per_sample = CASES[case]
    loss = make(reduction)
    np.testing.assert_allclose(to_np(loss(LABELS, PROBS)), np_reduce(per_sample, None, reduction),
                               rtol=1e-5)
    np.testing.assert_allclose(to_np(loss(LABELS, PROBS, sample_weight=WEIGHTS)),
                               np_reduce(per_sample, WEIGHTS, reduction), rtol=1e-5)


def test_labels_may_be_a_column():
    loss = losses.PolyLoss()
    np.testing.assert_allclose(to_np(loss(LABELS[:, None], PROBS)), to_np(loss(LABELS, PROBS)))


@pytest.mark.parametrize("fn", [losses.poly1_crossentropy, losses.symmetric_crossentropy,
                                losses.sparse_focal_crossentropy])
def test_logits_give_the_same_loss_as_probabilities(fn):
    np.testing.assert_allclose(to_np(fn(LABELS, LOGITS, from_logits=True)),
                               to_np(fn(LABELS, PROBS)), rtol=1e-4)


@pytest.mark.parametrize("fn", [losses.poly1_crossentropy, losses.symmetric_crossentropy])
def test_one_hot_labels_give_the_same_loss_as_integers(fn):
    np.testing.assert_allclose(to_np(fn(ONE_HOT, PROBS, sparse=False)),
                               to_np(fn(LABELS, PROBS)), rtol=1e-6)


def test_special_cases_reduce_to_known_losses():
    ce = to_np(keras.losses.sparse_categorical_crossentropy(LABELS, PROBS))
    np.testing.assert_allclose(to_np(losses.poly1_crossentropy(LABELS, PROBS, epsilon=0.0)),
                               ce, rtol=1e-5)
    np.testing.assert_allclose(
        to_np(losses.sparse_focal_crossentropy(LABELS, PROBS, alpha=1.0, gamma=0.0)),
        ce, rtol=1e-5)
    keras_focal = keras.losses.CategoricalFocalCrossentropy(reduction=None)(ONE_HOT, PROBS)
    np.testing.assert_allclose(to_np(losses.sparse_focal_crossentropy(LABELS, PROBS)),
                               to_np(keras_focal), rtol=1e-5)
    # For one-hot labels the reverse term is -log_zero * (1 - p_true).
    np.testing.assert_allclose(
        to_np(losses.symmetric_crossentropy(LABELS, PROBS, alpha=0.0, beta=1.0)),
        4.0 * (1 - P_TRUE), rtol=1e-5)


# Pinball

def np_pinball(y, y_hat, q):
    e = y - y_hat
    return np.maximum(q * e, (q - 1) * e).mean(axis=-1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_pinball_several_quantiles_match_numpy(reduction):
    q = [0.1, 0.5, 0.9]
    y = RNG.normal(size=(6, 1)).astype("float32")
    y_hat = RNG.normal(size=(6, 3)).astype("float32")
    per_sample = np_pinball(y, y_hat, np.array(q))
    loss = losses.PinballLoss(q, reduction=reduction)
    np.testing.assert_allclose(to_np(loss(y, y_hat)), np_reduce(per_sample, None, reduction),
                               rtol=1e-5)
    np.testing.assert_allclose(to_np(loss(y[:, 0], y_hat, sample_weight=WEIGHTS)),
                               np_reduce(per_sample, WEIGHTS, reduction), rtol=1e-5)


def test_pinball_single_quantile_matches_numpy_and_half_mae():
    y = RNG.normal(size=(6, 2)).astype("float32")
    y_hat = RNG.normal(size=(6, 2)).astype("float32")
    np.testing.assert_allclose(to_np(losses.pinball_loss(y, y_hat, quantiles=0.8)),
                               np_pinball(y, y_hat, 0.8), rtol=1e-5)
    np.testing.assert_allclose(to_np(losses.pinball_loss(y, y_hat)),
                               0.5 * to_np(keras.losses.mean_absolute_error(y, y_hat)),
                               rtol=1e-5)


def test_pinball_fits_the_quantile():
    # The constant that minimizes the pinball loss is the q-quantile.
    y = np.random.default_rng(0).exponential(size=(4000, 1)).astype("float32")
    grid = np.linspace(0, 4, 801, dtype="float32")
    values = [float(losses.PinballLoss(0.9)(y, np.full_like(y, c))) for c in grid[::10]]
    best = grid[::10][int(np.argmin(values))]
    assert abs(best - np.quantile(y, 0.9)) < 0.06


def test_bad_arguments_say_what_was_received():
    with pytest.raises(ValueError, match=r"Received: quantiles=\[0.1, 1.5\]"):
        losses.PinballLoss([0.1, 1.5])
    with pytest.raises(ValueError, match="2 entries"):
        losses.pinball_loss(np.zeros((2, 1)), np.zeros((2, 3)), quantiles=[0.1, 0.9])
    with pytest.raises(ValueError, match="Received: gamma=-1"):
        losses.SparseFocalCrossentropy(gamma=-1)
    with pytest.raises(ValueError, match="Received: log_zero=1"):
        losses.SymmetricCrossentropy(log_zero=1)


@pytest.mark.parametrize("name, task", [
    ("poly1", "classification"), ("focal", "classification"),
    ("symmetric_crossentropy", "classification"), ("pinball", "regression"),
])
def test_recipes_train_with_each_loss_by_name(name, task):
    target = {"num_classes": 3} if task == "classification" else {"num_outputs": 1}
    extra = {"quantile": 0.8} if name == "pinball" else {}
    model = nnrecipes.build("mlp", input_shape=(4,), num_layers=1, units=8, loss=name,
                            **target, **extra)
    expected = {"poly1": losses.PolyLoss, "focal": losses.SparseFocalCrossentropy,
                "symmetric_crossentropy": losses.SymmetricCrossentropy,
                "pinball": losses.PinballLoss}[name]
    assert isinstance(model.loss, expected)
    if name == "pinball":
        assert model.loss.quantiles == 0.8
    x = RNG.normal(size=(16, 4)).astype("float32")
    y = RNG.integers(0, 3, size=16) if task == "classification" else x[:, :1]
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# Crossentropy: integer labels and soft targets

def np_crossentropy(targets, smoothing=0.0):
    targets = targets * (1 - smoothing) + smoothing / targets.shape[-1]
    return -np.sum(targets * np.log(PROBS), axis=-1)


SOFT = np.array([[0.7, 0.0, 0.3, 0.0], [0.0, 0.4, 0.0, 0.6], [0.25, 0.25, 0.25, 0.25],
                 [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.9, 0.1], [0.5, 0.5, 0.0, 0.0]],
                dtype="float32")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_crossentropy_matches_numpy_for_labels_and_soft_targets(smoothing, reduction):
    loss = losses.Crossentropy(label_smoothing=smoothing, reduction=reduction)
    for y_true, targets in [(LABELS, ONE_HOT), (LABELS[:, None], ONE_HOT), (ONE_HOT, ONE_HOT),
                            (SOFT, SOFT)]:
        per_sample = np_crossentropy(targets, smoothing)
        np.testing.assert_allclose(to_np(loss(y_true, PROBS)),
                                   np_reduce(per_sample, None, reduction), rtol=1e-5)
        np.testing.assert_allclose(to_np(loss(y_true, PROBS, sample_weight=WEIGHTS)),
                                   np_reduce(per_sample, WEIGHTS, reduction), rtol=1e-5)


def test_crossentropy_agrees_with_keras_and_logits():
    smoothed = keras.losses.CategoricalCrossentropy(label_smoothing=0.1, reduction=None)
    np.testing.assert_allclose(to_np(losses.crossentropy(LABELS, PROBS, label_smoothing=0.1)),
                               to_np(smoothed(ONE_HOT, PROBS)), rtol=1e-5)
    np.testing.assert_allclose(to_np(losses.crossentropy(SOFT, LOGITS, from_logits=True)),
                               to_np(losses.crossentropy(SOFT, PROBS)), rtol=1e-4)


def test_crossentropy_decides_at_run_time_when_the_rank_is_unknown():
    # A retraced train step may see targets of unknown rank.
    run = tf.function(losses.crossentropy,
                      input_signature=[tf.TensorSpec(None, "float32"),
                                       tf.TensorSpec([None, 4], "float32")])
    np.testing.assert_allclose(to_np(run(LABELS.astype("float32"), PROBS)),
                               np_crossentropy(ONE_HOT), rtol=1e-5)
    np.testing.assert_allclose(to_np(run(SOFT, PROBS)), np_crossentropy(SOFT), rtol=1e-5)


def test_crossentropy_refuses_targets_of_another_shape():
    with pytest.raises(ValueError, match=r"Received: y_true.shape=\(6, 3\)"):
        losses.crossentropy(SOFT[:, :3], PROBS)
    with pytest.raises(ValueError, match="Received: label_smoothing=1.5"):
        losses.Crossentropy(label_smoothing=1.5)


def test_recipes_smooth_labels_and_refuse_mixing_with_other_losses():
    model = nnrecipes.build("mlp", input_shape=(4,), num_classes=4, label_smoothing=0.2)
    assert isinstance(model.loss, losses.Crossentropy)
    np.testing.assert_allclose(to_np(model.loss(LABELS, PROBS)),
                               np_crossentropy(ONE_HOT, 0.2).mean(), rtol=1e-5)
    default = nnrecipes.build("mlp", input_shape=(4,), num_classes=4)
    assert default.loss.label_smoothing == 0.0
    with pytest.raises(ValueError, match="need loss='crossentropy'. Received: loss='hinge'"):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=4, loss="hinge", mixup=0.2)
    with pytest.raises(ValueError, match="loss='focal', cutmix=0.5"):
        nnrecipes.build("cnn", input_shape=(8, 8, 1), num_classes=4, loss="focal", cutmix=0.5,
                        compile=False)
