"""The serialization contract, run over everything the component library
registers: config round trip, `.keras` reload in a fresh process with no
`custom_objects` (one subprocess for all), SavedModel export for layers and
activations."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import keras

from tests.components import helpers
from tests.components import specs

NAMES = helpers.registered_components()
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _stem(name):
    return name.replace(">", "__")


def test_every_component_is_registered_and_has_a_spec():
    # A component registered without an entry in specs.SPECS would skip the
    # contract; a spec whose name is no longer registered is stale.
    assert len(NAMES) >= 30
    assert sorted(set(NAMES) - set(specs.SPECS)) == []
    assert sorted(set(specs.SPECS) - set(NAMES)) == []


@pytest.fixture(scope="module")
def reloaded(tmp_path_factory):
    """Saves one model per component and reloads them all in ONE fresh
    process; returns name -> (before, after) probes."""
    folder = tmp_path_factory.mktemp("keras_reload")
    before = {}
    for name in NAMES:
        if name not in specs.SPECS:
            continue
        kind, _, model, inputs = specs.make(name)
        model.save(folder / f"{_stem(name)}.keras")
        np.savez(folder / f"{_stem(name)}.inputs.npz", kind=np.array(kind), **inputs)
        before[name] = specs.probe(kind, model, inputs)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "tests.components.reload_check", str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    after = {}
    for name in before:
        path = folder / f"{_stem(name)}.reloaded.npz"
        if path.exists():
            with np.load(path) as data:
                after[name] = {k: data[k] for k in data.files}
    return {name: (before[name], after.get(name)) for name in before}


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip(name):
    assert name in specs.SPECS, f"{name} is registered but has no entry in specs.SPECS"
    _, make_component, _ = specs.SPECS[name]
    helpers.assert_config_round_trip(make_component())


@pytest.mark.large
@pytest.mark.parametrize("name", NAMES)
def test_keras_file_reloads_in_fresh_process(name, reloaded):
    assert name in specs.SPECS, f"{name} is registered but has no entry in specs.SPECS"
    before, after = reloaded[name]
    assert after is not None, f"the fresh process did not reload {name}"
    assert sorted(before) == sorted(after)
    for key in before:
        if before[key].dtype.kind in "US":
            assert before[key] == after[key], key
        else:
            np.testing.assert_allclose(after[key], before[key], rtol=1e-6, atol=1e-7,
                                       err_msg=key)


EXPORTED = [n for n in NAMES if n in specs.SPECS and specs.SPECS[n][0] in
            ("layer", "activation")]


@pytest.mark.large
@pytest.mark.parametrize("name", EXPORTED)
def test_saved_model_export_serves_same_outputs(name, tmp_path):
    _, _, model, inputs = specs.make(name)
    helpers.assert_saved_model_matches(model, inputs["x"], tmp_path / "export")
