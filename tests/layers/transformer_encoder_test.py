"""TransformerEncoder against a NumPy encoder block built from its weights,
in the pre-LN and post-LN forms, with and without a padding mask.

Its activations, DropPath, gradients and saving are tested in
tests/components/layers_test.py and tests/components/contract_test.py."""

import math

import numpy as np
import pytest

import keras

from nnrecipes.layers import TransformerEncoder

to_np = keras.ops.convert_to_numpy
RNG = np.random.default_rng(5)


def _layer_norm(x, norm):
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-6) * to_np(norm.gamma) + to_np(norm.beta)


def _attention(x, attention, mask):
    q, k, v = (np.einsum("btf,fhd->bthd", x, to_np(part.kernel)) + to_np(part.bias)
               for part in (attention.query_dense, attention.key_dense, attention.value_dense))
    scores = np.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask[:, None, None, :], scores, -np.inf)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    context = np.einsum("bhqk,bkhd->bqhd", weights, v)
    out = attention.output_dense
    return np.einsum("bqhd,hdf->bqf", context, to_np(out.kernel)) + to_np(out.bias)


def _gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def _reference(block, x, mask=None):
    def feed_forward(y):
        hidden = _gelu(y @ to_np(block.ff_hidden.kernel) + to_np(block.ff_hidden.bias))
        return hidden @ to_np(block.ff_output.kernel) + to_np(block.ff_output.bias)

    if block.norm_first:
        x = x + _attention(_layer_norm(x, block.attention_norm), block.attention, mask)
        return x + feed_forward(_layer_norm(x, block.ff_norm))
    x = _layer_norm(x + _attention(x, block.attention, mask), block.attention_norm)
    return _layer_norm(x + feed_forward(x), block.ff_norm)


@pytest.mark.parametrize("norm_first", [True, False])
def test_encoder_block_matches_numpy(norm_first):
    x = RNG.normal(size=(2, 5, 8))
    block = TransformerEncoder(num_heads=2, ff_dim=12, norm_first=norm_first,
                               dtype="float64")
    block.build(x.shape)
    # Non-trivial norms and biases, so each one's place in the block counts.
    for variable in block.weights:
        variable.assign(RNG.normal(scale=0.3, size=variable.shape))
    np.testing.assert_allclose(to_np(block(x)), _reference(block, x), rtol=1e-6, atol=1e-8)


def test_padded_positions_are_not_attended_to():
    x = RNG.normal(size=(2, 6, 4))
    mask = np.array([[True] * 6, [True] * 3 + [False] * 3])
    block = TransformerEncoder(num_heads=1, ff_dim=8, dtype="float64")
    block.build(x.shape)
    y = to_np(block(x, mask=mask))
    np.testing.assert_allclose(y, _reference(block, x, mask), rtol=1e-6, atol=1e-8)
    # What sits in the padding does not change the real positions' outputs.
    changed = x.copy()
    changed[1, 3:] = 100.0
    np.testing.assert_allclose(to_np(block(changed, mask=mask))[1, :3], y[1, :3], rtol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"num_heads": 0, "ff_dim": 4}, "Received: num_heads=0"),
    ({"num_heads": 2, "ff_dim": 2.5}, "Received: ff_dim=2.5"),
    ({"num_heads": 2, "ff_dim": 4, "dropout": 1.0}, "Received: dropout=1.0"),
    ({"num_heads": 2, "ff_dim": 4, "drop_path": -0.1}, "Received: drop_path=-0.1"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TransformerEncoder(**kwargs)


def test_features_must_divide_into_heads():
    with pytest.raises(ValueError, match="Received: features=6, num_heads=4"):
        TransformerEncoder(num_heads=4, ff_dim=8).build((None, 3, 6))
