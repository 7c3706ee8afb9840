"""``python -m bench``: every workload for jupyterlab-runs and MLflow, one table, one JSON.

Each workload runs in its own interpreter (imports, tracking URIs and caches of one never
leak into the next) on the same machine in the same run, within a time budget: past it the
workload and every process it started are stopped and it leaves a "did not run" row, so
``--quick`` ends within 5 minutes and the full run within 45. ``bench/results/latest.json``
is rewritten after every workload, so a run cut off keeps what finished. Seeded stores are
kept in ``bench/.cache/`` for the next run (a stopped workload's new seeds are dropped). The
table goes to stdout, progress and each workload's time to stderr; ``python
bench/readme_table.py`` copies the JSON into the README.

    python -m bench --quick                  # small sizes, ≤ 5 minutes
    python -m bench                          # full sizes, ≤ 45 minutes
    python -m bench --only store,charts      # some workloads
    python -m bench --budget charts=900      # one workload's budget, in seconds
    python -m bench --no-budget              # no limits: a first run seeding full-size stores
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

import cache  # noqa: E402
from results import RESULTS, failed, from_json, table, to_json, write  # noqa: E402

#: Seconds the whole run may take: ``--quick`` and full.
TOTAL = {"quick": 300, "full": 2700}
#: Seconds of the run kept for each workload (quick, full). Quick: each workload's time in an
#: unbudgeted --quick run on a quiet 2-core machine (273 s in all, 14:40 UTC 2026-12-04) plus
#: ~6 %, together at most ``TOTAL`` less ``STOP_GRACE``; full: in proportion to an unbudgeted
#: --quick run on the loaded machine (1,617 s in all, 21:07 UTC). A workload may use what is
#: left of the run but the reserves of the ones after it, so time one leaves unused passes on.
BUDGETS = {
    "import": (26, 200),
    "log_run": (8, 120),
    "log_metric": (13, 150),
    "capture": (18, 150),
    "store": (29, 300),
    "concurrency": (11, 200),
    "ui_table": (72, 450),
    "charts": (42, 450),
    "points": (10, 250),
    "mlflow_dropin": (31, 200),
    "team_server": (30, 230),
}
#: The reserve of a workload not in ``BUDGETS``.
DEFAULT_BUDGET = (20, 200)
#: A workload is not started with fewer seconds than this left in the run.
MIN_START = 5.0
#: Seconds kept back from the run for stopping a workload past its budget (see ``_stop``).
STOP_GRACE = 10.0


def workloads(path: Path | None) -> dict[str, Callable[[bool], list]]:
    """The workloads of ``bench/workloads.py``, or of the Python file ``path``."""
    if path is None:
        from workloads import WORKLOADS

        return WORKLOADS
    spec = importlib.util.spec_from_file_location("bench_trial_workloads", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WORKLOADS


def child(work: Callable[[bool], list], quick: bool, out: Path) -> None:
    """Run one workload in this process and write its rows to ``out``."""
    out.write_text(json.dumps([to_json(r) for r in work(quick)]))


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` now, from /proc (servers a workload starts in sessions of
    their own are outside its process group, but still its descendants)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command may hold spaces and parentheses: the fields after the last ")".
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _stop(process: subprocess.Popen) -> None:
    """End the workload and everything it started: its process group (browsers, Node) and
    any descendant that left it (a server in its own session), by process id."""
    below = _descendants(process.pid)
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        for kill, target in ((os.killpg, process.pid), *((os.kill, pid) for pid in below)):
            try:
                kill(target, sig)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            process.wait(wait)
            if sig == signal.SIGKILL or not any(map(_alive, below)):
                break
        except subprocess.TimeoutExpired:
            continue
    process.wait()


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its reaper does not)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def run(name: str, quick: bool, budget: float, extra: list[str]) -> tuple[list, str]:
    """One workload in a fresh interpreter: its rows and how it ended (ok, failed, stopped)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        out = Path(folder) / "rows.json"
        command = [sys.executable, "-m", "bench", "--child", name, "--to", str(out), *extra]
        command += ["--quick"] if quick else []
        before = cache.seeds()
        process = subprocess.Popen(
            command, cwd=HERE.parent, stdout=sys.stderr, start_new_session=True
        )
        try:
            code = process.wait(budget)
        except BaseException as error:  # its budget, or the whole run interrupted
            _stop(process)
            for path in cache.drop_new(before):
                print(f"    dropped its partial seed {path}", file=sys.stderr)
            if not isinstance(error, subprocess.TimeoutExpired):
                raise
            return [failed(name, f"stopped at its budget of {budget:,.0f} s")], "stopped"
        if code != 0 or not out.exists():
            return [failed(name, f"exited {code}; its error is above")], "failed"
        return [from_json(r) for r in json.loads(out.read_text())], "ok"


