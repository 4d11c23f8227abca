"""BatchEnsembleDense against a NumPy reference; shapes, errors, config and saving."""

import keras
import numpy as np
import pytest

from nnrecipes import layers

to_np = keras.ops.convert_to_numpy


def _reference(x, kernel, r, s, bias):
    if x.ndim == 2:
        x = np.repeat(x[:, None, :], r.shape[0], axis=1)
    return ((x * r[None]) @ kernel) * s[None] + bias[None]


def _random_weights(layer, rng):
    for weight in (layer.kernel, layer.r, layer.s, layer.bias):
        weight.assign(rng.normal(size=weight.shape).astype("float32"))


@pytest.mark.parametrize("input_shape", [(6, 5), (6, 3, 5)])
def test_matches_numpy_reference(input_shape):
    rng = np.random.default_rng(0)
    layer = layers.BatchEnsembleDense(4, k=3)
    x = rng.normal(size=input_shape).astype("float32")
    layer.build(x.shape)
    _random_weights(layer, rng)
    expected = _reference(x, *(to_np(w) for w in (layer.kernel, layer.r, layer.s, layer.bias)))
    out = to_np(layer(x))
    assert out.shape == (6, 3, 4)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_random_sign_init_makes_members_differ_and_ones_do_not():
    x = np.random.default_rng(1).normal(size=(8, 10)).astype("float32")
    signed = layers.BatchEnsembleDense(4, k=5, r_init="random_signs")
    out = to_np(signed(x))
    assert set(np.unique(to_np(signed.r))) <= {-1.0, 1.0}
    assert not np.allclose(out[:, 0], out[:, 1])
    plain = to_np(layers.BatchEnsembleDense(4, k=5)(x))
    np.testing.assert_allclose(plain[:, 0], plain[:, 4], rtol=1e-6)


def test_config_round_trip_and_keras_file(tmp_path):
    layer = layers.BatchEnsembleDense(4, k=3, r_init="random_signs", name="be")
    clone = layers.BatchEnsembleDense.from_config(layer.get_config())
    assert (clone.units, clone.k, clone.r_init, clone.s_init) == (4, 3, "random_signs", "ones")
    inputs = keras.Input((5,))
    model = keras.Model(inputs, layers.EnsembleMean()(layer(inputs)))
    x = np.random.default_rng(2).normal(size=(4, 5)).astype("float32")
    path = tmp_path / "m.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(to_np(reloaded(x)), to_np(model(x)), rtol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"units": 0}, "units"), ({"units": 3, "k": 0}, "k"),
    ({"units": 3, "r_init": "zeros"}, "r_init"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.BatchEnsembleDense(**kwargs)


def test_wrong_member_count_is_refused():
    with pytest.raises(ValueError, match="k=3"):
        layers.BatchEnsembleDense(2, k=3).build((None, 4, 5))
