"""Benchmark B12: metric points at scale — bytes on disk per point and the time to read one
10,000-step history, in our SqliteStore and in MLflow's SQLite store, on the same points.

Seeds ``runs`` runs of one 10,000-step ``loss`` history each (1,000 runs = 10,000,000 points):
ours through ``log_batch`` (what ``log_metric`` flushes), MLflow by bulk rows of its own
``metrics`` table (its API would take hours). The seeded files are reused when ``--dir`` is
given.

    .venv/bin/python bench/bench_points.py --runs 100 --dir /tmp/points     # 1,000,000 points
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import uuid
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from bench_store import START, measure, percentiles  # noqa: E402

from jupyterlab_runs.store import MetricInput, NewRun, SqliteStore  # noqa: E402

STEPS = 10_000


def value(run: int, step: int) -> float:
    """The loss of ``run`` at ``step``, the same for both stores."""
    return 1.0 / (step + 1) + ((run * 7919 + step * 104_729) % 1000) / 1e6


def seed_ours(path: Path, runs: int) -> tuple[SqliteStore, list[str]]:
    """Our store holding ``runs`` histories of ``STEPS`` points; the run ids."""
    store = SqliteStore(path)
    found = store.list_experiments()
    if found:  # seeded by an earlier run with the same folder
        page = store.search_runs([found[0].id], max_results=runs, order_by=["version ASC"])
        return store, [r.id for r in page.items]
    experiment = store.create_experiment("points")
    ids = []
    for i in range(runs):
        run = store.create_run(NewRun(experiment.id, source="api", start_time=START))
        points = (MetricInput("loss", value(i, s), s, START + s) for s in range(STEPS))
        store.log_batch(run.id, metrics=points)
        ids.append(run.id)
        if (i + 1) % max(1, runs // 10) == 0:
            print(f"  ours: {(i + 1) * STEPS:,} points", file=sys.stderr, flush=True)
    return store, ids


def seed_mlflow(path: Path, runs: int):
    """MLflow's SQLite store holding the same histories; the store and its run ids."""
    from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlRun
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    path.parent.mkdir(parents=True, exist_ok=True)
    store = SqlAlchemyStore(f"sqlite:///{path}", str(path.parent / "mlflow-artifacts"))
    ids = [uuid.UUID(int=i + 1).hex for i in range(runs)]
    if store.get_experiment_by_name("points") is not None:
        return store, ids
    experiment_id = int(store.create_experiment("points"))
    for i, run_id in enumerate(ids):
        run = dict(run_uuid=run_id, name=f"run-{i}", source_type="LOCAL", user_id="bench")
        run |= dict(status="FINISHED", start_time=START, lifecycle_stage="active")
        run |= dict(artifact_uri=f"/tmp/{run_id}", experiment_id=experiment_id)
        rows = [
            dict(key="loss", value=value(i, s), timestamp=START + s, step=s, is_nan=False,
                 run_uuid=run_id)
            for s in range(STEPS)
        ]  # fmt: skip
        with store.engine.begin() as connection:
            connection.execute(SqlRun.__table__.insert(), [run])
            connection.execute(SqlMetric.__table__.insert(), rows)
            connection.execute(SqlLatestMetric.__table__.insert(), [rows[-1]])
        if (i + 1) % max(1, runs // 10) == 0:
            print(f"  MLflow: {(i + 1) * STEPS:,} points", file=sys.stderr, flush=True)
    return store, ids


def disk_bytes(path: Path) -> int:
    """The database file and its write-ahead log."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def benchmark(runs: int, folder: Path, repeat: int = 20) -> dict[str, tuple]:
    """Bytes per point and one history's read time (p50, p95 ms) for both stores."""
    ours, ours_ids = seed_ours(folder / "ours" / "runs.db", runs)
    theirs, theirs_ids = seed_mlflow(folder / "mlflow" / "mlflow.db", runs)
    picks = random.Random(0)
    history = measure(lambda: ours.metric_history(picks.choice(ours_ids), "loss"), repeat, 20)
    mlflow_history = measure(
        lambda: theirs.get_metric_history(picks.choice(theirs_ids), "loss"), repeat, 20
    )
    assert len(ours.metric_history(ours_ids[0], "loss")) == STEPS
    ours.close()
    theirs.engine.dispose()
    points = runs * STEPS
    return {
        "bytes per point": (
            disk_bytes(folder / "ours" / "runs.db") / points,
            disk_bytes(folder / "mlflow" / "mlflow.db") / points,
        ),
        "one history": (percentiles(history), percentiles(mlflow_history)),
    }


def main(argv: list[str] | None = None) -> None:
    """Seed, measure and print both stores' figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="histories of 10,000 steps")
    parser.add_argument("--dir", type=Path, help="keep the seeded stores here (reused)")
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-points-"))
    figures = benchmark(args.runs, folder)
    (ours_bytes, theirs_bytes), (ours_read, theirs_read) = figures.values()
    print(f"{args.runs * STEPS:,} points: bytes per point ours {ours_bytes:.1f}, "
          f"MLflow {theirs_bytes:.1f}; one 10,000-step history p50 ours {ours_read[0]:.1f} ms, "
          f"MLflow {theirs_read[0]:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
