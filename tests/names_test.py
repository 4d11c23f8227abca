"""Every lookup by name suggests the close valid name (nnrecipes.names.did_you_mean)."""

import pytest

import nnrecipes
from nnrecipes import activations
from nnrecipes import schedules
from nnrecipes.export import formats
from nnrecipes.families import common
from nnrecipes.names import did_you_mean


def test_did_you_mean():
    assert did_you_mean("relux", ["relu", "elu", "gelu"]) == " Did you mean 'relu'?"
    assert did_you_mean("RELU", ["relu"]) == " Did you mean 'relu'?"
    assert did_you_mean("zzzz", ["relu", "elu"]) == ""
    assert did_you_mean(3, ["relu"]) == ""
    assert did_you_mean("relux", ["relu", 1, None]) == " Did you mean 'relu'?"


@pytest.mark.parametrize("name, value, close", [
    ("activation", "relux", "relu"),
    ("optimizer", "adamm", "adam"),
    ("loss", "crossentropi", "crossentropy"),
    ("kernel_initializer", "he_normall", "he_normal"),
    ("lr_schedule", "cosin", "cosine"),
])
def test_hyperparameter_values_suggest(name, value, close):
    with pytest.raises(ValueError, match=f"Did you mean '{close}'\\?.*Received: {name}="):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=2, **{name: value})


def test_names_suggest_everywhere():
    with pytest.raises(ValueError, match="Did you mean 'lstm'"):
        nnrecipes.build("lstn", input_shape=(8, 8), num_classes=10)
    with pytest.raises(ValueError, match="'unitz' -> 'units'"):
        nnrecipes.build("mlp", input_shape=(4,), num_classes=2, unitz=8)
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        activations.activation_layer("relux")
    with pytest.raises(ValueError, match="Did you mean 'one_cycle'"):
        schedules.make_schedule("one_cycl", 1e-2, decay_steps=10)
    with pytest.raises(ValueError, match="Did you mean 'huber'"):
        common.make_loss("hubr")
    with pytest.raises(ValueError, match="Did you mean 'onnx'"):
        formats.check_formats("onnxx")
    with pytest.raises(ValueError, match="Did you mean 'digits'"):
        nnrecipes.data.load("digitz")
