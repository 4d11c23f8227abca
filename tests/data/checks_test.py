"""`choose_view` and `check_splits`: data in a kind the recipe takes, and
data no model can learn from refused before training, naming the part."""

import dataclasses
import types

import numpy as np
import pytest

from nnrecipes import data


@pytest.fixture(scope="module")
def digits():
    return data.load("digits")


def _recipe(*kinds):
    return types.SimpleNamespace(name="toy", input_kinds=kinds)


def test_the_datas_own_kind_wins_else_the_first_view_that_works(digits):
    assert data.choose_view(digits, _recipe("image", "tabular")) is digits
    flat = data.choose_view(digits, _recipe("tabular"))
    assert flat.kind == "tabular" and flat.input_shape == (64,)
    assert data.choose_view(flat, _recipe("tabular")) is flat  # viewing twice is one view
    rows = data.choose_view(digits, _recipe("text", "sequence"))
    assert rows.kind == "sequence" and rows.input_shape == (8, 8)
    with pytest.raises(ValueError, match=r"takes \['text'\] input.*Received: recipe='toy'"):
        data.choose_view(digits, _recipe("text"))


def test_data_no_model_can_learn_from_is_named(digits):
    data.check_splits(digits)
    with pytest.raises(ValueError, match="has an empty val split"):
        data.check_splits(dataclasses.replace(digits, x_val=digits.x_val[:0],
                                              y_val=digits.y_val[:0]))
    with pytest.raises(ValueError, match="the test split has .* inputs but 3 targets"):
        data.check_splits(dataclasses.replace(digits, y_test=digits.y_test[:3]))
    x = digits.x_train.astype("float32")
    x[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="the train inputs hold NaN or infinite"):
        data.check_splits(dataclasses.replace(digits, x_train=x))
    y = digits.y_train.copy()
    y[:2] = [10, -1]
    with pytest.raises(ValueError, match=r"train labels must lie in 0..9. Received: \[-1, 10\]"):
        data.check_splits(dataclasses.replace(digits, y_train=y))
