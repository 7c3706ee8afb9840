"""Runs left RUNNING by a process that died become KILLED; a live writer's runs are kept."""

from __future__ import annotations

import os
import signal

import pytest
from live_writer import start_writer

from jupyterlab_runs.store import MetricInput, NewRun, SqliteStore


@pytest.fixture
def writer(tmp_path):
    """Start a process that creates a RUNNING run in the store and then waits to be killed."""
    started = []

    def start(db):
        proc, run_id = start_writer(db)
        started.append(proc)
        return proc, run_id

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_run_whose_writer_was_killed_becomes_killed_at_its_last_sign_of_life(tmp_path, writer):
    db = tmp_path / "runs.db"
    proc, run_id = writer(db)
    store = SqliteStore(db)
    assert store.kill_orphaned_runs() == []
    assert store.get_run(run_id).status == "RUNNING"

    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert store.kill_orphaned_runs() == [run_id]
    run = store.get_run(run_id)
    assert (run.status, run.end_time) == ("KILLED", 5000)
    assert store.kill_orphaned_runs() == []  # done once
    store.close()


def test_a_killed_writer_not_yet_reaped_by_its_parent_counts_as_gone(tmp_path, writer):
    db = tmp_path / "runs.db"
    proc, run_id = writer(db)
    os.kill(proc.pid, signal.SIGKILL)
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # a zombie until proc.wait()
    store = SqliteStore(db)
    assert store.kill_orphaned_runs() == [run_id]
    store.close()


def test_runs_of_this_live_process_and_ended_runs_are_left_alone(store, experiment):
    running = store.create_run(NewRun(experiment.id, status="RUNNING"))
    ended = store.create_run(NewRun(experiment.id, status="RUNNING"))
    store.end_run(ended.id, "FINISHED", end_time=7)
    finished = store.create_run(NewRun(experiment.id, metrics=[MetricInput("a", 1.0)]))
    assert store.kill_orphaned_runs() == []
    assert [store.get_run(r.id).status for r in (running, ended, finished)] == [
        "RUNNING",
        "FINISHED",
        "FINISHED",
    ]
    rows = store.db.connection().execute("SELECT count(*) FROM run_owners").fetchone()[0]
    assert rows == 1  # only the run still RUNNING has an owner


def test_a_reused_pid_or_a_reboot_is_not_mistaken_for_the_owner(store, experiment):
    reused = store.create_run(NewRun(experiment.id, status="RUNNING"))
    rebooted = store.create_run(NewRun(experiment.id, status="RUNNING"))
    conn = store.db.connection()
    conn.execute(
        "UPDATE run_owners SET started = started + 1 WHERE run = "
        "(SELECT rid FROM runs WHERE id = ?)",
        (reused.id,),
    )
    conn.execute(
        "UPDATE run_owners SET boot_id = 'another-boot' WHERE run = "
        "(SELECT rid FROM runs WHERE id = ?)",
        (rebooted.id,),
    )
    assert sorted(store.kill_orphaned_runs()) == sorted([reused.id, rebooted.id])


def test_a_run_owned_on_another_host_is_left_alone(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING"))
    store.db.connection().execute("UPDATE run_owners SET host = 'elsewhere', pid = 999999999")
    assert store.kill_orphaned_runs() == []
    assert store.get_run(run.id).status == "RUNNING"


def test_finding_orphans_walks_the_owned_runs_not_every_run(store, experiment):
    for _ in range(3):
        store.create_run(NewRun(experiment.id, metrics=[MetricInput("a", 1.0)]))
    conn = store.db.connection()
    # Statistics taken while no run was running, as at 1M finished runs: runs counted,
    # run_owners empty and so without a row, which made a plain JOIN scan runs first.
    conn.execute("ANALYZE")
    store.create_run(NewRun(experiment.id, status="RUNNING"))
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    store.kill_orphaned_runs()
    conn.set_trace_callback(None)
    (find,) = [s for s in statements if "FROM run_owners" in s]
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + find)]
    assert plan == ["SCAN o", "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)"]
