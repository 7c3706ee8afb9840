"""Amortized cost of one ``log_metric`` call in a training loop: ours beside MLflow's.

Each row times a whole loop of ``log_metric(key, value, step=i)`` calls plus whatever ends
the run (the final flush and ``end_run``, or the ``create_run`` of a ``%%track`` cell),
divided by the number of calls. Both libraries write to a fresh SQLite file in a temporary
directory. MLflow runs fewer steps (see the table) because it takes milliseconds per call:
synchronous mode writes one transaction per call, and asynchronous mode (timed until
``flush_async_logging`` returns) was no faster on SQLite here.

    python bench/bench_log_metric.py [--quick]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings
from argparse import SUPPRESS
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def ours_start_run(steps: int, directory: Path) -> float:
    """``with start_run(): log_metric(...)``: buffered, written with log_batch."""
    os.environ["JUPYTERLAB_RUNS_URI"] = "sqlite:///" + str(directory / "ours-live.db")
    import jupyterlab_runs as jr

    with jr.start_run(experiment="warm-up"):
        jr.log_metric("loss", 1.0, step=0)
    log_metric = jr.log_metric
    start = time.perf_counter()
    with jr.start_run(experiment="bench"):
        for step in range(steps):
            log_metric("loss", 1.0 / (step + 1), step=step)
    return time.perf_counter() - start


def ours_track(steps: int, directory: Path) -> float:
    """A ``%%track`` cell: points kept in memory, the run created whole at the end."""
    os.environ["JUPYTERLAB_RUNS_URI"] = "sqlite:///" + str(directory / "ours-track.db")
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("jupyterlab_runs")
    cell = (
        "%%track -e bench\nimport jupyterlab_runs as jr\nlog_metric = jr.log_metric\n"
        f"for step in range({steps}):\n    log_metric('loss', 1.0 / (step + 1), step=step)\n"
    )
    with capture_output():
        shell.run_cell(cell.replace("-e bench", "-e warm-up").replace(str(steps), "1"))
        start = time.perf_counter()
        result = shell.run_cell(cell)
        elapsed = time.perf_counter() - start
    result.raise_error()
    return elapsed


def mlflow_run(steps: int, directory: Path, synchronous: bool) -> float:
    """``mlflow.log_metric`` against a local SQLite tracking store."""
    import mlflow

    mlflow.set_tracking_uri("sqlite:///" + str(directory / "mlflow.db"))
    mlflow.set_experiment("bench")
    with mlflow.start_run():  # creates the schema: not timed
        mlflow.log_metric("loss", 1.0, step=0)
    start = time.perf_counter()
    with mlflow.start_run():
        for step in range(steps):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step, synchronous=synchronous)
        if not synchronous:
            mlflow.flush_async_logging()
    return time.perf_counter() - start


def per_call(steps: int, keys: int, directory: Path, mlflow: bool = False) -> list[float]:
    """Microseconds of each ``log_metric`` call of ``keys`` metrics × ``steps`` steps in one
    run (B2's hot loop: its p99 and longest pause, which an average hides), timed in a fresh
    interpreter as a training script runs: in the caller's process the first collections
    walked the young objects earlier cases left (a 15-17 ms gen-1 pass at call ~530, with no
    write in flight), a cost of the harness, not of either library."""
    out = directory / ("mlflow-per-call.bin" if mlflow else "ours-per-call.bin")
    command = [sys.executable, __file__, "--per-call", str(steps), str(keys), str(out)]
    flag = ["--mlflow"] if mlflow else []
    subprocess.run(command + flag, check=True, stdout=subprocess.DEVNULL)
    times = array("d")
    times.frombytes(out.read_bytes())
    return times.tolist()


def _per_call_loop(steps: int, keys: int, out: Path, mlflow: bool) -> None:
    """``per_call``'s loop, in this process; the microseconds go to ``out`` as doubles."""
    directory = out.parent
    _quiet()
    if mlflow:
        import mlflow as library

        library.set_tracking_uri("sqlite:///" + str(directory / "mlflow-per-call.db"))
        library.set_experiment("per-call")
        start_run, log_metric = library.start_run, library.log_metric
    else:
        os.environ["JUPYTERLAB_RUNS_URI"] = "sqlite:///" + str(directory / "ours-per-call.db")
        import jupyterlab_runs as library

        start_run = lambda: library.start_run(experiment="per-call")  # noqa: E731
        log_metric = library.log_metric
    names = [f"m{k}" for k in range(keys)]
    clock, times = time.perf_counter_ns, []
    with start_run():  # warm-up: opens the store and creates the schema, not timed
        log_metric("warm-up", 0.0, step=0)
    with start_run():
        for step in range(steps):
            for name in names:
                started = clock()
                log_metric(name, 1.0 / (step + 1), step=step)
                times.append(clock() - started)
    out.write_bytes(array("d", (t / 1000 for t in times)).tobytes())


def _quiet() -> None:
    """MLflow's and alembic's chatter off."""
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")


CASES = [
    ("jupyterlab-runs start_run (log_batch)", ours_start_run, 10_000),
    ("jupyterlab-runs start_run (log_batch)", ours_start_run, 100_000),
    ("jupyterlab-runs %%track (one create_run)", ours_track, 10_000),
    ("jupyterlab-runs %%track (one create_run)", ours_track, 100_000),
    ("mlflow.log_metric (synchronous)", lambda n, d: mlflow_run(n, d, True), 1_000),
    ("mlflow.log_metric (synchronous=False)", lambda n, d: mlflow_run(n, d, False), 2_000),
]


def measure(scale: int = 1) -> list[tuple[str, int, float, float]]:
    """Every case with ``1/scale`` of its steps: (label, steps, total s, µs per call)."""
    _quiet()
    rows = []
    for label, bench, steps in CASES:
        steps = max(1, steps // scale)
        with tempfile.TemporaryDirectory() as directory:
            elapsed = bench(steps, Path(directory))
        rows.append((label, steps, elapsed, elapsed / steps * 1e6))
        print(f"  {label}: {steps} steps done", file=sys.stderr)
    return rows


def main() -> None:
    """Time every case and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer steps everywhere")
    parser.add_argument("--per-call", nargs=3, metavar=("STEPS", "KEYS", "OUT"), help=SUPPRESS)
    parser.add_argument("--mlflow", action="store_true", help=SUPPRESS)
    args = parser.parse_args()
    if args.per_call:
        steps, keys, out = args.per_call
        _per_call_loop(int(steps), int(keys), Path(out), args.mlflow)
        return
    rows = measure(10 if args.quick else 1)
    print(f"{'logger':<42} {'steps':>8} {'total s':>9} {'µs/call':>9}")
    for label, steps, elapsed, per_call in rows:
        print(f"{label:<42} {steps:>8} {elapsed:>9.3f} {per_call:>9.1f}")


if __name__ == "__main__":
    main()
