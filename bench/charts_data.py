"""Data side of ``bench/charts.bench.js``: seeds, bundles, and the MLflow figures.

Seeds the same runs into the embedded store and into MLflow (SQLite): 1,000 runs with 4
params and 2 metrics, and 100 runs with a ``loss`` history of ``--steps`` steps (1,000; the
issue's full size is 100,000: 10,000,000 points, seeded once into ``bench/.cache/``). Then, on
this machine and in this run:

- ours: ``search`` + ``build_compare_bundle`` (what ``%runs compare`` does in the kernel)
  for 10 / 100 / 1,000 runs (bar), and 100 runs × steps (line: each history read as the
  points the chart keeps, each stretch's extremes, with ``metric_extremes``);
- MLflow: ``mlflow.search_runs`` + picking the chart column from its DataFrame for the
  same counts, and ``MlflowClient.get_metric_history`` for the 100 × steps history (up to
  10,000 steps: past that one read takes minutes);
- the chart's read, 33 points a run (what the panel asks for a 100-line chart it may insert):
  ours is ``POST runs/metrics`` with ``max_points``' work, MLflow's the bulk-interval call
  its UI's charts make;
- a zoom to 1,000 steps in the middle: ours is what ``POST runs/metrics`` with a
  ``step_range`` does for the 100 runs; MLflow's is ``get_metric_history_bulk_interval``
  (what its UI's charts ask when zoomed), both for the same step range and point budget.

Writes the bar, scatter and line bundles the browser renders to ``OUT/bundles.json`` and
prints the timings as one JSON line on stdout.

    .venv/bin/python bench/charts_data.py OUT [--reps 5] [--steps 100000]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import sqlite3
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from cache import CACHE  # noqa: E402

from jupyterlab_runs.kernel.compare import build_compare_bundle, history_limit  # noqa: E402
from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore  # noqa: E402

BAR_RUNS = 1000
LINE_RUNS = 100
#: Steps of the zoomed range, and the points per run a zoomed chart of 100 lines asks for
#: (``historyZoomBudget(100)`` in src/charts/history.ts).
ZOOM_STEPS, ZOOM_POINTS = 1000, 200
#: Points per run the panel asks for a chart of 100 lines it may insert into a notebook
#: (``historyPointBudget(100)``: 1 MB at most in the saved output).
CHART_POINTS = 33
#: Past this many steps a whole-history read takes tens of seconds: ours is timed once after
#: one warm-up read, MLflow's (minutes) not at all; its UI samples with bulk-interval instead.
HEAVY_STEPS = 10_000
#: Marks a seed folder whose stores were both seeded to the end.
SEEDED = "seeded"
COUNTS = (10, 100, 1000)
START = 1_700_000_000_000


def run_values(i: int) -> tuple[dict[str, object], dict[str, float]]:
    """Params and final metrics of run ``i`` (the same in both stores)."""
    rng = random.Random(i)
    params = {
        "n_estimators": rng.choice([50, 100, 200, 400]),
        "max_depth": rng.randint(2, 12),
        "lr": round(rng.uniform(1e-4, 0.3), 5),
        "model": rng.choice(["rf", "gbm", "svm"]),
    }
    return params, {"acc": rng.uniform(0.6, 0.99), "loss": rng.uniform(0.05, 1.0)}


def history(i: int, steps: int) -> list[float]:
    """A decaying, noisy ``loss`` curve of ``steps`` points for run ``i``."""
    rng = random.Random(10_000 + i)
    rate = rng.uniform(0.002, 0.01) * 1000 / steps
    return [1.0 / (1 + rate * s) + rng.uniform(-0.02, 0.02) for s in range(steps)]


def timed(fn: Callable[[], object], reps: int, warm_up: bool = True) -> list[float]:
    """Milliseconds of ``reps`` calls, after one warm-up call unless ``warm_up`` is False."""
    if warm_up:
        fn()
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def seed_ours(store: SqliteStore, steps: int) -> None:
    """The bar and line experiments in our store."""
    bars = store.create_experiment("bench-bars")
    for i in range(BAR_RUNS):
        params, metrics = run_values(i)
        start = START + i * 1000
        store.create_run(
            NewRun(
                bars.id,
                start_time=start,
                end_time=start + 500,
                params=[ParamInput(k, v) for k, v in params.items()],
                metrics=[MetricInput(k, v, timestamp=start) for k, v in metrics.items()],
            )
        )
    lines = store.create_experiment("bench-lines")
    for i in range(LINE_RUNS):
        params, _ = run_values(i)
        start = START + i * 1000
        store.create_run(
            NewRun(
                lines.id,
                start_time=start,
                end_time=start + 500,
                params=[ParamInput(k, v) for k, v in params.items()],
                metrics=[
                    MetricInput("loss", v, step=s, timestamp=start + s)
                    for s, v in enumerate(history(i, steps))
                ],
            )
        )


def ours(folder: Path, reps: int, steps: int) -> tuple[dict[str, list[float]], dict[str, object]]:
    store = SqliteStore(str(folder / "runs.db"))
    by_name = {e.name: e for e in store.list_experiments()}
    bars_exp, lines_exp = by_name["bench-bars"], by_name["bench-lines"]

    def search(experiment_id: str, count: int):
        runs, token = [], None
        while len(runs) < count:
            page = store.search_runs(
                [experiment_id],
                order_by=["attributes.version ASC"],
                max_results=min(1000, count - len(runs)),
                page_token=token,
            )
            runs.extend(page.items)
            token = page.next_page_token
            if token is None:
                break
        return runs

    def bar(count: int, kind: str = "bar", params: tuple[str, ...] = ()):
        runs = search(bars_exp.id, count)
        return build_compare_bundle(
            runs, kind=kind, metric="acc", params=params, experiment=bars_exp
        )

    def line():
        runs = search(lines_exp.id, LINE_RUNS)
        limit = history_limit(len(runs))
        hist = {r.id: {"loss": store.metric_extremes(r.id, "loss", limit)} for r in runs}
        return build_compare_bundle(
            runs, kind="line", metric="loss", experiment=lines_exp, history=hist
        )

    line_ids = [r.id for r in search(lines_exp.id, LINE_RUNS)]
    zoomed = zoom_range(steps)

    def zoom():  # POST runs/metrics {run_ids, keys: [loss], max_points, step_range}
        return {rid: store.metric_extremes(rid, "loss", ZOOM_POINTS, zoomed) for rid in line_ids}

    def chart_read():  # POST runs/metrics {run_ids, keys: [loss], max_points}
        return {rid: store.metric_extremes(rid, "loss", CHART_POINTS) for rid in line_ids}

    figures = {f"bar {n}": timed(lambda n=n: bar(n), reps) for n in COUNTS}
    line_bundle = line()  # the warm-up of the line chart's reads
    big = history_reps(reps, steps)
    figures["line"] = timed(line, big, warm_up=False)
    figures["chart read"] = timed(chart_read, big, warm_up=False)
    figures["zoom"] = timed(zoom, big, warm_up=False)
    figures["zoom points"] = sum(map(len, zoom().values()))
    bundles = {
        "bar": bar(BAR_RUNS),
        "scatter": bar(BAR_RUNS, "scatter", ("lr",)),
        "line": line_bundle,
    }
    store.close()
    return figures, bundles


def history_reps(reps: int, steps: int) -> int:
    """Repeats of a read of every history (MLflow's takes 9 s at 100 × 1,000 here): three
    for a median, one past ``HEAVY_STEPS``."""
    return 1 if steps > HEAVY_STEPS else min(reps, 3)


def zoom_range(steps: int) -> tuple[int, int]:
    """``ZOOM_STEPS`` steps in the middle of a ``steps``-step history (all of a short one)."""
    first = max(0, steps // 2 - ZOOM_STEPS // 2)
    return first, min(steps, first + ZOOM_STEPS) - 1


def seed_mlflow(folder: Path, steps: int) -> None:
    """The same runs in MLflow's SQLite store: through its client, but a long history's
    points past the first 1,000 as rows (``log_batch`` takes 1,000 a call: 10,000,000 points
    would take most of an hour), and the latest value set as ``log_batch`` would."""
    from mlflow.entities import Metric, Param, RunStatus
    from mlflow.tracking import MlflowClient

    client = MlflowClient("sqlite:///" + str(folder / "mlflow.db"))
    bars = client.create_experiment("bench-bars", artifact_location=str(folder / "a1"))
    lines = client.create_experiment("bench-lines", artifact_location=str(folder / "a2"))
    finished = RunStatus.to_string(RunStatus.FINISHED)
    for i in range(BAR_RUNS):
        params, metrics = run_values(i)
        start = START + i * 1000
        run = client.create_run(bars, start_time=start)
        client.log_batch(
            run.info.run_id,
            params=[Param(k, str(v)) for k, v in params.items()],
            metrics=[Metric(k, v, start, 0) for k, v in metrics.items()],
        )
        client.set_terminated(run.info.run_id, finished, end_time=start + 500)
    with sqlite3.connect(folder / "mlflow.db") as conn:
        for i in range(LINE_RUNS):
            params, _ = run_values(i)
            start = START + i * 1000
            run_id = client.create_run(lines, start_time=start).info.run_id
            client.log_batch(run_id, params=[Param(k, str(v)) for k, v in params.items()])
            values = history(i, steps)
            head = [Metric("loss", v, start + s, s) for s, v in enumerate(values[:1000])]
            client.log_batch(run_id, metrics=head)
            if steps > 1000:
                conn.executemany(
                    "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                    "VALUES ('loss', ?, ?, ?, ?, 0)",
                    ((values[s], start + s, run_id, s) for s in range(1000, steps)),
                )
                conn.execute(
                    "UPDATE latest_metrics SET value = ?, timestamp = ?, step = ? "
                    "WHERE key = 'loss' AND run_uuid = ?",
                    (values[-1], start + steps - 1, steps - 1, run_id),
                )
                conn.commit()
            client.set_terminated(run_id, finished, end_time=start + 500)


def mlflow_figures(folder: Path, reps: int, steps: int) -> dict[str, object]:
    import mlflow
    from mlflow.tracking import MlflowClient

    uri = "sqlite:///" + str(folder / "mlflow.db")
    client = MlflowClient(uri)
    mlflow.set_tracking_uri(uri)
    bars = client.get_experiment_by_name("bench-bars").experiment_id
    lines = client.get_experiment_by_name("bench-lines").experiment_id

    def bar(count: int):
        frame = mlflow.search_runs(
            [bars], max_results=count, order_by=["attributes.start_time ASC"]
        )
        return list(zip(frame["run_id"], frame["metrics.acc"], strict=True))

    def line():
        frame = mlflow.search_runs([lines], max_results=LINE_RUNS)
        return {rid: client.get_metric_history(rid, "loss") for rid in frame["run_id"]}

    line_ids = list(mlflow.search_runs([lines], max_results=LINE_RUNS)["run_id"])
    first, last = zoom_range(steps)
    store = client._tracking_client.store  # the REST handler's call, without HTTP

    def zoom():
        return store.get_metric_history_bulk_interval(line_ids, "loss", ZOOM_POINTS, first, last)

    def chart_read():
        return store.get_metric_history_bulk_interval(line_ids, "loss", CHART_POINTS, None, None)

    assert len(bar(BAR_RUNS)) == BAR_RUNS
    figures: dict[str, object] = {f"bar {n}": timed(lambda n=n: bar(n), reps) for n in COUNTS}
    if steps <= HEAVY_STEPS:
        assert sum(map(len, line().values())) == LINE_RUNS * steps
        figures["line"] = timed(line, history_reps(reps, steps))
    big = history_reps(reps, steps)
    figures["chart read"] = timed(chart_read, big)
    figures["zoom"] = timed(zoom, big)
    figures["zoom points"] = len(zoom())
    figures["version"] = mlflow.__version__
    return figures


def seeded(folder: Path, steps: int) -> Path:
    """``folder`` with both stores seeded: reused when an earlier run finished seeding it."""
    if (folder / SEEDED).exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    store = SqliteStore(str(folder / "runs.db"))
    seed_ours(store, steps)
    store.close()
    seed_mlflow(folder, steps)
    (folder / SEEDED).write_text(f"{time.perf_counter() - started:.1f} s\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for bundles.json")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--steps", type=int, default=1000, help="steps of each history line")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    folder = seeded(CACHE / f"charts-{BAR_RUNS}-{LINE_RUNS}x{args.steps}", args.steps)
    ours_figures, bundles = ours(folder, args.reps, args.steps)
    (args.out / "bundles.json").write_text(json.dumps(bundles))
    theirs = mlflow_figures(folder, args.reps, args.steps)
    sizes = {k: len(json.dumps(v)) for k, v in bundles.items()}
    print(json.dumps({"ours": ours_figures, "mlflow": theirs, "bundle_bytes": sizes}))


if __name__ == "__main__":
    main()
