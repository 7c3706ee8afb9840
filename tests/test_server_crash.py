"""``kill -9`` of a real Jupyter server while runs are posted and edited (tests/server_crash.py)."""

from __future__ import annotations

from live_writer import start_writer
from server_crash import run_trials

from jupyterlab_runs.store import SqliteStore

TRIALS = 10


def test_ten_server_crashes_lose_no_acknowledged_write_and_kill_only_dead_runs(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    db = root / ".jupyterlab-runs" / "runs.db"
    # A kernel-like writer that stays alive through every crash: its run must stay RUNNING.
    live, live_run = start_writer(db)
    try:
        totals = run_trials(root, TRIALS)
        store = SqliteStore(db)
        assert store.get_run(live_run).status == "RUNNING"
        store.close()
    finally:
        live.kill()
        live.wait()
    print(f"server kill -9: {totals}")
    assert totals["trials"] == TRIALS and totals["lost"] == 0
    assert totals["runs"] >= TRIALS and totals["killed"] >= 1
