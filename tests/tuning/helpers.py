"""Subprocess helpers for the tuning tests: the `nnrecipes` command, free
ports on 127.0.0.1, and processes that are always stopped."""

import os
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(**extra):
    """The environment for a child: quiet TensorFlow, the repo importable."""
    child = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1",
                 PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child.update({k: str(v) for k, v in extra.items()})
    return child


def start(args, log_path, **extra_env):
    """Starts `python -m nnrecipes ARGS` (or `python -c` with args[0]=="-c")."""
    log = open(log_path, "w")
    command = [sys.executable, *args] if args[0] in ("-c", "-m") else \
        [sys.executable, "-m", "nnrecipes", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env(**extra_env), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(process):
    """Kills a child (and anything it started) if it still runs."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)


def wait_all(processes, timeout):
    """Waits for every process; returns their exit codes (None: timed out)."""
    deadline = time.monotonic() + timeout
    codes = []
    for p in processes:
        try:
            codes.append(p.wait(timeout=max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            codes.append(None)
    return codes


def run_two_workers(script, folder, timeout, *args):
    """Runs `python -c script *args` as the two workers of a
    MultiWorkerMirroredStrategy cluster on 127.0.0.1 (TF_CONFIG set for each);
    returns their exit codes and logs (`folder/worker0.log`, `worker1.log`)."""
    import json

    ports = [free_port(), free_port()]
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    processes = []
    try:
        for i in (0, 1):
            config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})
            extra = [a.format(worker=i) for a in args]
            processes.append(start(["-c", script, *extra],
                                   os.path.join(folder, f"worker{i}.log"), TF_CONFIG=config))
        codes = wait_all(processes, timeout=timeout)
    finally:
        for p in processes:
            stop(p)
    logs = []
    for i in (0, 1):
        with open(os.path.join(folder, f"worker{i}.log")) as f:
            logs.append(f.read())
    return codes, logs
