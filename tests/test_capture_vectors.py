"""The capture vectors (tests/vectors/*.json), run against the one capture: jupyterlab_runs.capture,
which the server's scan and the kernel's ``%%track`` both use."""

import json
import math
from pathlib import Path

import pytest

from jupyterlab_runs.capture import extract_metrics, scan_assigned_names, scan_params

VECTORS = Path(__file__).parent / "vectors"
PARAMS = json.loads((VECTORS / "params.json").read_text(encoding="utf-8"))
METRICS = json.loads((VECTORS / "metrics.json").read_text(encoding="utf-8"))
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def test_vector_files_are_large_enough_and_named_uniquely():
    assert len(PARAMS) >= 90
    assert len(METRICS) >= 45
    assert len({case["name"] for case in PARAMS}) == len(PARAMS)
    assert len({case["name"] for case in METRICS}) == len(METRICS)


@pytest.mark.parametrize("case", PARAMS, ids=[case["name"] for case in PARAMS])
def test_params_vector(case):
    params = [
        {"key": p.key, "value": p.value, "type": p.type, "source": p.source}
        for p in scan_params(case["source"])
    ]
    assert params == case["params"]
    assert scan_assigned_names(case["source"]) == case["assigned"]


@pytest.mark.parametrize("case", METRICS, ids=[case["name"] for case in METRICS])
def test_metrics_vector(case):
    expected = [(m["key"], NON_FINITE.get(m["value"], m["value"])) for m in case["metrics"]]
    found = extract_metrics(case["text"])
    assert [key for key, _ in found] == [key for key, _ in expected]
    for (_, value), (_, wanted) in zip(found, expected, strict=True):
        assert value == wanted or (math.isnan(value) and math.isnan(wanted))
