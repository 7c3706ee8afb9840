"""``python -m bench``: rows judged against their targets, latest.json, the README's table."""

from __future__ import annotations

import json
import math
import subprocess
import sys
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
    assert once.startswith("# Title\n\n## Benchmarks\n\n<!-- bench:start -->\n\n| workload |")
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
