"""B4's after-race check (bench/bench_concurrency.py) finds lost and incomplete runs."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_concurrency as b4  # noqa: E402

from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore  # noqa: E402


def whole_run(experiment_id: str, params: int = b4.PARAMS) -> NewRun:
    """A run as a B4 writer leaves it: its params and every metric at every step."""
    return NewRun(
        experiment_id,
        params=[ParamInput(f"p{j}", j) for j in range(params)],
        metrics=[
            MetricInput(f"m{k}", k / (s + 1), step=s)
            for k in range(b4.METRICS)
            for s in range(b4.STEPS)
        ],
    )


def test_whole_runs_pass_and_a_missing_or_short_run_is_counted(tmp_path):
    store = SqliteStore(tmp_path / "runs.db")
    experiment = store.create_experiment(b4.EXPERIMENT)
    ids = [store.create_run(whole_run(experiment.id)).id for _ in range(3)]
    clean = {"lost": 0, "duplicate_versions": 0, "gaps": 0, "incomplete": 0}
    assert b4.check_ours(store, experiment.id, 3, ids) == clean

    short = store.create_run(whole_run(experiment.id, params=b4.PARAMS - 1)).id
    found = b4.check_ours(store, experiment.id, 5, [*ids, short, "0" * 32])
    assert found == {**clean, "lost": 1, "incomplete": 1}
    store.close()
