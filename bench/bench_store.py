"""Benchmark: the embedded SqliteStore against MLflow's SqlAlchemyStore on the same data.

Seeds N runs × 50 params × 20 metrics into both stores (identical values), then times what the
runs panel asks for — a first page sorted by a metric, a re-sort, a filter, the next page — and
the cost of logging one run. Prints one table of p50/p95 milliseconds.

    .venv/bin/python bench/bench_store.py --runs 2000     # smoke run, a few seconds
    .venv/bin/python bench/bench_store.py                 # 100,000 runs
    .venv/bin/python bench/bench_store.py --dir /tmp/b    # keep (and next time reuse) the seeds
"""

from __future__ import annotations

import argparse
import functools
import logging
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore  # noqa: E402
from jupyterlab_runs.store.sqlite.queries import Totals  # noqa: E402

WORDS = [f"w{i}" for i in range(10)]
START = 1_700_000_000_000
FILTER = "metrics.m3 > 0.5 and params.p1 = 'w3'"


def run_values(i: int, params: int, metrics: int) -> tuple[dict[str, object], dict[str, float]]:
    """The params and metrics of run ``i``, the same for both stores."""
    rng = random.Random(i)
    values = {
        f"p{j}": rng.randint(0, 1000) if j % 2 == 0 else rng.choice(WORDS) for j in range(params)
    }
    return values, {f"m{j}": rng.random() for j in range(metrics)}


def new_run(experiment_id: str, i: int, params: int, metrics: int) -> NewRun:
    values, numbers = run_values(i, params, metrics)
    start = START + i * 1000
    return NewRun(
        experiment_id,
        source="api",
        start_time=start,
        end_time=start + 500,
        params=[ParamInput(k, v) for k, v in values.items()],
        metrics=[MetricInput(k, v, timestamp=start) for k, v in numbers.items()],
    )


