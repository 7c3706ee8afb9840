"""Benchmark: the main-area runs table at 1,000,000 runs, side by side with MLflow where comparable.

Seeds N runs × 50 params × 20 metrics into an embedded store (bulk rows of its own tables,
``ui_table_seed.py``) and runs with the same values into an MLflow SQLite database (bulk rows
of MLflow's own tables, as ``bench_store.py`` does; ``--mlflow-runs`` may make it smaller),
starts ``jupyter lab`` and ``mlflow server`` on 127.0.0.1, drives Debian's Chromium
(``bench/ui_table_browser.js``) and prints one table:

- browser: ``open-table`` → first page painted; re-sort by a metric → repainted; the
  scrollbar dragged to far rows → that row's data painted; long tasks while scrolling;
- server: the page queries of ``ui_table_cases.py`` (B6), timed in Python against each store
  and over HTTP (our ``GET runs`` and MLflow's ``POST runs/search``).

    .venv/bin/python bench/ui_table_bench.py --dir bench/.cache/ui-table-1000000
    .venv/bin/python bench/ui_table_bench.py --runs 5000          # smoke run
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import ui_table_cases as cases  # noqa: E402
from bench_store import measure, percentiles, seed_mlflow  # noqa: E402
from ui_table_seed import seed_bulk  # noqa: E402

from jupyterlab_runs.store import SqliteStore  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{what} did not start within {timeout:g} s")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a server in its own process group (so stop() ends it and its children)."""
    handle = log.open("wb")
    return subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def http_bytes(
    url: str, body: dict | None = None, token: str | None = None, timeout: float = 60
) -> bytes:
    """The response body of a GET (or a JSON POST when ``body`` is given), unparsed."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def start_lab(folder: Path, store_path: Path) -> tuple[subprocess.Popen, str, str]:
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_RUNS_URI": f"sqlite:///{store_path}"}
    # A fresh workspace each time: no table restored from an earlier run.
    shutil.rmtree(folder / "workspaces", ignore_errors=True)
    for sub in ("root", "settings", "workspaces"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={folder / 'root'}",
        f"--LabApp.user_settings_dir={folder / 'settings'}",
        f"--LabApp.workspaces_dir={folder / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.allow_root=True",
    ]
    process = start(command, env, folder / "lab.log")
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: bool(http_bytes(f"{url}/api/status", token=token)), 120, "jupyter lab")
    return process, url, token


def start_mlflow(folder: Path, db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "mlflow"),
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--backend-store-uri",
        f"sqlite:///{db}",
        "--default-artifact-root",
        str(folder / "mlflow-artifacts"),
        "--workers",
        "1",
    ]
    process = start(command, dict(os.environ), folder / "mlflow.log")
    url = f"http://127.0.0.1:{port}"
    wait_until(
        lambda: urllib.request.urlopen(f"{url}/health", timeout=5).status == 200,
        180,
        "mlflow server",
    )
    return process, url


def run_browser(url: str, token: str, experiment_id: str, args) -> dict:
    options = {
        "url": url,
        "token": token,
        "experimentId": experiment_id,
        "repeat": args.repeat_browser,
        "sorts": args.sorts,
        "scrollRows": min(args.scroll_rows, args.runs),
        "scrollStep": args.scroll_step,
        "jumps": jump_rows(args.runs),
    }
    node = shutil.which("node") or "node"
    output = subprocess.run(
        [node, str(HERE / "ui_table_browser.js"), json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if output.returncode != 0:
        raise RuntimeError(f"the browser run failed:\n{output.stderr}")
    return json.loads(output.stdout)


def jump_rows(runs: int) -> list[int]:
    """Rows the scrollbar is dragged to, far apart (90 % of the way down first)."""
    return [runs * k // 100 for k in (90, 45, 99, 20, 70, 5, 60)]


def too_slow(args) -> tuple[str, str]:
    return (f"> {args.mlflow_timeout:g} s", "—")


def mlflow_store_cases(db: Path, experiment: str, jobs: list[tuple], args) -> list[tuple]:
    """MLflow's SqlAlchemyStore.search_runs for each (case, token) of ``jobs``, one child
    process timing them in turn (MLflow is imported and its store opened once); a case past
    --mlflow-timeout (its metric sort can run for many minutes at 100,000 runs) stops the child
    and the cases after it go to a new one."""
    results: list[tuple] = []
    while len(results) < len(jobs):
        todo = [
            {"case": cases.to_json(case), "token": token} for case, token in jobs[len(results) :]
        ]
        job = {"db": str(db), "experiment": experiment, "cases": todo}
        job |= {"repeat": args.repeat, "budget": args.budget}
        # stderr to a file: a child blocked on a full pipe would pass for a slow case.
        errors = tempfile.TemporaryFile("w+")
        child = subprocess.Popen(
            [sys.executable, __file__, "--mlflow-cases", json.dumps(job)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            for _ in todo:
                ready, _, _ = select.select([child.stdout], [], [], args.mlflow_timeout)
                line = child.stdout.readline() if ready else None
                if line is None:  # past the timeout: this case is too slow, the rest go on
                    results.append(too_slow(args))
                    break
                if not line:
                    child.wait()
                    errors.seek(0)
                    raise RuntimeError(f"timing MLflow failed:\n{errors.read()}")
                results.append(tuple(json.loads(line)))
        finally:
            child.kill()
            child.wait()
            child.stdout.close()
            errors.close()
    return results


def run_mlflow_cases(job: dict) -> None:
    """The child side of mlflow_store_cases: prints [p50, p95] of each case, a line each."""
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    db = Path(job["db"])
    store = SqlAlchemyStore(f"sqlite:///{db}", str(db.parent / "mlflow-artifacts"))
    for item in job["cases"]:
        case = cases.from_json(item["case"])
        action = cases.mlflow_in_process(store, job["experiment"], case, item["token"])
        print(json.dumps(percentiles(measure(action, job["repeat"], job["budget"]))), flush=True)


def median_p95(values: list[float]) -> tuple[float, float]:
    return percentiles(values) if values else (float("nan"), float("nan"))


def benchmark(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    """Seed (or reuse) the stores, time the server cases and drive Chromium: the figures
    ``print_table`` shows."""
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(
        f"seeding {args.runs:,} runs × {args.params} params × {args.metrics} metrics",
        file=sys.stderr,
    )
    store_path = folder / "ours" / "runs.db"
    experiment_id, ours_seed = seed_bulk(store_path, args.runs, args.params, args.metrics)
    ours = SqliteStore(store_path)  # opening applies any newer migration before timing
    mlflow_runs = args.mlflow_runs or args.runs
    mlflow_db = folder / "mlflow" / "mlflow.db"
    _, theirs_experiment, _ = seed_mlflow(mlflow_db, mlflow_runs, args.params, args.metrics, False)
    the_cases = cases.cases(args.runs)
    tokens = [cases.mlflow_token(case, mlflow_runs) for case in the_cases]

    rows: list[tuple[str, str, tuple[float, float], tuple | None]] = []

    def timed(action: Callable[[], object]) -> tuple[float, float]:
        return percentiles(measure(action, args.repeat, args.budget))

    # -- the page queries the table sends, in Python against each store ------------------
    print("  timing the stores in Python", file=sys.stderr, flush=True)
    comparable = [(c, t) for c, t in zip(the_cases, tokens, strict=True) if t is not False]
    theirs = iter(mlflow_store_cases(mlflow_db, theirs_experiment, comparable, args))
    for case, theirs_token in zip(the_cases, tokens, strict=True):
        mine = timed(cases.ours_in_process(ours, experiment_id, case))
        rows.append(("store", case.label, mine, None if theirs_token is False else next(theirs)))
    ours.close()

    # -- the same over HTTP ----------------------------------------------------------------
    lab, url, token = start_lab(folder, store_path)
    mlflow_server = None
    try:
        if not args.no_mlflow_server:
            mlflow_server, mlflow_url = start_mlflow(folder, mlflow_db)
        print("  timing REST", file=sys.stderr, flush=True)

        def ours_get(query: list) -> bytes:
            return http_bytes(cases.ours_url(url, query), token=token)

        for case, theirs_token in zip(the_cases, tokens, strict=True):
            mine = timed(cases.ours_rest(ours_get, experiment_id, case))
            other = None
            if mlflow_server and theirs_token is not False:
                body = cases.mlflow_body(theirs_experiment, case, theirs_token)
                try:
                    other = timed(
                        lambda b=body: http_bytes(
                            f"{mlflow_url}{cases.SEARCH}", b, timeout=args.mlflow_timeout
                        )
                    )
                except (TimeoutError, urllib.error.URLError):
                    other = too_slow(args)
            rows.append(("HTTP", case.label, mine, other))
        if mlflow_server:
            stop(mlflow_server)  # free the CPU for the browser
            mlflow_server = None

        print("  driving Chromium", file=sys.stderr, flush=True)
        browser = run_browser(url, token, experiment_id, args)
        for jump in browser["jumps"]["version DESC"]:
            if jump["version"] != args.runs - jump["row"]:  # v1..vN, newest first
                raise RuntimeError(f"row {jump['row']:,} showed v{jump['version']}")
    finally:
        if mlflow_server:
            stop(mlflow_server)
        stop(lab)
    return dict(mlflow_runs=mlflow_runs, ours_seed=ours_seed, rows=rows, browser=browser)


def print_table(args, mlflow_runs, ours_seed, rows, browser) -> None:
    import mlflow

    scroll = browser["scroll"]
    print()
    print(
        f"Runs table at {args.runs:,} runs × {args.params} params × {args.metrics} metrics "
        f"(MLflow {mlflow.__version__}: {mlflow_runs:,} runs, same values); times in ms"
    )
    header = ("where", "operation", "ours p50", "ours p95", "MLflow p50", "MLflow p95", "target")
    print(f"{header[0]:<9}{header[1]:<52}" + "".join(f"{h:>11}" for h in header[2:]))

    def line(where: str, label: str, values: tuple, theirs: tuple | None = None, target=""):
        cells = [*values, *(theirs or ("—", "—")), target]
        text = [c if isinstance(c, str) else f"{c:.1f}" for c in cells]
        print(f"{where:<9}{label:<52}" + "".join(f"{t:>11}" for t in text))

    first_open, reopen = browser["open"][0], browser["open"][1:]
    line(
        "browser",
        "open-table → first page painted, first time",
        (first_open, "—"),
        None,
        "≤ 300",
    )
    line(
        "browser",
        f"open-table → first page painted, again (n={len(reopen)})",
        median_p95(reopen),
        None,
        "≤ 300",
    )
    line(
        "browser",
        f"click metric header → repainted (n={len(browser['sort'])})",
        median_p95(browser["sort"]),
        None,
        "≤ 200",
    )
    line(
        "browser",
        f"its runs requests ({cases.FIRST}/{cases.PAGE} runs): time to 1st byte",
        median_p95(browser["requests"]),
    )
    for where, label, ours, theirs in rows:
        line(where, label, ours, theirs, "≤ 50" if where == "HTTP" else "")
    for order, jumps in browser["jumps"].items():
        line(
            "browser",
            f"drag scrollbar to a far row ({order}, n={len(jumps)}) → its data",
            median_p95([jump["ms"] for jump in jumps]),
            None,
            "≤ 300",
        )
    line(
        "browser",
        "DOM nodes of the table after the jumps (max)",
        (f"{browser['domNodes']}", "—"),
        None,
        "≤ 2000",
    )
    rows_label = f"scroll {min(args.scroll_rows, args.runs):,} rows"
    line(
        "browser",
        f"{rows_label} ({args.scroll_step}/frame): long tasks, longest",
        (f"{scroll['longTasks']}", scroll["longestTask"]),
        None,
        "0",
    )
    line("browser", f"{rows_label}: frame time p95, max", (scroll["frameP95"], scroll["frameMax"]))
    line(
        "browser",
        "rows, cells in the DOM while scrolling",
        (f"{scroll['domRows']}", f"{scroll['domCells']}"),
    )
    line(
        "browser",
        "rows scrolled past before their page arrived",
        (f"{scroll['placeholderShare']:.0%}", "—"),
    )
    seed = "reused" if ours_seed != ours_seed else f"{ours_seed:,.0f} s"
    print(
        f"seeding: {seed} (bulk rows of the store's tables, ui_table_seed.py); MLflow seeded by "
        "bulk rows of its own tables; MLflow has no equivalent of the browser rows (—)"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options (``python -m bench`` passes its own sizes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--mlflow-runs", type=int, help="runs seeded into MLflow (default --runs)")
    parser.add_argument("--params", type=int, default=50)
    parser.add_argument("--metrics", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per server case")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per server case")
    parser.add_argument("--repeat-browser", type=int, default=6, help="table openings timed")
    parser.add_argument("--sorts", type=int, default=5, help="metric headers clicked")
    parser.add_argument("--scroll-rows", type=int, default=10_000)
    parser.add_argument("--scroll-step", type=int, default=25, help="rows scrolled per frame")
    parser.add_argument("--no-mlflow-server", action="store_true", help="skip MLflow's REST")
    parser.add_argument(
        "--mlflow-timeout", type=float, default=120, help="seconds an MLflow case may take"
    )
    parser.add_argument("--mlflow-cases", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help="keep the seeded stores here (reused next time)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the command line's options and print its table."""
    args = parse(argv)
    if args.mlflow_cases:
        run_mlflow_cases(json.loads(args.mlflow_cases))
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-ui-table-"))
    try:
        print_table(args, **benchmark(args, folder))
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
