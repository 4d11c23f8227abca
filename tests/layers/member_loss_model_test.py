"""MemberLossModel: trained on the mean of the members' losses, the mean at inference."""

import keras
import numpy as np
import pytest

from nnrecipes import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 5)).astype("float32")
Y = (X[:, 0] > 0).astype("int32")


def _model(k=4, task="classification"):
    inputs = keras.Input((5,))
    members = layers.BatchEnsembleDense(8, k=k, r_init="random_signs")(inputs)
    members = keras.layers.Dense(2 if task == "classification" else 1,
                                 activation="softmax" if task == "classification" else None,
                                 name="head")(keras.layers.ReLU()(members))
    model = layers.MemberLossModel(inputs, layers.EnsembleMean()(members))
    loss = "sparse_categorical_crossentropy" if task == "classification" else "mse"
    metric = "accuracy" if task == "classification" else "mae"
    model.compile(keras.optimizers.SGD(0.0), loss=loss, metrics=[metric])
    return model


def _members(model, x):
    head = keras.Model(model.input, model.get_layer("head").output)
    return keras.ops.convert_to_numpy(head(x))


def test_trains_on_the_mean_of_the_members_losses():
    model = _model()
    probs = _members(model, X)  # (16, 4, 2)
    member_losses = -np.log(probs[np.arange(16), :, Y]).mean()
    mean_loss = -np.log(probs.mean(axis=1)[np.arange(16), Y]).mean()
    assert member_losses > mean_loss + 1e-4  # the two differ, so the test can tell
    # SGD at rate 0 reports the step's loss without moving the weights.
    logs = model.train_on_batch(X, Y, return_dict=True)
    np.testing.assert_allclose(logs["loss"], member_losses, rtol=1e-5)
    evaluated = model.evaluate(X, Y, verbose=0, return_dict=True)
    np.testing.assert_allclose(evaluated["loss"], mean_loss, rtol=1e-5)


def test_regression_sample_weights_repeat_per_member():
    model = _model(k=3, task="regression")
    y = RNG.normal(size=(16, 1)).astype("float32")
    w = RNG.uniform(size=(16,)).astype("float32")
    values = _members(model, X)  # (16, 3, 1)
    expected = (((values - y[:, None]) ** 2).mean(axis=(1, 2)) * w).mean()
    logs = model.train_on_batch(X, y, sample_weight=w, return_dict=True)
    np.testing.assert_allclose(logs["loss"], expected, rtol=1e-5)
    # The training metric sees the mean prediction.
    np.testing.assert_allclose(logs["mae"], np.abs(values.mean(axis=1) - y).mean(), rtol=1e-5)


def test_inference_outputs_the_mean():
    model = _model()
    out = keras.ops.convert_to_numpy(model(X, training=False))
    np.testing.assert_allclose(out, _members(model, X).mean(axis=1), rtol=1e-6)
    assert keras.ops.convert_to_numpy(model(X, training=True)).shape == (16, 4, 2)


def test_output_not_made_by_an_ensemble_mean_is_refused():
    inputs = keras.Input((5,))
    with pytest.raises(ValueError, match="EnsembleMean"):
        layers.MemberLossModel(inputs, keras.layers.Dense(2)(inputs))
