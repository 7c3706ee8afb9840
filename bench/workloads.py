"""The workloads ``python -m bench`` runs: each calls an existing benchmark and turns its
figures into result rows, with the issue's target where the workload is the one it names."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from cache import CACHE  # seeded stores, one folder per store schema and MLflow version
from results import Row, Target, from_json

HERE = Path(__file__).resolve().parent


def _quiet() -> None:
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")


def store(quick: bool) -> list[Row]:
    """Page queries and create_run on SqliteStore beside MLflow's SqlAlchemyStore, in process."""
    import bench_store

    runs = 5_000 if quick else 100_000
    folder = CACHE / f"store-{runs}"
    argv = ["--runs", str(runs), "--dir", str(folder)]
    argv += ["--repeat", "10", "--budget", "5"] if quick else []
    args = bench_store.parse(argv)
    rows, info = bench_store.benchmark(args, folder)
    size = f"{runs:,} runs (MLflow {info['mlflow_runs']:,})"
    return [Row("store, in process", label, size, ours, theirs) for label, ours, theirs in rows]


def log_metric(quick: bool) -> list[Row]:
    """B2: amortized ``log_metric`` cost in a loop; MLflow's synchronous call beside each."""
    import bench_log_metric

    rows = bench_log_metric.measure(10 if quick else 1)
    mlflow = next(r for r in rows if r[0] == "mlflow.log_metric (synchronous)")
    b2 = Target("p50", 20, "≤ 20 µs a call")
    return _per_call(quick) + [
        Row(
            "B2 log_metric",
            label,
            f"{steps:,} steps (MLflow {mlflow[1]:,})",
            (per_call, None),
            (mlflow[3], None),
            unit="µs/call",
            target=b2,
            note="whole loop ÷ calls; p99 and pauses not measured yet",
        )
        for label, steps, _, per_call in rows
        if label.startswith("jupyterlab-runs")
    ]


def _per_call(quick: bool) -> list[Row]:
    """B2's hot loop, 10 keys, each call timed: p50/p95, p99 and the longest pause."""
    import bench_log_metric
    from bench_store import percentiles

    steps, mlflow_steps = (10_000, 20) if quick else (100_000, 100)
    with tempfile.TemporaryDirectory() as folder:
        ours = bench_log_metric.per_call(steps, 10, Path(folder))
        theirs = bench_log_metric.per_call(mlflow_steps, 10, Path(folder), mlflow=True)
    size = f"10 keys × {steps:,} steps (MLflow × {mlflow_steps})"
    ordered = sorted(ours)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return [
        Row("B2 log_metric", "one call, timed alone", size, percentiles(ours),
            percentiles(theirs), unit="µs", target=Target("p50", 20)),
        Row("B2 log_metric", "p99 of a call", size, (p99, None), unit="µs",
            target=Target("p50", 1000, "p99 ≤ 1 ms")),
        Row("B2 log_metric", "longest call (a pause)", size, (ordered[-1] / 1000, None),
            (max(theirs) / 1000, None), target=Target("p50", 10, "≤ 10 ms")),
    ]  # fmt: skip


def mlflow_dropin(quick: bool) -> list[Row]:
    """The same MLflow calls into our store (plugin URI) and MLflow's SQLite store."""
    import bench_mlflow_dropin

    _quiet()
    import mlflow

    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # MLflow's SQLite store puts artifacts under ./mlruns
        uris = [f"jupyterlab-runs://{folder}/runs.db", f"sqlite:///{folder}/mlflow.db"]
        medians = bench_mlflow_dropin.measure(mlflow, uris, repeats)
    return [
        Row("MLflow drop-in", label, f"median of {repeats}", (o * 1000, None), (m * 1000, None))
        for (label, _), (o, m) in zip(bench_mlflow_dropin.CASES, medians, strict=True)
    ]


