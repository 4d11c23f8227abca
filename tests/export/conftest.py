"""One set of small exports (every family, text, a string table) for these tests."""

import pytest


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    from tests.export import helpers

    return helpers.make_exports(str(tmp_path_factory.mktemp("exports")))
