"""Add up the results of every test runner into one line: ``N passed, N failed``.

A runner that produced no report counts as one failure, so a crash cannot pass.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def junit_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) of a JUnit XML report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def jest_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) of a jest --json report; suites that failed to run count."""
    data = json.loads(path.read_text())
    failed = data["numFailedTests"] + data.get("numRuntimeErrorTestSuites", 0)
    return data["numPassedTests"], failed, data["numPendingTests"]


def check_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, 0) of the ``name exit-code`` lines the test script writes."""
    passed = failed = 0
    for line in path.read_text().splitlines():
        name, code = line.rsplit(" ", 1)
        if code == "0":
            passed += 1
        else:
            failed += 1
            print(f"  check failed: {name}")
    return passed, failed, 0


def main(results: Path) -> int:
    reports = {
        "checks": (results / "checks.txt", check_counts),
        "jest": (results / "jest.json", jest_counts),
        "pytest": (results / "pytest.xml", junit_counts),
        "galata": (results / "galata.xml", junit_counts),
        "galata-notebook7": (results / "galata-notebook7.xml", junit_counts),
    }
    passed = failed = skipped = 0
    for name, (path, count) in reports.items():
        if not path.exists():
            print(f"  {name}: no report (the runner crashed or did not start)")
            failed += 1
            continue
        p, f, s = count(path)
        print(f"  {name}: {p} passed, {f} failed, {s} skipped")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