def parse(argv: list[str] | None, names: list[str]) -> argparse.Namespace:
    """The command line; ``names`` are the known workloads."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (≤ 5 minutes)")
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(names)}")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument(
        "--budget", action="append", default=[], metavar="NAME=SECONDS",
        help="at most this long for a workload (repeatable)",
    )  # fmt: skip
    parser.add_argument("--no-budget", action="store_true", help="no time limits at all")
    parser.add_argument("--workloads", type=Path, help="a Python file defining WORKLOADS")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.names = args.only.split(",") if args.only else names
    unknown = sorted({*args.names, *(b.split("=")[0] for b in args.budget)} - set(names))
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(names)}")
    args.budgets = {}
    for item in args.budget:
        name, _, seconds = item.partition("=")
        try:
            args.budgets[name] = float(seconds)
        except ValueError:
            parser.error(f"--budget {item}: seconds must be a number")
    return args


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> None:
    """Run the chosen workloads, print the table and write latest.json after each one."""
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--workloads", type=Path)
    known = workloads(first.parse_known_args(argv)[0].workloads)
    args = parse(argv, list(known))
    if args.child:
        try:
            child(known[args.child], args.quick, args.to)
        except Exception:
            traceback.print_exc()
            sys.exit(1)
        return
    # A time limit's SIGTERM stops the run as Ctrl-C does: the running workload and its
    # processes are stopped and latest.json keeps what finished.
    signal.signal(signal.SIGTERM, _interrupted)
    mode = "quick" if args.quick else "full"
    total = None if args.no_budget else TOTAL[mode]
    extra = ["--workloads", str(args.workloads)] if args.workloads else []
    reserve = {
        name: args.budgets.get(name, BUDGETS.get(name, DEFAULT_BUDGET)[mode == "full"])
        for name in args.names
    }
    started = time.perf_counter()
    rows, done = [], []
    for index, name in enumerate(args.names):
        spent = time.perf_counter() - started
        share = budget = None
        if total is not None:
            later = sum(reserve[n] for n in args.names[index + 1 :])
            share = total - STOP_GRACE - spent - later
            budget = round(min(share, args.budgets.get(name, share)), 1)
        if share is not None and share < MIN_START:
            found = [failed(name, f"not started: its share of the run's {total:,} s was used")]
            outcome = "skipped"
        else:
            print(f"==> {name}", file=sys.stderr, flush=True)
            found, outcome = run(name, args.quick, budget, extra)
        seconds = time.perf_counter() - started - spent
        rows += [row.judged() for row in found]
        done.append(
            {"name": name, "seconds": round(seconds, 1), "budget": budget, "outcome": outcome}
        )
        limit = "no budget" if budget is None else f"budget {budget:,.0f} s"
        print(f"<== {name}: {seconds:,.1f} s ({limit}), {outcome}", file=sys.stderr, flush=True)
        progress = {"workloads": done, "planned": args.names, "budget": total}
        write(rows, mode, time.perf_counter() - started, args.out, **progress)
    seconds = time.perf_counter() - started
    print(table(rows))
    missed = sum(r.met is False for r in rows)
    print("\n" + "  ".join(f"{w['name']} {w['seconds']:,.0f} s" for w in done))
    print(f"{len(rows)} rows in {seconds:,.0f} s; {missed} targets missed; wrote {args.out}")


if __name__ == "__main__":
    main()
