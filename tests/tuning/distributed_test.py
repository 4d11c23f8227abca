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
            "--epochs", "2", "--batch-size", "16", "--space", "units=8,16",
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


TRAIN_SCRIPT = """
import json, sys
import nnrecipes
result = nnrecipes.train("mlp", "wine", epochs=3, batch_size=16, seed=0, export=True,
                         export_dir=sys.argv[1], diagnostics=False, verbose=0,
                         strategy="multi_worker", units=16, num_layers=1)
weights = sum(float(w.sum()) for w in result.model.get_weights())
print("RESULT " + json.dumps({"loss": result.history.history["loss"],
                              "test": result.test_metrics, "weights": weights,
                              "export": result.export_path}))
"""


@pytest.mark.large
def test_two_worker_multi_worker_mirrored_training(tmp_path):
    import json

    codes, logs = helpers.run_two_workers(TRAIN_SCRIPT, str(tmp_path), 300,
                                          str(tmp_path / "out{worker}"))
    assert codes == [0, 0], [log[-2000:] for log in logs]
    results = [json.loads(re.search(r"^RESULT (.*)$", log, re.M).group(1)) for log in logs]
    # Synchronous training: both workers end with the same weights and losses.
    assert results[0]["weights"] == pytest.approx(results[1]["weights"], rel=1e-6)
    assert results[0]["loss"] == pytest.approx(results[1]["loss"], rel=1e-6)
    assert results[0]["loss"][-1] < results[0]["loss"][0]  # it learned
    assert results[0]["test"]["accuracy"] == pytest.approx(results[1]["test"]["accuracy"])
    # Only the chief (worker 0) exports.
    assert results[0]["export"] and os.path.isdir(results[0]["export"])
    assert results[1]["export"] is None
