"""A separate process that creates a RUNNING run in a store, then waits to be killed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

WRITER = textwrap.dedent(
    """
    import sys, time
    from jupyterlab_runs.store import MetricInput, NewRun, SqliteStore
    store = SqliteStore(sys.argv[1])
    exp = store.get_or_create_experiment("live-writer")
    run = store.create_run(NewRun(exp.id, status="RUNNING", start_time=1000))
    store.log_batch(run.id, metrics=[MetricInput("loss", 0.5, 3, 5000)])
    print(run.id, flush=True)
    time.sleep(600)
    """
)


def start_writer(db) -> tuple[subprocess.Popen, str]:
    """Start the writer on the SQLite file ``db``; returns the process and its run's id."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    return proc, proc.stdout.readline().strip()
