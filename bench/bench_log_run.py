"""Benchmark B1: logging one whole run — 100 params, 100 metrics, one metric × 1,000 steps,
10 tags and 50 KB of code — through the Python API and through REST, beside MLflow.

Python API: the run is logged from an IPython cell whose source is 50 KB (the run keeps the
cell's code), timed from ``start_run`` to the end of its ``with`` block (committed). MLflow:
the same through its fluent API (the history in one ``log_batch``: its
per-call ``log_metric`` is a transaction each), the code kept with ``log_text``. REST: one
``POST runs`` to a real ``jupyter lab`` (as the Log-run button posts a run), until the
server answers with the stored run.

    .venv/bin/python bench/bench_log_run.py                # 30 runs (MLflow 3)
    .venv/bin/python bench/bench_log_run.py --repeat 5 --mlflow-repeat 1
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from bench_store import percentiles  # noqa: E402
from ui_table_bench import http_bytes, start_lab, stop  # noqa: E402

PARAMS = {f"param_{i}": (i * 37) % 1000 if i % 2 else f"value-{i}" for i in range(100)}
METRICS = {f"metric_{i}": i / 100 for i in range(100)}
TAGS = {f"tag_{i}": f"label-{i}" for i in range(10)}
STEPS = 1000
CODE_BYTES = 50 * 1024
EXPERIMENT = "b1"

LOG = """\
_started = time.perf_counter()
with jr.start_run(experiment=EXPERIMENT):
    jr.log_params(PARAMS)
    jr.log_metrics(METRICS)
    for step in range(STEPS):
        jr.log_metric("loss", 1 / (step + 1), step=step)
    jr.set_tags(TAGS)
times.append((time.perf_counter() - _started) * 1000)
"""


def cell_source(body: str) -> str:
    """``body`` after comment lines that bring the cell to 50 KB, as a long notebook cell."""
    filler = "# " + "x" * 97 + "\n"
    return filler * ((CODE_BYTES - len(body)) // len(filler)) + body


def ours_api(uri: str, repeat: int) -> list[float]:
    """Milliseconds per run logged from a 50 KB IPython cell (after one warm-up run)."""
    os.environ["JUPYTERLAB_RUNS_URI"] = uri
    from IPython.core.interactiveshell import InteractiveShell

    import jupyterlab_runs as jr

    shell = InteractiveShell.instance()
    times: list[float] = []
    shell.user_ns.update(
        jr=jr, time=time, times=times, PARAMS=PARAMS, METRICS=METRICS, TAGS=TAGS,
        STEPS=STEPS, EXPERIMENT=EXPERIMENT,
    )  # fmt: skip
    source = cell_source(LOG)
    for _ in range(repeat + 1):
        shell.run_cell(source, store_history=True).raise_error()
    stored = jr.get_run(repeat + 1, EXPERIMENT)
    if len(stored.code) < CODE_BYTES * 0.9 or len(stored.params) != len(PARAMS):
        raise RuntimeError("the benchmark's run was not stored whole")
    return times[1:]


def mlflow_api(uri: str, repeat: int) -> list[float]:
    """Milliseconds per run through MLflow's fluent API (after one warm-up run)."""
    import mlflow
    from mlflow.entities import Metric

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(EXPERIMENT)
    client = mlflow.MlflowClient(uri)
    code = cell_source(LOG)
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        with mlflow.start_run() as run:
            mlflow.log_params(PARAMS)
            mlflow.log_metrics(METRICS)
            # MLflow's log_metric is a transaction a call (seconds for 1,000 steps): the
            # history goes in one log_batch, its fastest path.
            now = int(time.time() * 1000)
            history = [Metric("loss", 1 / (s + 1), now, s) for s in range(STEPS)]
            client.log_batch(run.info.run_id, metrics=history)
            mlflow.set_tags(TAGS)
            mlflow.log_text(code, "cell.py")
        times.append((time.perf_counter() - started) * 1000)
    return times[1:]


def run_body() -> dict:
    """The run as the Log-run flow posts it."""
    now = int(time.time() * 1000)
    history = [{"key": "loss", "value": 1 / (s + 1), "step": s} for s in range(STEPS)]
    return {
        "experiment_name": EXPERIMENT,
        "source": "toolbar",
        "start_time": now - 1000,
        "end_time": now,
        "code": cell_source(LOG),
        "params": [{"key": k, "value": v} for k, v in PARAMS.items()],
        "metrics": [{"key": k, "value": v} for k, v in METRICS.items()] + history,
        "tags": TAGS,
    }


def ours_rest(folder: Path, repeat: int) -> list[float]:
    """Milliseconds per ``POST runs`` to a real jupyter lab (after one warm-up post)."""
    lab, url, token = start_lab(folder, folder / "rest.db")
    try:
        times = []
        for _ in range(repeat + 1):
            body = run_body()
            started = time.perf_counter()
            http_bytes(f"{url}/jupyterlab-runs/api/runs", body, token=token)
            times.append((time.perf_counter() - started) * 1000)
        return times[1:]
    finally:
        stop(lab)


def benchmark(repeat: int, mlflow_repeat: int) -> dict[str, list[float]]:
    """Milliseconds per run: ours (API, REST) and MLflow (API), in fresh stores."""
    with tempfile.TemporaryDirectory(prefix="bench-b1-") as name:
        folder = Path(name)
        cwd = os.getcwd()
        os.chdir(folder)  # MLflow's SQLite store puts artifacts under ./mlruns
        try:
            return {
                "api": ours_api(f"sqlite:///{folder / 'runs.db'}", repeat),
                "rest": ours_rest(folder, repeat),
                "mlflow_api": mlflow_api(f"sqlite:///{folder / 'mlflow.db'}", mlflow_repeat),
            }
        finally:
            os.chdir(cwd)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print p50/p95 milliseconds per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--mlflow-repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for name, times in benchmark(args.repeat, args.mlflow_repeat).items():
        p50, p95 = percentiles(times)
        print(f"{name:<12}p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  ({len(times)} runs)")


if __name__ == "__main__":
    main()