def progress(label: str, done: int, total: int, started: float) -> None:
    if done % max(1, total // 10) == 0 or done == total:
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(f"  {label}: {done:,}/{total:,} runs ({rate:,.0f}/s)", file=sys.stderr, flush=True)


# -- seeding ---------------------------------------------------------------------------------


def seed_ours(path: Path, runs: int, params: int, metrics: int) -> tuple[SqliteStore, str, float]:
    """Our store with ``runs`` runs logged through create_run; returns seconds per run."""
    store = SqliteStore(path)
    if store.list_experiments():  # seeded by an earlier run with the same --dir
        return store, store.list_experiments()[0].id, float("nan")
    experiment = store.create_experiment("bench")
    started = time.perf_counter()
    for i in range(runs):
        store.create_run(new_run(experiment.id, i, params, metrics))
        progress("jupyterlab-runs create_run", i + 1, runs, started)
    return store, experiment.id, (time.perf_counter() - started) / runs


def mlflow_rows(experiment_id: int, i: int, params: int, metrics: int) -> dict[str, list[dict]]:
    """The rows MLflow's create_run + log_batch would write for run ``i``."""
    values, numbers = run_values(i, params, metrics)
    run_id = uuid.UUID(int=i + 1).hex
    start = START + i * 1000
    metric_rows = [
        dict(key=k, value=v, timestamp=start, step=0, is_nan=False, run_uuid=run_id)
        for k, v in numbers.items()
    ]
    return {
        "runs": [
            dict(
                run_uuid=run_id,
                name=f"run-{i}",
                source_type="LOCAL",
                user_id="bench",
                status="FINISHED",
                start_time=start,
                end_time=start + 500,
                lifecycle_stage="active",
                artifact_uri=f"/tmp/{run_id}",
                experiment_id=experiment_id,
            )
        ],
        "params": [dict(key=k, value=str(v), run_uuid=run_id) for k, v in values.items()],
        "metrics": metric_rows,
        "latest_metrics": metric_rows,
        "tags": [dict(key="mlflow.runName", value=f"run-{i}", run_uuid=run_id)],
    }


def bulk_insert(store, runs: int, rows: Callable[[int], dict[str, list[dict]]]) -> None:
    """Insert ``rows(i)`` (``mlflow_rows``' shape) for runs 0…runs-1 straight into the ORM
    tables of MLflow's SqlAlchemyStore ``store``, a chunk of runs per transaction — logging
    100,000 runs through its API would take hours."""
    from mlflow.store.tracking.dbmodels import models

    tables = {
        name: getattr(models, model).__table__
        for name, model in [
            ("runs", "SqlRun"),
            ("params", "SqlParam"),
            ("metrics", "SqlMetric"),
            ("latest_metrics", "SqlLatestMetric"),
            ("tags", "SqlTag"),
        ]
    }
    started, chunk = time.perf_counter(), 2000
    for first in range(0, runs, chunk):
        batch: dict[str, list[dict]] = {name: [] for name in tables}
        for i in range(first, min(first + chunk, runs)):
            for name, found in rows(i).items():
                batch[name] += found
        with store.engine.begin() as connection:
            for name, table in tables.items():
                connection.execute(table.insert(), batch[name])
        progress("MLflow bulk insert", min(first + chunk, runs), runs, started)


def seed_mlflow(path: Path, runs: int, params: int, metrics: int, via_api: bool):
    """MLflow's store with the same runs: bulk inserts of its own ORM tables, or its log_batch."""
    from mlflow.entities import Metric, Param
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    path.parent.mkdir(parents=True, exist_ok=True)
    store = SqlAlchemyStore(f"sqlite:///{path}", str(path.parent / "mlflow-artifacts"))
    found = store.get_experiment_by_name("bench")
    if found is not None:  # seeded by an earlier run with the same --dir
        return store, found.experiment_id, float("nan")
    experiment_id = store.create_experiment("bench")
    started = time.perf_counter()
    if via_api:
        for i in range(runs):
            values, numbers = run_values(i, params, metrics)
            run = store.create_run(experiment_id, "bench", START + i * 1000, [], f"run-{i}")
            store.log_batch(
                run.info.run_id,
                metrics=[Metric(k, v, START + i * 1000, 0) for k, v in numbers.items()],
                params=[Param(k, str(v)) for k, v in values.items()],
                tags=[],
            )
            progress("MLflow create_run + log_batch", i + 1, runs, started)
    else:
        rows = functools.partial(mlflow_rows, int(experiment_id), params=params, metrics=metrics)
        bulk_insert(store, runs, rows)
    return store, experiment_id, (time.perf_counter() - started) / runs


# -- timing ----------------------------------------------------------------------------------


def measure(action: Callable[[], object], repeat: int, budget: float) -> list[float]:
    """Milliseconds of ``repeat`` calls after one warm-up, fewer (at least 3) past ``budget`` s."""
    action()
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < repeat and (len(times) < 3 or time.perf_counter() < deadline):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def benchmark(args: argparse.Namespace, folder: Path) -> tuple[list[tuple], dict[str, object]]:
    """Seed (or reuse) both stores and time each case: rows of (label, ours, MLflow) p50/p95
    milliseconds, and what the table's notes need."""
    print(
        f"seeding {args.runs:,} runs × {args.params} params × {args.metrics} metrics",
        file=sys.stderr,
    )
    ours, ours_experiment, ours_seed = seed_ours(
        folder / "ours" / "runs.db", args.runs, args.params, args.metrics
    )
    # MLflow's sort by a metric grows quadratically (3 s at 5,000 runs, 44 s at 20,000 here),
    # so by default it gets at most 10,000 runs; the table says how many.
    mlflow_runs = args.mlflow_runs or min(args.runs, 10_000)
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    theirs, theirs_experiment, theirs_seed = seed_mlflow(
        folder / "mlflow" / "mlflow.db", mlflow_runs, args.params, args.metrics, args.mlflow_api
    )
    from mlflow.entities import Metric, Param, ViewType

    def ours_page(order: list[str], filter: str = "", token: str | None = None, count=False):
        if count:  # a new search: forget cached totals so the page pays for its count
            ours.totals = Totals()
        return ours.search_runs([ours_experiment], filter, order, 100, token)

    def theirs_page(order: list[str], filter: str = "", token: str | None = None):
        return theirs.search_runs(
            [theirs_experiment], filter, ViewType.ACTIVE_ONLY, 100, order, token
        )

    first_ours = ours_page(["metrics.m0 DESC"])
    first_theirs = theirs_page(["metrics.m0 DESC"])
    same = None
    if mlflow_runs == args.runs:
        same = [r.metrics["m0"].value for r in first_ours.items] == [
            r.data.metrics["m0"] for r in first_theirs
        ]
    created = iter(range(args.runs + 1, args.runs + 10_000))

    def ours_create():
        ours.create_run(new_run(ours_experiment, next(created), args.params, args.metrics))

    def theirs_create():
        i = next(created)
        values, numbers = run_values(i, args.params, args.metrics)
        run = theirs.create_run(theirs_experiment, "bench", START, [], None)
        theirs.log_batch(
            run.info.run_id,
            [Metric(k, v, START, 0) for k, v in numbers.items()],
            [Param(k, str(v)) for k, v in values.items()],
            [],
        )

    cases = [
        (
            "first page (100) by metrics.m0 DESC, counted",
            lambda: ours_page(["metrics.m0 DESC"], count=True),
            lambda: theirs_page(["metrics.m0 DESC"]),
        ),
        (
            "re-sort by metrics.m1 ASC",
            lambda: ours_page(["metrics.m1 ASC"]),
            lambda: theirs_page(["metrics.m1 ASC"]),
        ),
        (
            f"filter {FILTER}, counted",
            lambda: ours_page([], FILTER, count=True),
            lambda: theirs_page([], FILTER),
        ),
        (
            "next page via token",
            lambda: ours_page(["metrics.m0 DESC"], "", first_ours.next_page_token),
            lambda: theirs_page(["metrics.m0 DESC"], "", first_theirs.token),
        ),
        (f"create_run ({args.params} params, {args.metrics} metrics)", ours_create, theirs_create),
    ]
    rows = []
    for label, ours_action, theirs_action in cases:
        print(f"  timing {label}", file=sys.stderr, flush=True)
        rows.append(
            (
                label,
                percentiles(measure(ours_action, args.repeat, args.budget)),
                percentiles(measure(theirs_action, args.repeat, args.budget)),
            )
        )
    info = dict(
        mlflow_runs=mlflow_runs,
        ours_seed=ours_seed,
        theirs_seed=theirs_seed,
        same=same,
        total=first_ours.total,
    )
    return rows, info


def print_table(args, rows, mlflow_runs, ours_seed, theirs_seed, same, total) -> None:
    import mlflow

    how = "its log_batch API" if args.mlflow_api else "bulk inserts into its own ORM tables"
    print()
    print(
        f"jupyterlab-runs SqliteStore vs MLflow {mlflow.__version__} SqlAlchemyStore (SQLite), "
        f"{args.params} params × {args.metrics} metrics per run"
    )
    check = "n/a (different data)" if same is None else ("yes" if same else "NO")
    print(f"runs: ours {args.runs:,}; MLflow {mlflow_runs:,} (seeded by {how})")
    print(
        f"same first page from both: {check}; our pages also carry the total ({total:,}), "
        "counted afresh in the rows marked 'counted' and reused (unchanged store) in the others"
    )
    print(f"{'operation':<58}{'ours p50':>10}{'ours p95':>10}{'MLflow p50':>12}{'MLflow p95':>12}")
    for label, (o50, o95), (m50, m95) in rows:
        print(f"{label:<58}{o50:>10.1f}{o95:>10.1f}{m50:>12.1f}{m95:>12.1f}")
    seed = f"{ours_seed * 1000:.2f}" if ours_seed == ours_seed else "reused"
    theirs = f"{theirs_seed * 1000:.2f}" if theirs_seed == theirs_seed else "reused"
    print(f"{'seeding, ms per run (ours: create_run)':<58}{seed:>10}{'':>10}{theirs:>12}")
    print(
        "all times in milliseconds, warm cache; p95 over up to "
        f"{args.repeat} repetitions ({args.budget:g} s budget per case)"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options (``python -m bench`` passes its own sizes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000, help="runs to seed (default 100,000)")
    parser.add_argument(
        "--mlflow-runs", type=int, help="runs to seed into MLflow (default: --runs, at most 10,000)"
    )
    parser.add_argument(
        "--mlflow-api",
        action="store_true",
        help="seed MLflow through create_run + log_batch (slow) instead of bulk rows",
    )
    parser.add_argument("--params", type=int, default=50)
    parser.add_argument("--metrics", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per case")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per case at most")
    parser.add_argument("--dir", type=Path, help="keep the seeded stores here (reused next time)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the command line's options and print its table."""
    args = parse(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        rows, info = benchmark(args, folder)
        print_table(args, rows, **info)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
