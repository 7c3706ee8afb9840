"""``python -m bench``: rows judged against their targets, latest.json, the README's table."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import readme_table  # noqa: E402
from results import Row, Target, failed, load, table, write  # noqa: E402

B6 = Target("p50", 50)


def test_a_row_meets_its_target_only_when_the_named_statistic_is_within_it():
    assert Row("B6", "page", "1 run", (40.0, 90.0), target=B6).judged().met is True
    assert Row("B6", "page", "1 run", (60.0, 10.0), target=B6).judged().met is False
    assert Row("B6", "page", "1 run", (10.0, 60.0), target=Target("p95", 50)).judged().met is False
    assert Row("B6", "page", "1 run", (math.nan, 1.0), target=B6).judged().met is False
    assert Row("B6", "page", "1 run", None, target=B6).judged().met is False
    assert Row("store", "page", "1 run", (1.0, 2.0)).judged().met is None
    assert failed("charts", "exited 2").met is False


def test_the_ratio_is_ours_over_mlflow_from_the_same_row():
    assert Row("B6", "page", "1 run", (20.0, 30.0), (200.0, 400.0)).ratio == pytest.approx(0.1)
    assert Row("B6", "page", "1 run", (20.0, 30.0)).ratio is None


def test_the_table_says_where_a_target_is_missed():
    rows = [
        Row("B6", "first page", "1,000 runs", (60.0, 70.0), (200.0, None), target=B6).judged(),
        Row("B2", "log_metric", "10 steps", (5.0, None), unit="µs/call").judged(),
    ]
    lines = table(rows).splitlines()
    assert lines[0].split()[:2] == ["workload", "operation"]
    assert lines[2].endswith("p50 ≤ 50 ms  NO")
    assert "60.0 / 70.0" in lines[2] and "200 / —" in lines[2] and "0.30" in lines[2]
    assert "5.0 / —" in lines[3] and not lines[3].endswith(("yes", "NO"))


def test_latest_json_keeps_every_figure_and_writes_a_lost_one_as_null(tmp_path):
    rows = [
        Row("B6", "page", "9 runs", (1.5, math.nan), (3.0, None), target=B6).judged(),
        failed("charts", "stopped after 600 s"),
    ]
    path = tmp_path / "latest.json"
    write(rows, "quick", 12.5, path)
    raw = json.loads(path.read_text())  # strict JSON: no NaN
    assert raw["mode"] == "quick" and raw["rows"][0]["ours"] == [1.5, None]
    assert raw["rows"][0]["ratio"] == 0.5
    _, loaded = load(path)
    assert [(r.workload, r.met, r.target) for r in loaded] == [
        ("B6", True, B6),
        ("charts", False, None),
    ]


def test_the_readme_table_is_regenerated_between_its_markers_only(tmp_path):
    results = tmp_path / "latest.json"
    write([Row("B6", "a | b", "9 runs", (1.0, 2.0), target=B6).judged()], "full", 60, results)
    readme = tmp_path / "README.md"
    before = "# Title\n\n## Benchmarks\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nafter\n"
    readme.write_text(before)
    argv = ["--results", str(results), "--readme", str(readme)]
    readme_table.main(argv)
    once = readme.read_text()
    assert once.startswith(
        "# Title\n\n## Benchmarks\n\n<!-- bench:start -->\n\n"
        "**`python -m bench`: 60 s; 0 of 1 targets missed.**\n\n| workload |"
    )
    assert once.endswith("<!-- bench:end -->\n\nafter\n") and "old" not in once
    row = "| B6       | a \\| b    | 9 runs | 1.0 / 2.0      | — / —            | —     | ms   |"
    assert row + " p50 ≤ 50 ms | yes |" in once
    assert "`python -m bench`, " in once
    readme_table.main(argv)
    assert readme.read_text() == once
    readme.write_text("no markers\n")
    with pytest.raises(SystemExit, match="bench:start"):
        readme_table.main(argv)


def test_an_unknown_workload_is_refused_with_the_known_names():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "store,nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown workload(s) nope" in done.stderr and "ui_table" in done.stderr


#: Workloads for the runner's own tests: one quick, one that seeds then hangs with a child
#: process of its own (as a browser or a server would be), one after it.
TRIAL = """
import os, subprocess, sys, time
from pathlib import Path
from cache import CACHE
from results import Row, Target

