"""A live run's write makes each point's MetricInput only as the store reads it: thousands of
point objects alive through a write would outlive garbage collections and set off full ones,
which stop the logging thread for their whole length (B2's longest pauses)."""

from __future__ import annotations

import gc

from kernel_support import open_store

import jupyterlab_runs as jr
from jupyterlab_runs.kernel import flusher as flusher_module
from jupyterlab_runs.kernel import runs as runs_module
from jupyterlab_runs.store.base import MetricInput
from jupyterlab_runs.store.sqlite import points as points_module

pytest_plugins = ("kernel_fixtures",)


def test_a_write_of_thousands_of_points_holds_almost_no_point_objects(tracking, monkeypatch):
    monkeypatch.setattr(runs_module, "FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(flusher_module, "FLUSH_INTERVAL", 3600.0)
    alive: list[int] = []
    merge = points_module.merge

    def counted(*args):
        alive.append(sum(type(o) is MetricInput for o in gc.get_objects()))
        return merge(*args)

    monkeypatch.setattr(points_module, "merge", counted)
    count = runs_module.FLUSH_POINTS - 1  # one write, done here: the buffer is not full
    with jr.start_run(experiment="objects") as run:
        for step in range(count):
            jr.log_metric(f"m{step % 5}", step / 7, step=step // 5)
        tracking.flush(run)
        assert len(alive) == 5  # one merge per key, all in that write
    assert max(alive) < 50
    history = open_store().metric_history(run.run_id, "m0")
    assert [p.value for p in history] == [s / 7 for s in range(0, count, 5)]
