"""Buffered step points reach the store within a second: long ``%%track`` cells are written
as they go, and ``kill -9`` of a real kernel in such a loop loses at most the last second."""

from __future__ import annotations

import os
import signal
import time

import pytest
from kernel_support import kernel_env, open_store, run_cell, runs_of

from jupyterlab_runs.store import open_store as open_uri

pytest_plugins = ("kernel_fixtures",)

LONG_CELL = """\
%%track -e flush
lr = 0.1
import os, time
import jupyterlab_runs as jr
from jupyterlab_runs.store import open_store
for step in range(24):
    jr.log_metric("loss", 1 / (step + 1), step=step)
    time.sleep(0.05)
seen = open_store(os.environ["JUPYTERLAB_RUNS_URI"]).search_runs([]).items
during = [(r.status, r.metrics["loss"].count) for r in seen]
final = 0.25 + 0.25
"""


def test_a_long_track_cell_is_written_while_it_runs_and_ends_as_one_whole_run(ip):
    result, *_ = run_cell(ip, LONG_CELL)
    assert result.success
    # Read from the store by the cell itself, 1.2 s in: the run exists, RUNNING, with the
    # points of all but (at most) the last second.
    [(status, count)] = ip.user_ns["during"]
    assert status == "RUNNING" and count >= 4
    [run] = runs_of("flush")
    assert (run.version, run.status, run.source) == (1, "FINISHED", "magic")
    assert run.params["lr"].value == "0.1"
    assert run.metrics["loss"].count == 24
    assert run.metrics["final"].value == 0.5 and run.metrics["final"].source == "variable"


def test_a_short_track_cell_is_still_saved_by_one_write(ip):
    result, *_ = run_cell(
        ip, '%%track -e quick\nimport jupyterlab_runs as jr\njr.log_metric("a", 1.0, step=1)\n'
    )
    assert result.success
    [run] = runs_of("quick")
    _, changes = open_store().changes(0)
    assert [c.op for c in changes if c.id == run.id] == ["created"]


KILL_CELL = """\
%%track -e crash
import os, time
import jupyterlab_runs as jr
fd = os.open({log!r}, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
for step in range(1_000_000):
    jr.log_metric("loss", 1 / (step + 1), step=step)
    os.write(fd, f"{{step}} {{time.time_ns() // 1_000_000}}\\n".encode())
    time.sleep(0.002)
"""


@pytest.fixture
def kernel(tmp_path):
    """A real python3 kernel writing to a store in tmp_path."""
    from jupyter_client.manager import start_new_kernel

    uri = "sqlite:///" + str(tmp_path / "runs.db")
    manager, client = start_new_kernel(
        kernel_name="python3", env=kernel_env(JUPYTERLAB_RUNS_URI=uri), cwd=str(tmp_path)
    )
    yield manager, client, uri
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def test_kill_9_of_a_kernel_in_a_track_loop_loses_at_most_the_last_second(kernel, tmp_path):
    manager, client, uri = kernel
    client.execute_interactive("%load_ext jupyterlab_runs", timeout=60)
    log = tmp_path / "logged.txt"
    client.execute(KILL_CELL.format(log=str(log)))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # let the loop log for about three seconds
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) > 2 and int(lines[-1].split()[1]) - int(lines[0].split()[1]) > 3000:
            break
        time.sleep(0.1)
    store = open_uri(uri)
    assert store.kill_orphaned_runs() == []  # the kernel is alive: its run is not cut short
    killed_at = time.time_ns() // 1_000_000
    os.kill(manager.provisioner.process.pid, signal.SIGKILL)
    manager.provisioner.process.wait()

    logged = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    [run] = store.search_runs([]).items
    stored = {p.step for p in store.metric_history(run.id, "loss")}
    missing = [(step, at) for step, at in logged if step not in stored]
    assert len(stored) > 100
    assert all(at > killed_at - 1000 for _, at in missing), (len(missing), killed_at)
    window = killed_at - min([at for _, at in missing] or [killed_at])
    print(
        f"kernel kill -9: {len(logged)} points logged, {len(stored)} stored, "
        f"{len(missing)} lost, all from the last {window} ms"
    )
    # The run its dead kernel left RUNNING is KILLED at the next server start.
    assert run.status == "RUNNING"
    assert store.kill_orphaned_runs() == [run.id]
    assert store.get_run(run.id).status == "KILLED"
    store.close()
