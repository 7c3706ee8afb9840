"""A live run's buffer is bounded: while its writer thread is behind, log_metric buffers up to
``MAX_BUFFERED_POINTS`` points; the call that reaches the cap writes them itself, and nothing
is lost or written twice."""

from __future__ import annotations

import time

from kernel_support import open_store

import jupyterlab_runs as jr
from jupyterlab_runs.kernel import flusher as flusher_module
from jupyterlab_runs.kernel import runs as runs_module

pytest_plugins = ("kernel_fixtures",)

CAP = 300


def test_past_the_cap_the_logging_thread_writes_and_nothing_is_lost(tracking, monkeypatch):
    monkeypatch.setattr(runs_module, "MAX_BUFFERED_POINTS", CAP)
    monkeypatch.setattr(runs_module, "FLUSH_POINTS", 100)  # the writer is woken at 100, 200
    monkeypatch.setattr(runs_module, "FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(flusher_module, "FLUSH_INTERVAL", 3600.0)
    store = open_store()
    with jr.start_run(experiment="cap") as run:
        # The writer thread is behind: every write of an open run holds this lock, and the
        # test holds it (re-entrant, so the logging thread's own write still goes through).
        with tracking._flusher.lock:
            for step in range(CAP - 1):
                jr.log_metric("loss", 1 / (step + 1), step=step)
            time.sleep(0.2)  # room for a writer that should not be able to write
            assert store.metric_history(run.run_id, "loss") == []
            jr.log_metric("loss", 1 / CAP, step=CAP - 1)  # reaches the cap: written here
            written = store.metric_history(run.run_id, "loss")
            assert [p.step for p in written] == list(range(CAP))
            for step in range(CAP, 2 * CAP - 1):
                jr.log_metric("loss", 1 / (step + 1), step=step)
            assert len(store.metric_history(run.run_id, "loss")) == CAP  # buffered again
            jr.log_metric("loss", 1 / (2 * CAP), step=2 * CAP - 1)
            assert len(store.metric_history(run.run_id, "loss")) == 2 * CAP
        for step in range(2 * CAP, 2 * CAP + 7):  # the writer thread catches up from here
            jr.log_metric("loss", 1 / (step + 1), step=step)
    history = store.metric_history(run.run_id, "loss")
    assert [(p.step, p.value) for p in history] == [(s, 1 / (s + 1)) for s in range(2 * CAP + 7)]
    assert store.get_run(run.run_id).metrics["loss"].count == 2 * CAP + 7
