"""A search killed by SIGKILL in the middle of a trial resumes and completes,
keeping every finished trial."""

import json
import os
import signal
import time

import pytest

from nnrecipes import cli
from tests.tuning import helpers

ARGS = ["tune", "mlp", "--dataset", "wine", "--tuner", "random", "--max-trials", "4",
        "--epochs", "40", "--batch-size", "16", "--space", "units=8,16",
        "--space", "num_layers=1,2", "--only-space", "--project-name", "resume"]


def _finished(project, trial):
    return os.path.isfile(os.path.join(project, f"trial_{trial}", "nnrecipes.json"))


def _started(project, trial):
    return os.path.isfile(os.path.join(project, f"trial_{trial}", "trial.json"))


@pytest.mark.large
def test_search_killed_mid_trial_resumes_without_losing_trials(tmp_path, capsys):
    args = ARGS + ["--directory", str(tmp_path)]
    project = os.path.join(tmp_path, "resume")
    process = helpers.start(args, tmp_path / "first.log")
    try:
        deadline = time.monotonic() + 240
        # Kill it once two trials are done and the third is training.
        while time.monotonic() < deadline and process.poll() is None:
            if _finished(project, 1) and _started(project, 2) and not _finished(project, 2):
                time.sleep(0.3)
                os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        process.wait(timeout=30)
    finally:
        helpers.stop(process)
    log = open(tmp_path / "first.log").read()
    assert process.returncode == -signal.SIGKILL, log[-2000:]
    assert not _finished(project, 2)  # it died mid-trial
    kept = {t: open(os.path.join(project, f"trial_{t}", "nnrecipes.json")).read()
            for t in (0, 1)}

    # Started again with the same arguments, it goes on and completes.
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    for t in (0, 1):  # finished trials are kept, not run again
        assert open(os.path.join(project, f"trial_{t}", "nnrecipes.json")).read() == kept[t]
        assert f"finished trial {t}:" not in out
    for t in (2, 3):
        assert f"finished trial {t}:" in out
    statuses = [json.load(open(os.path.join(project, f"trial_{t}", "trial.json")))["status"]
                for t in range(4)]
    assert statuses == ["COMPLETED"] * 4
    assert not os.path.isdir(os.path.join(project, "trial_4"))