def fast(quick):
    return [Row("fast", "op", "1 run", (1.0, 2.0), target=Target("p50", 5))]

def slow(quick):
    seed = CACHE / "slow-seed"
    seed.mkdir(parents=True)
    (seed / "runs.db").write_text("half a seed")
    # a server of its own session, as jupyter lab or mlflow server are started
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    Path(os.environ["TRIAL_PIDS"]).write_text(f"{os.getpid()} {sleeper.pid}")
    time.sleep(600)

def after(quick):
    return [Row("after", "op", "1 run", (9.0, 9.0), target=Target("p50", 5))]

WORKLOADS = {"fast": fast, "slow": slow, "after": after}
"""


def _trial(tmp_path: Path, *args: str) -> tuple[list[str], dict]:
    """The command running the trial workloads into ``tmp_path``, and its environment."""
    (tmp_path / "trial.py").write_text(TRIAL)
    command = [sys.executable, "-m", "bench", "--quick", "--workloads", str(tmp_path / "trial.py")]
    command += ["--out", str(tmp_path / "latest.json"), *args]
    env = {**os.environ, "JUPYTERLAB_RUNS_BENCH_CACHE": str(tmp_path / "cache")}
    return command, {**env, "TRIAL_PIDS": str(tmp_path / "pids")}


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie waiting for its reaper counts)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def _kill(pids_file: Path) -> None:
    for pid in map(int, pids_file.read_text().split() if pids_file.exists() else []):
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_workload_past_its_budget_is_stopped_with_its_processes_and_partial_seed(tmp_path):
    command, env = _trial(tmp_path, "--budget", "slow=4")
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started < 60
        document, rows = load(tmp_path / "latest.json")
        assert [(r.workload, r.met) for r in rows] == [
            ("fast", True),
            ("slow", False),
            ("after", False),
        ]
        assert rows[1].note == "stopped at its budget of 4 s"
        ran = document["workloads"]
        assert [(w["name"], w["outcome"]) for w in ran] == [
            ("fast", "ok"),
            ("slow", "stopped"),
            ("after", "ok"),
        ]
        # fast may use the run's 300 s but what slow (4 s) and after (20 s) keep and 10 s to
        # stop one; the time fast and slow leave unused passes on to after
        assert ran[0]["budget"] == 266 and ran[1]["budget"] == 4
        assert 240 < ran[2]["budget"] <= 290 - ran[0]["seconds"] - ran[1]["seconds"] + 0.2
        assert 4 <= document["workloads"][1]["seconds"] < 20
        assert document["complete"] is True and document["budget_seconds"] == 300
        for name in ("fast", "slow", "after"):
            assert re.search(rf"<== {name}: [\d.]+ s \(budget \d+ s\)", done.stderr)
        assert "slow 4 s" in done.stdout or "slow 5 s" in done.stdout
        assert all(map(_gone, map(int, (tmp_path / "pids").read_text().split())))
        seeds = list((tmp_path / "cache").glob("schema-*/*"))
        assert seeds == []  # the half-made seed would pass for a whole one next time
    finally:
        _kill(tmp_path / "pids")


def test_a_run_cut_off_keeps_the_workloads_that_finished(tmp_path):
    command, env = _trial(tmp_path)
    main = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "pids").exists():  # fast is written, slow is running
            assert main.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        document, rows = load(tmp_path / "latest.json")
        assert [r.workload for r in rows] == ["fast"] and document["complete"] is False
        # The machine's time limit (SIGTERM); Ctrl-C is the same path, but SIGINT is ignored
        # by processes a non-interactive shell starts in the background (as CI may).
        main.send_signal(signal.SIGTERM)
        main.communicate(timeout=60)
        assert main.returncode != 0
        document, rows = load(tmp_path / "latest.json")
        assert [(r.workload, r.ours) for r in rows] == [("fast", (1.0, 2.0))]
        assert document["planned"] == ["fast", "slow", "after"]
        assert [w["name"] for w in document["workloads"]] == ["fast"]
        assert readme_table.caption(document, rows).startswith(
            "**`python -m bench --quick`: cut off after 1 of 3 workloads in "
        )
        assert all(map(_gone, map(int, (tmp_path / "pids").read_text().split())))
        assert list((tmp_path / "cache").glob("schema-*/*")) == []
    finally:
        if main.poll() is None:
            main.kill()
        _kill(tmp_path / "pids")