def _number(text: str) -> float | None:
    """The milliseconds of ``'1,234'`` or ``'1,234 (p95 2,345)'``; None for other text."""
    words = text.replace(",", "").rstrip(")").split()
    if len(words) not in (1, 3) or (len(words) == 3 and words[1] != "(p95"):
        return None
    try:
        return float(words[0])
    except ValueError:
        return None


def team_server(quick: bool) -> list[Row]:
    """MlflowStore beside MlflowClient on one real ``mlflow server`` (p50 of fresh stores),
    and the Runs panel opened on that server's experiment in JupyterLab/Chromium."""
    import bench_team_server

    _quiet()
    runs = 2_000 if quick else 100_000
    # MLflow's SQLite store sorts by a metric in O(runs²) (minutes at 100,000 runs, past the
    # 45-minute budget), so the metric-ordered cases run at the quick size only.
    table = bench_team_server.bench(runs, 3 if quick else 5, 0.25 if quick else 2, quick)
    rows = []
    for label, ours, theirs in table:  # bench() returns its figures as text
        p50 = _number(ours)
        p95 = _number(ours.split("p95 ")[1]) if p50 is not None and "p95 " in ours else None
        mlflow = None if theirs == "—" else (_number(theirs), None)
        target, met = _team_target(label, p50, mlflow)
        rows.append(
            Row(
                "MLflow team server",
                label if p50 is not None else f"{label}: {ours}",
                f"{runs:,} runs",
                None if p50 is None else (p50, p95),
                mlflow,
                target=target,
                met=met,
            )
        )
    return rows


def _team_target(
    label: str, p50: float | None, mlflow: tuple[float | None, None] | None
) -> tuple[Target | None, bool | None]:
    """Issue #11's target for a team-server row, and whether it was met (None: judged later
    by the limit alone)."""
    import bench_team_server

    if label.startswith(bench_team_server.PANEL_OPENED):
        return Target("p50", 1500), None
    if label.startswith(bench_team_server.OR_FILTER):
        return Target("p50", 2000), None
    if label.startswith("first page"):  # ≤ 2× MlflowClient in the same run, and ≤ 1 s
        target = Target("p50", 1000, "≤ 2× MLflow, ≤ 1 s")
        theirs = mlflow[0] if mlflow else None
        met = p50 is not None and theirs is not None and p50 <= min(2 * theirs, 1000)
        return target, met
    return None, None


def ui_table(quick: bool) -> list[Row]:
    """B6/B7: the runs table in Chromium and its page queries over HTTP beside MLflow's; the
    store is bulk-seeded once (ui_table_seed.py) and cached."""
    import ui_table_bench

    runs, mlflow_runs = (20_000, 5_000) if quick else (1_000_000, 100_000)
    folder = CACHE / f"ui-table-{runs}"
    argv = ["--runs", str(runs), "--mlflow-runs", str(mlflow_runs), "--dir", str(folder)]
    if quick:
        argv += ["--repeat", "10", "--budget", "5", "--repeat-browser", "3", "--sorts", "3"]
        argv += ["--scroll-rows", "2000"]
    else:
        argv += ["--repeat", "15", "--budget", "10"]
    figures = ui_table_bench.benchmark(ui_table_bench.parse(argv), folder)
    size = f"{runs:,} runs"
    rows = []
    for where, label, ours, theirs in figures["rows"]:
        slow = theirs is not None and isinstance(theirs[0], str)  # MLflow past its timeout
        note = f"MLflow {theirs[0]}" if slow else ""
        if theirs is None:
            note = f"past MLflow's {mlflow_runs:,} runs"
        rows.append(
            Row(
                f"B6 runs page, {'REST' if where == 'HTTP' else 'in process'}",
                label,
                f"{size} (MLflow {mlflow_runs:,})",
                ours,
                None if slow else theirs,
                target=Target("p50", 50) if where == "HTTP" else None,
                note=note,
            )
        )
    browser = figures["browser"]
    opened, sorts = browser["open"], browser["sort"]
    scroll = browser["scroll"]
    rows += [
        Row("B7 runs table", "open → first page painted, first time", size, (opened[0], None),
            target=Target("p50", 300)),
        Row("B7 runs table", "open → first page painted, again", size, _p50_p95(opened[1:]),
            target=Target("p50", 300)),
        Row("B7 runs table", "click metric header → repainted", size, _p50_p95(sorts),
            target=Target("p50", 200)),
        *[
            Row("B7 runs table", f"drag the scrollbar to a far row ({order}) → its data", size,
                _p50_p95([jump["ms"] for jump in jumps]), target=Target("p50", 300),
                note="rows " + ", ".join(f"{jump['row']:,}" for jump in jumps))
            for order, jumps in browser["jumps"].items()
        ],
        Row("B7 runs table", "DOM nodes of the table (most after a jump)", size,
            (browser["domNodes"], browser["domNodes"]), unit="nodes",
            target=Target("p50", 2000)),
        Row("B7 runs table", "scrolling: long tasks", size,
            (scroll["longTasks"], scroll["longTasks"]), unit="tasks", target=Target("p50", 0),
            note=f"longest {scroll['longestTask']:.0f} ms" if scroll["longTasks"] else ""),
        Row("B7 runs table", "rows in the DOM while scrolling", size,
            (scroll["domRows"], scroll["domRows"]), unit="rows",
            note=f"{scroll['domCells']} cells"),
    ]  # fmt: skip
    return rows


