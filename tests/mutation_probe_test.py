"""`benchmarks/mutation_probe.py` stays runnable: every mutation still applies
to the code as it is, and names tests that exist.

The probe itself (each mutation must make its tests fail) takes minutes and is
run by hand: `python benchmarks/mutation_probe.py`.
"""

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "mutation_probe", ROOT / "benchmarks" / "mutation_probe.py")
mutation_probe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mutation_probe)


@pytest.mark.parametrize("name", sorted(mutation_probe.MUTATIONS))
def test_mutation_applies_once_and_names_real_tests(name, tmp_path):
    path, old, new, tests = mutation_probe.MUTATIONS[name]
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_text((ROOT / path).read_text())
    mutation_probe.mutate(str(tmp_path), path, old, new)
    assert target.read_text() != (ROOT / path).read_text()
    for test in tests:
        file, _, function = test.partition("::")
        assert (ROOT / file).is_file(), test
        if function:
            assert f"def {function}(" in (ROOT / file).read_text(), test


def test_a_mutation_whose_code_moved_is_an_error(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\nx = 1\n")
    with pytest.raises(ValueError, match="occurs 2 times"):
        mutation_probe.mutate(str(tmp_path), "m.py", "x = 1", "x = 2")
