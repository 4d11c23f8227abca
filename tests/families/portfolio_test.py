"""`auto`'s portfolio declaration: a short list per kind, the linear model first,
every candidate a valid configuration of its recipe."""

import pytest

import nnrecipes
from nnrecipes.families import portfolio


@pytest.mark.parametrize("row", sorted(portfolio.PORTFOLIOS))
def test_each_kind_has_a_short_list_that_starts_with_the_linear_model(row):
    kind, task = ("sequence", "regression") if row == "series" else (row, "classification")
    candidates = portfolio.candidates_for(kind, task)
    assert 2 <= len(candidates) <= 5
    assert candidates[0] is portfolio.LINEAR
    assert candidates[0].hyperparameters["num_layers"] == 0
    assert len({c.name for c in candidates}) == len(candidates)
    assert portfolio.reason_for(kind, task)  # the measured reason is declared beside it
    for candidate in candidates:
        recipe = nnrecipes.get_recipe(candidate.recipe)
        # Every setting is a declared hyperparameter within its range.
        nnrecipes.registry.resolve_hyperparameters(recipe, dict(candidate.hyperparameters),
                                                   task)


def test_the_pool_holds_every_declared_candidate():
    for row, (names, _) in portfolio.PORTFOLIOS.items():
        assert set(names) <= {c.name for c in portfolio.POOL[row]}


def test_rows_follow_the_kind_and_task():
    assert portfolio.row_of("bag") == "text"
    assert portfolio.row_of("sequence", "regression") == "series"
    assert portfolio.row_of("sequence") == "sequence"
    with pytest.raises(ValueError, match=r"portfolio has a list for .*Received: kind='audio'"):
        portfolio.candidates_for("audio")


def test_the_linear_candidate_has_no_hidden_layer():
    model = nnrecipes.build("mlp", input_shape=(5,), num_classes=3,
                            **portfolio.LINEAR.hyperparameters)
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    assert len(dense) == 1 and dense[0].kernel.shape == (5, 3)