def points(quick: bool) -> list[Row]:
    """B12: metric points at scale — bytes per point on disk, one 10,000-step history."""
    import bench_points

    runs = 100 if quick else 1000
    figures = bench_points.benchmark(runs, CACHE / f"points-{runs}")
    (ours_bytes, theirs_bytes), (ours_read, theirs_read) = figures.values()
    size = f"{runs * bench_points.STEPS:,} points"
    return [
        Row("B12 metric points", "bytes on disk per point", size, (ours_bytes, None),
            (theirs_bytes, None), unit="bytes", target=Target("p50", 24)),
        Row("B12 metric points", "read one 10,000-step history", size, ours_read, theirs_read,
            target=Target("p50", 20)),
    ]  # fmt: skip


def log_run(quick: bool) -> list[Row]:
    """B1: one whole run (100 params, 100 metrics, 1,000 steps, 10 tags, 50 KB of code)
    through the Python API and one ``POST runs``, beside MLflow's fluent API."""
    import bench_log_run

    _quiet()
    repeat, mlflow_repeat = (10, 3) if quick else (30, 10)
    times = bench_log_run.benchmark(repeat, mlflow_repeat)
    size = f"{repeat} runs (MLflow {mlflow_repeat})"
    return [
        Row("B1 log one run", "Python API, start_run → committed (50 KB cell)", size,
            _p50_p95(times["api"]), _p50_p95(times["mlflow_api"]), target=Target("p50", 10),
            note="MLflow: fluent API, the 1,000 steps in one log_batch, code via log_text"),
        Row("B1 log one run", "REST: POST runs → stored run returned", size,
            _p50_p95(times["rest"]), target=Target("p50", 30)),
    ]  # fmt: skip


