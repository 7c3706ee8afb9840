"""Benchmark B4: processes logging runs into one store at once while a reader polls it.

Each writer is its own interpreter (like kernels or papermill jobs of one project) logging
runs through the Python API: 20 params, then 20 metrics at each of 100 steps (one
``log_metrics`` call per step, as a training loop does). A reader asks for the runs table's
first page every 500 ms meanwhile. Afterwards every run is checked: versions 1..N each
exactly once, every run FINISHED with its 20 params and 20 metrics of 100 points each.
MLflow does the same through its fluent API into its SQLite store (fewer runs: each
``log_metrics`` call is a transaction there).

    .venv/bin/python bench/bench_concurrency.py                     # 8 × 250, MLflow 8 × 3
    .venv/bin/python bench/bench_concurrency.py --procs 4 --runs 50 --mlflow-runs 1
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAMS, METRICS, STEPS = 20, 20, 100
EXPERIMENT = "b4"
POLL_SECONDS = 0.5
# Writers are forked from a server process that imported both libraries once: each starts
# with a clean state (no parent connections or threads) without paying for its own import.
FORK = multiprocessing.get_context("forkserver")
FORK.set_forkserver_preload(["jupyterlab_runs.kernel.api", "mlflow"])


def run_values(worker: int, i: int) -> tuple[dict[str, object], list[dict[str, float]]]:
    """The params of a run and its metrics at each step (same for both libraries)."""
    params = {f"p{j}": f"w{(worker * 31 + i * 7 + j) % 10}" for j in range(PARAMS)}
    steps = [{f"m{k}": (k + 1) / (step + 1) for k in range(METRICS)} for step in range(STEPS)]
    return params, steps


def ours_worker(uri: str, worker: int, runs: int, barrier, results) -> None:
    """Writer process: ``runs`` runs through ``jupyterlab_runs``' Python API."""
    try:
        os.environ["JUPYTERLAB_RUNS_URI"] = uri
        import jupyterlab_runs as jr

        jr.start_run  # noqa: B018 - load the API before the clock starts
        barrier.wait(timeout=120)
        ids = []
        for i in range(runs):
            params, steps = run_values(worker, i)
            with jr.start_run(experiment=EXPERIMENT) as run:
                jr.log_params(params)
                for step, metrics in enumerate(steps):
                    jr.log_metrics(metrics, step=step)
            ids.append(run.run_id)
        results.put(("ok", ids))
    except BaseException:  # noqa: BLE001 - report anything to the parent
        results.put(("error", traceback.format_exc()))


def mlflow_worker(uri: str, worker: int, runs: int, barrier, results) -> None:
    """Writer process: the same runs through MLflow's fluent API."""
    try:
        os.environ["MLFLOW_LOGGING_LEVEL"] = "ERROR"
        import mlflow

        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment(EXPERIMENT)
        barrier.wait(timeout=120)
        ids = []
        for i in range(runs):
            params, steps = run_values(worker, i)
            try:
                with mlflow.start_run() as run:
                    mlflow.log_params(params)
                    for step, metrics in enumerate(steps):
                        mlflow.log_metrics(metrics, step=step)
                ids.append(run.info.run_id)
            except Exception:  # noqa: BLE001 - a run MLflow could not write counts as lost
                continue
        results.put(("ok", ids))
    except BaseException:  # noqa: BLE001
        results.put(("error", traceback.format_exc()))


class Reader(threading.Thread):
    """Polls ``page()`` every 500 ms until stopped; keeps each call's milliseconds."""

    def __init__(self, page) -> None:
        super().__init__(daemon=True)
        self._page = page
        self._halt = threading.Event()
        self.times: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        while not self._halt.wait(POLL_SECONDS):
            started = time.perf_counter()
            try:
                self._page()
            except Exception as error:  # noqa: BLE001 - a failed poll is reported, not fatal
                self.errors.append(repr(error))
                continue
            self.times.append((time.perf_counter() - started) * 1000)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _race(worker, uri: str, procs: int, runs: int, reader: Reader) -> tuple[float, list[str]]:
    """Start ``procs`` writers together, poll while they log; seconds and the run ids."""
    barrier, results = FORK.Barrier(procs + 1), FORK.Queue()
    writers = [
        FORK.Process(target=worker, args=(uri, w, runs, barrier, results)) for w in range(procs)
    ]
    for process in writers:
        process.start()
    ready = time.perf_counter()
    barrier.wait(timeout=180)  # every writer has imported its library and is ready
    started = time.perf_counter()
    print(f"    writers ready in {started - ready:.1f} s", file=sys.stderr, flush=True)
    reader.start()
    outcomes = [results.get(timeout=3600) for _ in writers]
    seconds = time.perf_counter() - started
    print(f"    {len(writers)} writers done in {seconds:.1f} s", file=sys.stderr, flush=True)
    reader.stop()
    for process in writers:
        process.join()
    failures = [text for status, text in outcomes if status == "error"]
    if failures:
        raise RuntimeError(f"{len(failures)} writer(s) failed:\n{failures[0]}")
    return seconds, [run_id for _, ids in outcomes for run_id in ids]


