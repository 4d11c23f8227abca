"""The CNN's depth from the image size (`nnrecipes.families.cnn.size_defaults`),
applied by the engine as a default that the user's values override."""

import numpy as np
import pytest

import nnrecipes
from nnrecipes import engine
from nnrecipes.data.catalog import Splits
from nnrecipes.families import cnn


def test_size_defaults_follow_the_image_size():
    # 8x8 digits: 2 blocks (8 -> 4 -> 2); a third would pool to 1x1.
    assert cnn.size_defaults((8, 8, 1), 1437) == {"conv_blocks": 2}
    assert cnn.size_defaults((28, 28, 1), 4000) == {"conv_blocks": 3}
    assert cnn.size_defaults((7, 7, 3), 20000) == {"conv_blocks": 1}
    assert cnn.size_defaults((16, 16, 3), 50) == {"conv_blocks": 3}
    assert cnn.size_defaults((224, 12, 3), 10_000) == {"conv_blocks": 2}
    with pytest.raises(ValueError, match="Received: input_shape=\\(8, 8\\)"):
        cnn.size_defaults((8, 8), 10)
    with pytest.raises(ValueError, match="Received: examples=0"):
        cnn.size_defaults((8, 8, 1), 0)


def _images(n, side):
    rng = np.random.default_rng(0)
    x = rng.random((n, side, side, 1), dtype="float32")
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int32")
    return Splits("tiny", "image", x, y, x[:20], y[:20], x[:20], y[:20], num_classes=2)


def test_the_engine_applies_the_rule_and_the_users_value_wins():
    recipe = nnrecipes.get_recipe("cnn")
    splits = _images(60, 8)
    _, values = engine.run_hyperparameters(recipe, splits, {}, epochs=1, batch_size=32)
    assert (values["conv_blocks"], values["convs_per_block"]) == (2, 2)
    _, values = engine.run_hyperparameters(recipe, splits, {"conv_blocks": 3}, epochs=1,
                                           batch_size=32)
    assert values["conv_blocks"] == 3
    model = engine.build_model(recipe, splits, {"filters": 8, "dense_units": 8})
    names = {layer.name for layer in model.layers}
    assert "block2_conv2" in names
    assert not any(name.startswith("block3") for name in names)
    # Other inputs keep the declared defaults.
    series = Splits("s", "sequence", np.zeros((40, 8, 1), "float32"),
                    np.zeros((40, 1), "float32"), np.zeros((8, 8, 1), "float32"),
                    np.zeros((8, 1), "float32"), np.zeros((8, 8, 1), "float32"),
                    np.zeros((8, 1), "float32"), num_outputs=1)
    assert recipe.data_defaults(series) == {}