def concurrency(quick: bool) -> list[Row]:
    """B4: writer processes logging runs into one store at once, a reader polling it."""
    import bench_concurrency

    _quiet()
    procs, runs, mlflow_runs = (4, 50, 1) if quick else (8, 250, 3)
    figures = bench_concurrency.benchmark(procs, runs, mlflow_runs)
    ours, theirs = figures["ours"], figures["mlflow"]
    shape = f"{bench_concurrency.PARAMS} params, {bench_concurrency.METRICS} metrics × "
    shape += f"{bench_concurrency.STEPS} steps"
    size = f"{procs} × {runs} runs (MLflow {procs} × {mlflow_runs}), {shape}"
    rate = ours["runs"] / ours["seconds"]
    theirs_rate = theirs["runs"] / theirs["seconds"]
    bad = ours["lost"] + ours["duplicate_versions"] + ours["gaps"] + ours["incomplete"]
    check = (
        f"lost {ours['lost']}, duplicate versions {ours['duplicate_versions']}, "
        f"gaps {ours['gaps']}, incomplete {ours['incomplete']}; MLflow lost {theirs['lost']}"
    )
    return [
        Row("B4 concurrent writers", "aggregate runs per second", size, (rate, None),
            (theirs_rate, None), unit="runs/s", met=rate >= 300,
            target=Target("p50", 300, "≥ 300 runs/s")),
        Row("B4 concurrent writers", "reader: first page every 500 ms, in process", size,
            _p50_p95(ours["reader"]), _p50_p95(theirs["reader"]),
            target=Target("p95", 50)),
        Row("B4 concurrent writers", "runs lost, duplicate or incomplete", size,
            (bad, bad), (theirs["lost"], theirs["lost"]), unit="runs",
            target=Target("p50", 0), note=check),
    ]  # fmt: skip


def _p50_p95(values: list[float]) -> tuple[float, float] | None:
    from bench_store import percentiles

    return percentiles(values) if values else None


def import_time(quick: bool) -> list[Row]:
    """B11: ``import jupyterlab_runs`` in a fresh interpreter, the first log after it, the
    first run written to an existing store, and ``%load_ext``, beside MLflow's (fresh
    processes, same machine)."""
    # MLflow's fresh processes take ~2 s each (its import, its schema): fewer in --quick.
    repeats, mlflow_repeats = (5, 3) if quick else (15, 15)
    ours_script = (
        "import os, time, tempfile; d = tempfile.mkdtemp();"
        "os.environ['JUPYTERLAB_RUNS_URI'] = 'sqlite:///' + d + '/runs.db';"
        "t = time.perf_counter(); import jupyterlab_runs as jr; i = time.perf_counter();"
        "jr.log_metric('m', 1.0); l = time.perf_counter();"
        "print((i - t) * 1000, (l - i) * 1000)"
    )
    theirs_script = (
        "import os, time, tempfile; d = tempfile.mkdtemp(); os.chdir(d);"
        "t = time.perf_counter(); import mlflow; i = time.perf_counter();"
        "mlflow.set_tracking_uri('sqlite:///' + d + '/mlflow.db');"
        "mlflow.log_metric('m', 1.0); l = time.perf_counter();"
        "print((i - t) * 1000, (l - i) * 1000)"
    )
    ours = _fresh_processes(ours_script, repeats)
    theirs = _fresh_processes(theirs_script, mlflow_repeats)
    written, theirs_written = _first_run_written(repeats, mlflow_repeats)
    # MLflow has no IPython extension; the row stands alone.
    load_ext = _fresh_processes(
        "import time; from IPython.core.interactiveshell import InteractiveShell;"
        "shell = InteractiveShell.instance(); t = time.perf_counter();"
        "shell.run_line_magic('load_ext', 'jupyterlab_runs');"
        "print(0, (time.perf_counter() - t) * 1000)",
        repeats,
    )[1]
    size = f"{repeats} fresh processes" + (
        f" (MLflow {mlflow_repeats})" if mlflow_repeats != repeats else ""
    )
    return [
        Row("B11 import", "import jupyterlab_runs (MLflow: import mlflow)", size,
            _p50_p95(ours[0]), _p50_p95(theirs[0]), target=Target("p50", 150)),
        Row("B11 import", "first log_metric after the import", size,
            _p50_p95(ours[1]), _p50_p95(theirs[1]), target=Target("p50", 50),
            note="ours: an implicit run, saved when the cell ends (at exit in a script); "
            "MLflow's first log creates its schema"),
        Row("B11 import", "first run written after the import (start_run, log_metric, end)",
            f"{size}, existing store", _p50_p95(written), _p50_p95(theirs_written),
            target=Target("p50", 50), note="committed when end_run returns"),
        Row("B11 import", "%load_ext jupyterlab_runs in a started IPython shell",
            f"{repeats} fresh processes",
            _p50_p95(load_ext), target=Target("p50", 200)),
    ]  # fmt: skip


