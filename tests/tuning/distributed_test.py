"""Across processes on 127.0.0.1: KerasTuner's chief/worker search, and a
two-worker MultiWorkerMirroredStrategy training run."""

import os
import re

import pytest

from tests.tuning import helpers


@pytest.mark.large
def test_chief_and_two_workers_finish_a_search(tmp_path):
    port = helpers.free_port()
    args = ["tune", "mlp", "--dataset", "wine", "--tuner", "random", "--max-trials", "4",
            "--epochs", "3", "--batch-size", "16", "--space", "units=8,16",
            "--space", "num_layers=1,2", "--only-space", "--directory", str(tmp_path),
            "--project-name", "shared"]
    common = {"KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": port}
    processes = []
    try:
        processes.append(helpers.start(args, tmp_path / "chief.log",
                                       KERASTUNER_TUNER_ID="chief", **common))
        for i in (0, 1):
            processes.append(helpers.start(args, tmp_path / f"worker{i}.log",
                                           KERASTUNER_TUNER_ID=f"tuner{i}", **common))
        codes = helpers.wait_all(processes, timeout=300)
    finally:
        for p in processes:
            helpers.stop(p)
    logs = {name: open(tmp_path / f"{name}.log").read()
            for name in ("chief", "worker0", "worker1")}
    assert codes == [0, 0, 0], {k: v[-1500:] for k, v in logs.items()}
    ran = {}
    for i in (0, 1):
        ran[i] = set(re.findall(r"tuner tuner%d finished trial (\d+)" % i, logs[f"worker{i}"]))
        assert ran[i], f"worker {i} ran no trial:\n{logs[f'worker{i}'][-1500:]}"
    assert not ran[0] & ran[1]
    assert ran[0] | ran[1] == {"0", "1", "2", "3"}
    # The chief ran none itself, and reports the best of all four.
    assert "finished trial" not in logs["chief"]
    assert "Best trial" in logs["chief"]
    table = logs["chief"].split("Trials, best first")[1].split("Best trial")[0]
    assert len([line for line in table.splitlines() if re.match(r"^\d+\s+\d", line)]) == 4
