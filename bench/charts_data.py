"""Data side of ``bench/charts.bench.js``: seeds, bundles, and the MLflow figures.

Seeds the same runs into the embedded store and into MLflow (SQLite, its Python API):
1,000 runs with 4 params and 2 metrics, and 100 runs with a 1,000-step ``loss`` history.
Then, on this machine and in this run:

- ours: ``search`` + ``build_compare_bundle`` (what ``%runs compare`` does in the kernel)
  for 10 / 100 / 1,000 runs (bar), and 100 runs × 1,000 steps (line, history read per run);
- MLflow: ``mlflow.search_runs`` + picking the chart column from its DataFrame for the
  same counts, and ``MlflowClient.get_metric_history`` for the 100 × 1,000 history.

Writes the bar, scatter and line bundles the browser renders to ``OUT/bundles.json`` and
prints the timings as one JSON line on stdout.

    .venv/bin/python bench/charts_data.py OUT [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyterlab_runs.kernel.compare import build_compare_bundle  # noqa: E402
from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore  # noqa: E402

BAR_RUNS = 1000
LINE_RUNS, LINE_STEPS = 100, 1000
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


def history(i: int) -> list[float]:
    """A decaying, noisy ``loss`` curve of ``LINE_STEPS`` points for run ``i``."""
    rng = random.Random(10_000 + i)
    rate = rng.uniform(0.002, 0.01)
    return [1.0 / (1 + rate * s) + rng.uniform(-0.02, 0.02) for s in range(LINE_STEPS)]


def timed(fn: Callable[[], object], reps: int) -> list[float]:
    """Milliseconds of ``reps`` calls after one warm-up call."""
    fn()
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def seed_ours(store: SqliteStore) -> tuple[str, str]:
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
                    for s, v in enumerate(history(i))
                ],
            )
        )
    return bars.id, lines.id


def ours(folder: Path, reps: int) -> tuple[dict[str, list[float]], dict[str, object]]:
    store = SqliteStore(str(folder / "runs.db"))
    bars_id, lines_id = seed_ours(store)
    bars_exp, lines_exp = store.get_experiment(bars_id), store.get_experiment(lines_id)

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
        runs = search(bars_id, count)
        return build_compare_bundle(
            runs, kind=kind, metric="acc", params=params, experiment=bars_exp
        )

    def line():
        runs = search(lines_id, LINE_RUNS)
        hist = {r.id: {"loss": store.metric_history(r.id, "loss")} for r in runs}
        return build_compare_bundle(
            runs, kind="line", metric="loss", experiment=lines_exp, history=hist
        )

    figures = {f"bar {n}": timed(lambda n=n: bar(n), reps) for n in COUNTS}
    figures["line"] = timed(line, reps)
    bundles = {
        "bar": bar(BAR_RUNS),
        "scatter": bar(BAR_RUNS, "scatter", ("lr",)),
        "line": line(),
    }
    store.close()
    return figures, bundles


def mlflow_figures(folder: Path, reps: int) -> dict[str, object]:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    import mlflow
    from mlflow.entities import Metric, Param, RunStatus
    from mlflow.tracking import MlflowClient

    uri = "sqlite:///" + str(folder / "mlflow.db")
    client = MlflowClient(uri)
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
    for i in range(LINE_RUNS):
        params, _ = run_values(i)
        start = START + i * 1000
        run = client.create_run(lines, start_time=start)
        client.log_batch(run.info.run_id, params=[Param(k, str(v)) for k, v in params.items()])
        points = [Metric("loss", v, start + s, s) for s, v in enumerate(history(i))]
        client.log_batch(run.info.run_id, metrics=points)
        client.set_terminated(run.info.run_id, finished, end_time=start + 500)
    mlflow.set_tracking_uri(uri)

    def bar(count: int):
        frame = mlflow.search_runs(
            [bars], max_results=count, order_by=["attributes.start_time ASC"]
        )
        return list(zip(frame["run_id"], frame["metrics.acc"], strict=True))

    def line():
        frame = mlflow.search_runs([lines], max_results=LINE_RUNS)
        return {rid: client.get_metric_history(rid, "loss") for rid in frame["run_id"]}

    assert len(bar(BAR_RUNS)) == BAR_RUNS
    assert sum(map(len, line().values())) == LINE_RUNS * LINE_STEPS
    figures: dict[str, object] = {f"bar {n}": timed(lambda n=n: bar(n), reps) for n in COUNTS}
    figures["line"] = timed(line, reps)
    figures["version"] = mlflow.__version__
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for bundles.json")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="charts-bench-") as tmp:
        folder = Path(tmp)
        ours_figures, bundles = ours(folder, args.reps)
        (args.out / "bundles.json").write_text(json.dumps(bundles))
        theirs = mlflow_figures(folder, args.reps)
    sizes = {k: len(json.dumps(v)) for k, v in bundles.items()}
    print(json.dumps({"ours": ours_figures, "mlflow": theirs, "bundle_bytes": sizes}))


if __name__ == "__main__":
    main()