def _first_run_written(repeats: int, mlflow_repeats: int) -> tuple[list[float], list[float]]:
    """Milliseconds from the import to a run committed to a store that already exists (a
    project's second session), ours beside MLflow's SQLite store."""
    with tempfile.TemporaryDirectory(prefix="bench-b11-") as folder:
        ours_uri, theirs_uri = f"sqlite:///{folder}/runs.db", f"sqlite:///{folder}/mlflow.db"
        ours = (
            f"import os, time; os.environ['JUPYTERLAB_RUNS_URI'] = {ours_uri!r};"
            "t = time.perf_counter(); import jupyterlab_runs as jr; i = time.perf_counter();"
            "run = jr.start_run(); jr.log_metric('m', 1.0); jr.end_run();"
            "print((i - t) * 1000, (time.perf_counter() - i) * 1000)"
        )
        theirs = (
            f"import os, time; os.chdir({folder!r});"
            "t = time.perf_counter(); import mlflow; i = time.perf_counter();"
            f"mlflow.set_tracking_uri({theirs_uri!r});"
            "mlflow.start_run(); mlflow.log_metric('m', 1.0); mlflow.end_run();"
            "print((i - t) * 1000, (time.perf_counter() - i) * 1000)"
        )
        # The warm-up round of each creates its store; the timed rounds find it there.
        return _fresh_processes(ours, repeats)[1], _fresh_processes(theirs, mlflow_repeats)[1]


def _fresh_processes(script: str, repeats: int) -> tuple[list[float], list[float]]:
    """The two figures ``script`` prints, from ``repeats`` new interpreters after a warm-up
    one (so the file-system cache is warm for both libraries alike)."""
    env = {**os.environ, "MLFLOW_LOGGING_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore"}
    # An installed package has its bytecode: let the warm-up round write what an edited
    # checkout lacks instead of compiling every changed module in each timed process.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    firsts, seconds = [], []
    for round_ in range(repeats + 1):
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        first, second = map(float, done.stdout.split()[-2:])
        if round_:
            firsts.append(first)
            seconds.append(second)
    return firsts, seconds


def _node(script: str, args: list[str]) -> list[Row]:
    """Run a Node benchmark with ``--json`` and read the rows it prints last. No timeout of
    its own: ``python -m bench`` stops the workload with everything it started (a timeout
    here killed node alone and left its data-side Python running)."""
    command = ["node", str(HERE / script), *args, "--json"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{script} exited {done.returncode}: {done.stderr[-2000:]}")
    rows = json.loads(done.stdout.strip().splitlines()[-1])["rows"]
    return [from_json(r) for r in rows]


def capture(quick: bool) -> list[Row]:
    """Capture: cell end → run committed in a real browser, beside MLflow's run logging."""
    return _node("capture.bench.js", ["--runs", "10" if quick else "40"])


def charts(quick: bool) -> list[Row]:
    """B8: inline charts drawn in Chromium, their data beside MLflow's, their saved size."""
    steps = "1000" if quick else "100000"  # history lines: 100 runs × steps
    return _node("charts.bench.js", ["--reps", "5" if quick else "7", "--steps", steps])


#: name → workload, in the order the table shows them.
WORKLOADS: dict[str, Callable[[bool], list[Row]]] = {
    "import": import_time,
    "log_run": log_run,
    "log_metric": log_metric,
    "capture": capture,
    "store": store,
    "concurrency": concurrency,
    "ui_table": ui_table,
    "charts": charts,
    "points": points,
    "mlflow_dropin": mlflow_dropin,
    "team_server": team_server,
}
