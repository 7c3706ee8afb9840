"""``python -m bench``: every workload for jupyterlab-runs and MLflow, one table, one JSON.

Each workload runs in its own interpreter (imports, tracking URIs and caches of one never
leak into the next) on the same machine in the same run; seeded stores are kept in
``bench/.cache/`` for the next run. The table goes to stdout, progress to stderr, the rows to
``bench/results/latest.json``; ``python bench/readme_table.py`` copies them into the README.

    python -m bench --quick                  # small sizes, ≤ 5 minutes
    python -m bench                          # full sizes, ≤ 45 minutes
    python -m bench --only store,charts      # some workloads
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

from results import RESULTS, failed, from_json, table, to_json, write  # noqa: E402
from workloads import WORKLOADS  # noqa: E402


def child(name: str, quick: bool, out: Path) -> None:
    """Run one workload in this process and write its rows to ``out``."""
    rows = WORKLOADS[name](quick)
    out.write_text(json.dumps([to_json(r) for r in rows]))


def run(name: str, quick: bool, timeout: float) -> list:
    """One workload in a fresh interpreter; a failure or a timeout becomes a failed row."""
    print(f"==> {name}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        out = Path(folder) / "rows.json"
        command = [sys.executable, "-m", "bench", "--child", name, "--to", str(out)]
        command += ["--quick"] if quick else []
        try:
            done = subprocess.run(
                command, cwd=HERE.parent, stdout=sys.stderr, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return [failed(name, f"stopped after {timeout:g} s")]
        if done.returncode != 0 or not out.exists():
            return [failed(name, f"exited {done.returncode}; its error is above")]
        return [from_json(r) for r in json.loads(out.read_text())]


def main(argv: list[str] | None = None) -> None:
    """Run the chosen workloads, print the table and write latest.json."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (≤ 5 minutes)")
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(WORKLOADS)}")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--child", choices=list(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        try:
            child(args.child, args.quick, args.to)
        except Exception:
            traceback.print_exc()
            sys.exit(1)
        return
    names = args.only.split(",") if args.only else list(WORKLOADS)
    unknown = sorted(set(names) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    started = time.perf_counter()
    timeout = 600 if args.quick else 1800
    rows = [row.judged() for name in names for row in run(name, args.quick, timeout)]
    seconds = time.perf_counter() - started
    write(rows, "quick" if args.quick else "full", seconds, args.out)
    print(table(rows))
    missed = sum(r.met is False for r in rows)
    print(f"\n{len(rows)} rows in {seconds:,.0f} s; {missed} targets missed; wrote {args.out}")


if __name__ == "__main__":
    main()
