"""Benchmark: the MLflow back end (MlflowStore) against MlflowClient on one real `mlflow server`.

Seeds one experiment of N runs (20 params, 10 metrics, as jupyterlab-runs logs them: version
tags and the version ledger) straight into the SQLite schema MLflow's migrations create —
logging 100,000 runs through the REST API would take hours — caches that database and starts
`mlflow server` on a copy, on 127.0.0.1. Then, in one process, times what the panel asks for
beside MlflowClient.search_runs on the same server (p50 of fresh store instances, so nothing is
cached), times opening the Runs panel on that experiment in JupyterLab and Chromium
(team_panel.bench.js), and counts the requests and runs the server returns while a panel
stays open.

    .venv/bin/python bench/bench_team_server.py --runs 10000 100000
    .venv/bin/python bench/bench_team_server.py --runs 2000 --poll-minutes 1     # a smoke run
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]

from bench_store import bulk_insert, mlflow_rows, percentiles  # noqa: E402
from mlflow_fixtures import _healthy, _stop, free_port  # noqa: E402

from jupyterlab_runs.store import NewRun  # noqa: E402
from jupyterlab_runs.store.mlflow.mapping import version_tags  # noqa: E402
from jupyterlab_runs.store.mlflow.store import MlflowStore  # noqa: E402
from jupyterlab_runs.store.mlflow.versions import (  # noqa: E402
    LEDGER_EXPERIMENT,
    TAG_LEDGER_FOR,
    TAG_REGISTRY,
)

PARAMS, METRICS, PAGE = 20, 10, 50
OR_FILTER = "params.p1 = 'w3' or params.p3 = 'w5'"
CACHE = Path(tempfile.gettempdir()) / "jupyterlab-runs-bench"
PANEL_OPENED = "Runs panel (Chromium): experiment chosen → first row"


def seed(path: Path, runs: int) -> str:
    """An MLflow database with one experiment "bench" of ``runs`` runs; its experiment id."""
    from mlflow.entities import ExperimentTag, Param, RunTag
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    store = SqlAlchemyStore(f"sqlite:///{path}", str(path.parent / "artifacts"))
    experiment_id = store.create_experiment("bench")
    ledger_experiment = store.create_experiment(LEDGER_EXPERIMENT)
    registry = store.create_run(ledger_experiment, "bench", 0, [], "registry").info.run_id
    ledger = store.create_run(ledger_experiment, "bench", 0, [], "ledger").info.run_id
    store.set_experiment_tag(ledger_experiment, ExperimentTag(TAG_REGISTRY, registry))
    store.log_param(registry, Param(experiment_id, ledger))
    store.set_tag(ledger, RunTag(TAG_LEDGER_FOR, experiment_id))

    def rows(i: int) -> dict[str, list[dict]]:
        """Run i as jupyterlab-runs logs it: its version tags, and its claim in the ledger."""
        found = mlflow_rows(int(experiment_id), i, PARAMS, METRICS)
        run_id = found["runs"][0]["run_uuid"]
        found["tags"] += [
            dict(key=k, value=v, run_uuid=run_id) for k, v in version_tags(i + 1).items()
        ]
        found["params"].append(dict(key=str(i + 1), value=run_id, run_uuid=ledger))
        return found

    bulk_insert(store, runs, rows)
    store.engine.dispose()
    return experiment_id


def start_server(database: Path) -> tuple[subprocess.Popen, str]:
    """`mlflow server` on the database, on 127.0.0.1, once it answers /health."""
    port = free_port()
    command = [
        sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{database}",
        "--artifacts-destination", str(database.parent / "artifacts"), "--workers", "1",
    ]  # fmt: skip
    log = open(database.parent / "server.log", "wb")  # noqa: SIM115 (lives with the server)
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while not _healthy(url):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"mlflow server did not start; see {database.parent / 'server.log'}")
        time.sleep(0.5)
    return server, url


def timed(ours, theirs, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """p50 and p95 milliseconds of ``repeat`` calls of each action (after one warm-up call
    each), the two taking turns so that both meet the same load on a shared machine."""
    ours(), theirs()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for action, found in zip((ours, theirs), times, strict=True):
            started = time.perf_counter()
            action()
            found.append((time.perf_counter() - started) * 1000)
    return percentiles(times[0]), percentiles(times[1])


class Counter:
    """Requests a store sends to MLflow and the runs MLflow returns to it."""

    def __init__(self, store: MlflowStore):
        self.requests = self.rows = 0
        post, get = store.rest.post, store.rest.get

        def counted_post(endpoint, body):
            reply = post(endpoint, body)
            self.requests += 1
            self.rows += len(reply.get("runs", []))
            return reply

        def counted_get(endpoint, **query):
            self.requests += 1
            return get(endpoint, **query)

        store.rest.post, store.rest.get = counted_post, counted_get


def panel_left_open(url: str, experiment_id: str, minutes: float) -> dict[str, float]:
    """A panel polling `changes` once a second for ``minutes`` (run without waiting), one run
    logged per minute by another writer, the panel reloading its first page after each."""
    server_side = MlflowStore(url, poll_interval=0)
    writer = MlflowStore(url)
    counter = Counter(server_side)
    cursor, _ = server_side.changes(0)
    polls, logged = int(minutes * 60), 0
    started = time.perf_counter()
    for second in range(polls):
        if second % 60 == 30:
            writer.create_run(NewRun(experiment_id, params=[], metrics=[]))
            logged += 1
        cursor, changes = server_side.changes(cursor)
        if changes:
            server_side.search_runs([experiment_id], max_results=PAGE, summary=True)
    elapsed = time.perf_counter() - started
    return {
        "polls": polls,
        "logged": logged,
        "requests": counter.requests,
        "rows": counter.rows,
        "ms per poll": elapsed * 1000 / polls,
    }


def panel_in_browser(url: str, repeat: int) -> dict[str, float]:
    """Opening the Runs panel on the "bench" experiment of the MLflow server at ``url`` in
    JupyterLab and Chromium (team_panel.bench.js): ms to its first row, the first time and
    again (p50, p95)."""
    options = {"uri": url, "experiment": "bench", "other": "Default", "repeat": repeat}
    done = subprocess.run(
        ["node", str(HERE / "team_panel.bench.js"), json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if done.returncode != 0:
        raise RuntimeError(f"team_panel.bench.js exited {done.returncode}: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"first": figures["first"], "again": percentiles(figures["again"])}


def bench(
    runs: int, repeat: int, minutes: float, by_metric: bool, browser: bool = True
) -> list[tuple[str, str, str]]:
    """The table rows for one experiment size."""
    from mlflow import MlflowClient

    cached = CACHE / f"team-{runs}.db"
    if not (cached.exists() and (CACHE / f"team-{runs}.id").exists()):
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.unlink(missing_ok=True)
        (CACHE / f"team-{runs}.id").write_text(seed(cached, runs))
    experiment_id = (CACHE / f"team-{runs}.id").read_text()
    work = Path(tempfile.mkdtemp(prefix="jlr-team-bench-"))
    database = work / "mlflow.db"
    shutil.copy(cached, database)
    server, url = start_server(database)
    try:
        client = MlflowClient(tracking_uri=url)

        def ours(filter: str = "", order_by: tuple = ()):
            store = MlflowStore(url)  # fresh: no ledger, no cache
            page = store.search_runs([experiment_id], filter, list(order_by), PAGE, summary=True)
            store.close()
            return page

        def theirs(filter: str = "", order_by: tuple = ()):
            return client.search_runs([experiment_id], filter, max_results=PAGE, order_by=order_by)

        first = ours()
        assert len(first.items) == PAGE and first.items[0].version == runs, first.items[0]
        cases = [("first page, default order", ours, theirs)]
        if by_metric:  # MLflow's SQLite store sorts by a metric in O(runs²): minutes at 100,000
            m0 = ("metrics.m0 DESC",)
            cases += [
                (
                    "first page by metrics.m0 DESC",
                    lambda: ours(order_by=m0),
                    lambda: theirs(order_by=m0),
                ),
                (
                    f"{OR_FILTER}, by m0 (MLflow: p1 only)",
                    lambda: ours(OR_FILTER, m0),
                    lambda: theirs("params.p1 = 'w3'", m0),
                ),
            ]
        cases += [
            (
                f"{OR_FILTER} (MLflow: p1 only)",
                lambda: ours(OR_FILTER),
                lambda: theirs("params.p1 = 'w3'"),
            ),
            (
                "v1 by version (a fresh store)",
                lambda: MlflowStore(url).get_run_by_version(experiment_id, 1),
                lambda: client.get_run(uuid.UUID(int=1).hex),
            ),
        ]
        rows = [(label, *timed(mine, others, repeat)) for label, mine, others in cases]
        panel = panel_in_browser(url, repeat) if browser else None
        ledger = MlflowStore(url).ledger
        started = time.perf_counter()
        ledger.read(experiment_id)
        ledger_ms = (time.perf_counter() - started) * 1000
        open_panel = panel_left_open(url, experiment_id, minutes)
    finally:
        _stop(server)
        shutil.rmtree(work, ignore_errors=True)
    table = [(label, f"{a[0]:,.0f} (p95 {a[1]:,.0f})", f"{b[0]:,.0f}") for label, a, b in rows]
    if panel is not None:
        again = panel["again"]
        table += [
            (f"{PANEL_OPENED}, first time", f"{panel['first']:,.0f}", "—"),
            (f"{PANEL_OPENED}, again", f"{again[0]:,.0f} (p95 {again[1]:,.0f})", "—"),
        ]
    table.append(("reading the version ledger once (claims only)", f"{ledger_ms:,.0f}", "—"))
    per_minute = {k: v / minutes for k, v in open_panel.items() if k in ("requests", "rows")}
    table.append(
        (
            f"panel open {minutes:g} min, 1 poll/s, 1 new run/min",
            f"{per_minute['requests']:,.0f} requests/min, {per_minute['rows']:,.0f} runs/min "
            f"returned ({open_panel['ms per poll']:.0f} ms/poll)",
            "—",
        )
    )
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per case")
    parser.add_argument("--poll-minutes", type=float, default=2, help="panel time simulated")
    parser.add_argument(
        "--no-metric-order", action="store_true", help="skip the cases sorted by a metric"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the Runs panel in JupyterLab/Chromium"
    )
    args = parser.parse_args(argv)
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    import mlflow

    for runs in args.runs:
        table = bench(
            runs, args.repeat, args.poll_minutes, not args.no_metric_order, not args.no_browser
        )
        print(f"\n{runs:,} runs in one experiment ({PARAMS} params, {METRICS} metrics); "
              f"mlflow server {mlflow.__version__}, SQLite, 127.0.0.1; ms, p50")  # fmt: skip
        print(f"| {'query (first page of 50)':<52} | {'MlflowStore':<58} | MlflowClient |")
        print(f"|{'-' * 54}|{'-' * 60}|--------------|")
        for label, mine, theirs in table:
            print(f"| {label:<52} | {mine:<58} | {theirs:>12} |")


if __name__ == "__main__":
    main()