def check_ours(store, experiment_id: str, expected: int, ids: list[str]) -> dict[str, int]:
    """Lost, duplicate-version and incomplete runs in our store after the race."""
    runs, token = [], None
    while True:
        page = store.search_runs([experiment_id], max_results=1000, page_token=token)
        runs += page.items
        token = page.next_page_token
        if not token:
            break
    versions = sorted(r.version for r in runs)
    incomplete = sum(
        r.status != "FINISHED"
        or len(r.params) != PARAMS
        or len(r.metrics) != METRICS
        or any(m.count != STEPS for m in r.metrics.values())
        for r in runs
    )
    return {
        "lost": expected - len({r.id for r in runs} & set(ids)),
        "duplicate_versions": len(versions) - len(set(versions)),
        "gaps": 0 if versions == list(range(1, len(versions) + 1)) else 1,
        "incomplete": incomplete,
    }


def ours(folder: Path, procs: int, runs: int) -> dict[str, object]:
    """The race on our embedded store; throughput, reader times and the checks."""
    from jupyterlab_runs.store import SqliteStore

    path = folder / "runs.db"
    store = SqliteStore(path)
    experiment = store.create_experiment(EXPERIMENT)
    reader = Reader(lambda: store.search_runs([experiment.id], max_results=100, summary=True))
    seconds, ids = _race(ours_worker, f"sqlite:///{path}", procs, runs, reader)
    checks = check_ours(store, experiment.id, procs * runs, ids)
    store.close()
    return {"seconds": seconds, "runs": procs * runs, "reader": reader.times,
            "reader_errors": reader.errors, **checks}  # fmt: skip


def theirs(folder: Path, procs: int, runs: int) -> dict[str, object]:
    """The race on MLflow's SQLite store; throughput, reader times and lost runs."""
    os.environ["MLFLOW_LOGGING_LEVEL"] = "ERROR"
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{folder / 'mlflow.db'}"
    cwd = os.getcwd()
    os.chdir(folder)  # MLflow puts artifacts under ./mlruns
    try:
        client = MlflowClient(uri)
        experiment_id = client.create_experiment(EXPERIMENT)
        reader = Reader(lambda: client.search_runs([experiment_id], max_results=100))
        seconds, ids = _race(mlflow_worker, uri, procs, runs, reader)
        stored = client.search_runs([experiment_id], max_results=50_000)
    finally:
        os.chdir(cwd)
    found = {r.info.run_id for r in stored if r.info.status == "FINISHED"} & set(ids)
    return {"seconds": seconds, "runs": procs * runs, "reader": reader.times,
            "reader_errors": reader.errors, "lost": procs * runs - len(found)}  # fmt: skip


def benchmark(procs: int, runs: int, mlflow_runs: int) -> dict[str, dict[str, object]]:
    """Both races in fresh stores under a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="bench-b4-") as folder:
        (Path(folder) / "ours").mkdir()
        (Path(folder) / "mlflow").mkdir()
        print(f"  jupyterlab-runs: {procs} processes × {runs} runs", file=sys.stderr, flush=True)
        result = {"ours": ours(Path(folder) / "ours", procs, runs)}
        print(f"  MLflow: {procs} processes × {mlflow_runs} runs", file=sys.stderr, flush=True)
        result["mlflow"] = theirs(Path(folder) / "mlflow", procs, mlflow_runs)
    return result


def main(argv: list[str] | None = None) -> None:
    """Run both races with the command line's sizes and print what they measured."""
    from bench_store import percentiles

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--runs", type=int, default=250, help="runs per process, ours")
    parser.add_argument("--mlflow-runs", type=int, default=3, help="runs per process, MLflow")
    args = parser.parse_args(argv)
    for name, figures in benchmark(args.procs, args.runs, args.mlflow_runs).items():
        reader = figures.pop("reader")
        p50, p95 = percentiles(reader) if reader else (float("nan"), float("nan"))
        rate = figures["runs"] / figures["seconds"]
        print(f"{name}: {rate:,.0f} runs/s; reader p50 {p50:.1f} ms, p95 {p95:.1f} ms; {figures}")


if __name__ == "__main__":
    main()
