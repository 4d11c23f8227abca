"""The manifest's one schema: versioned, checked, and older manifests still read."""

import json

import pytest

from nnrecipes.export import manifest as manifest_lib


def _record(**changes):
    record = manifest_lib.Manifest(
        recipe="mlp", task="classification", hyperparameters={"units": 8},
        dataset={"name": "wine"}, class_names=["a", "b"], training={"epochs": 1},
        history={"loss": [1.0]}).to_dict()
    record.update(changes)
    return record


def test_a_new_manifest_has_every_entry_and_the_current_version():
    record = _record()
    assert record["manifest_version"] == manifest_lib.MANIFEST_VERSION == 2
    assert record["health"] is None and record["auto"] is None and record["tuning"] is None
    assert manifest_lib.check(json.loads(json.dumps(record))) == 2


def test_check_names_missing_and_mistyped_entries():
    record = _record(history=[1.0])
    del record["training"]
    with pytest.raises(ValueError, match=r"missing \['training'\].*wrong type \['history'\]"):
        manifest_lib.check(record)


def test_a_manifest_without_a_version_is_version_1_and_still_reads():
    old = {"recipe": "mlp", "metrics": {"test": {"accuracy": 0.9}}}  # before the schema
    assert manifest_lib.check(old) == 1
    read = manifest_lib.read(old)
    assert read["manifest_version"] == 1 and read["metrics"] == old["metrics"]


@pytest.mark.parametrize("version, match", [(3, "newer than this nnrecipes reads"),
                                            (0, "positive integer"), ("2", "positive")])
def test_an_unknown_version_is_refused(version, match):
    with pytest.raises(ValueError, match=match):
        manifest_lib.check(_record(manifest_version=version))
