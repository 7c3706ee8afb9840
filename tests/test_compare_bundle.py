"""The compare bundle ``%runs compare`` displays, and the vector shared with jest.

``tests/vectors/compare_bundle.json`` holds bundles built here; ``src/mime/vectors.spec.ts``
checks that the TypeScript validation accepts them and builds the same static spec, the same
text table and the same number of chart rows. Regenerate it with
``UPDATE_VECTORS=1 pytest tests/test_compare_bundle.py``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from jupyterlab_runs.kernel.compare import (
    COMPARE_MIME,
    HISTORY_POINTS_PER_SERIES,
    MAX_HISTORY_POINTS,
    MAX_KEYS_PER_RUN,
    MAX_TEXT_LENGTH,
    VEGALITE_MIME,
    build_compare_bundle,
)
from jupyterlab_runs.kernel.compare_spec import format_number, guess_higher_is_better
from jupyterlab_runs.store.base import Experiment, MetricPoint, MetricSummary, Param, Run

VECTORS = Path(__file__).parent / "vectors" / "compare_bundle.json"
XSS = "<img src=x onerror=alert(1)>"
EXPERIMENT = Experiment(id="e" * 32, name="iris", created=0)
NAN, INF = float("nan"), float("inf")


def make_run(version: int, params=None, metrics=None, name=None, status="FINISHED") -> Run:
    """A stored run with text params and latest metric values."""
    return Run(
        id=f"{version:032x}",
        experiment_id=EXPERIMENT.id,
        version=version,
        name=f"v{version}" if name is None else name,
        status=status,
        source="api",
        start_time=0,
        params={k: Param(k, v) for k, v in (params or {}).items()},
        metrics={k: MetricSummary(k, v, 0, 0, v, v) for k, v in (metrics or {}).items()},
    )


def history(*values: float) -> list[MetricPoint]:
    """A metric history with steps 0, 1, 2 …"""
    return [MetricPoint("loss", v, step, 0) for step, v in enumerate(values)]


def vector_cases() -> list[dict]:
    """The shared cases: each a name, the bundle and how many rows the chart draws."""
    rf = {"n_estimators": "100", "model": "rf", "lr": "0.1"}
    runs = [
        make_run(1, rf, {"accuracy": 0.91, "val_loss": 0.31}),
        make_run(2, {**rf, "n_estimators": "200", "model": "gb"}, {"accuracy": 0.964}, XSS),
        make_run(3, {**rf, "n_estimators": "1e3", "lr": "0.3"}, {"accuracy": NAN}, "baseline"),
        make_run(4, {**rf, "lr": "0.2"}, {"accuracy": 0.93, "val_loss": 0.12}, "baseline"),
        make_run(5, {"model": "lr"}, {"val_loss": INF}, status="FAILED"),
        make_run(6, {**rf, "n_estimators": "50"}, {"accuracy": 0.93, "val_loss": 0.2}),
    ]
    lines = {
        runs[0].id: {"loss": history(1.0, 0.5, NAN, 0.25)},
        runs[1].id: {"loss": history(2.0, 1.0, 0.75)},
    }
    specs = [
        ("bar", dict(kind="bar", metric="accuracy")),
        ("bar-lower-is-better", dict(kind="bar", metric="val_loss")),
        ("scatter-numeric", dict(kind="scatter", metric="accuracy", params=["n_estimators"])),
        ("scatter-categorical", dict(kind="scatter", metric="accuracy", params=["model"])),
        ("scatter-guessed-param", dict(kind="scatter", metric="accuracy")),
        ("parallel", dict(kind="parallel", metric="accuracy", params=["lr", "model"])),
        ("parallel-default-axes", dict(kind="parallel", metric="val_loss")),
        ("line-smoothed", dict(kind="line", metric="loss", history=lines, smoothing=0.6)),
    ]
    cases = [
        {"name": name, "bundle": build_compare_bundle(runs, experiment=EXPERIMENT, created=1, **kw)}
        for name, kw in specs
    ]
    # vega-lite leaves backslashes unescaped in expressions it builds from titles.
    key, param = 'acc\\"\\', 'p\\"q'
    odd = [make_run(v, {param: str(v)}, {key: v / 10}) for v in (1, 2, 3)]
    for kind in ("bar", "scatter", "parallel"):
        bundle = build_compare_bundle(
            odd, experiment=EXPERIMENT, created=1, kind=kind, metric=key, params=[param]
        )
        cases.append({"name": f"{kind}-keys-with-backslashes-and-quotes", "bundle": bundle})
    # vega reads a title naming an Object.prototype member as a signal: it gets a zero-width space.
    reserved = [make_run(v, {"toString": str(v)}, {"constructor": v / 10}) for v in (1, 2, 3)]
    lines = {r.id: {"constructor": history(0.5, r.version / 10)} for r in reserved}
    for kind in ("bar", "scatter", "parallel", "line"):
        kw = dict(kind=kind, metric="constructor", params=["toString"], history=lines)
        bundle = build_compare_bundle(reserved, experiment=EXPERIMENT, created=1, **kw)
        cases.append({"name": f"{kind}-object-prototype-keys", "bundle": bundle})
    cases.append({"name": "no-runs", "bundle": build_compare_bundle([], created=1)})
    for case in cases:
        case["rows"] = chart_rows(case["bundle"][VEGALITE_MIME])
    return cases


def chart_rows(spec: dict) -> int:
    """Rows behind the main marks of a static spec (parallel: its line layer)."""
    if "mark" in spec and spec["mark"]["type"] == "text":
        return 0
    data = spec["layer"][1]["data"] if "layer" in spec and "data" not in spec else spec["data"]
    return len(data["values"])


def check_payload(payload: dict) -> None:
    """The rules src/charts/validate.ts applies, so its validation accepts the payload."""
    assert set(payload) == {"version", "experiment", "chart", "runs", "created"}
    assert payload["version"] == 1
    assert set(payload["chart"]) == {"kind", "metric", "params", "smoothing"}
    assert len(payload["runs"]) <= 5000
    points = 0
    for run in payload["runs"]:
        assert isinstance(run["id"], str) and 0 < len(run["id"]) <= MAX_TEXT_LENGTH
        assert isinstance(run["version"], int) and run["version"] >= 0
        assert len(run["name"]) <= MAX_TEXT_LENGTH
        for field in ("params", "metrics", "history"):
            keys = run.get(field, {})
            assert len(keys) <= MAX_KEYS_PER_RUN
            assert all(0 < len(k) <= MAX_TEXT_LENGTH for k in keys)
        assert all(isinstance(v, str) for v in run["params"].values())
        for value in run["metrics"].values():
            assert value in ("NaN", "Infinity", "-Infinity") or math.isfinite(value)
        points += sum(len(p) for p in run.get("history", {}).values())
    assert points <= MAX_HISTORY_POINTS


def test_bundle_has_the_three_representations():
    bundle = vector_cases()[0]["bundle"]
    assert set(bundle) == {COMPARE_MIME, VEGALITE_MIME, "text/plain"}


@pytest.mark.parametrize("case", vector_cases(), ids=lambda case: case["name"])
def test_payload_follows_the_front_end_rules(case):
    check_payload(case["bundle"][COMPARE_MIME])


def test_non_finite_numbers_are_strings_not_bare_nan():
    text = json.dumps(vector_cases(), allow_nan=False)
    assert '"NaN"' in text and '"Infinity"' in text
    payload = vector_cases()[0]["bundle"][COMPARE_MIME]
    assert payload["runs"][2]["metrics"]["accuracy"] == "NaN"
    assert payload["runs"][4]["metrics"]["val_loss"] == "Infinity"


def test_payload_carries_data_only():
    payload = vector_cases()[0]["bundle"][COMPARE_MIME]
    assert payload["chart"] == {"kind": "bar", "metric": "accuracy", "params": [], "smoothing": 0.0}
    assert payload["experiment"] == {"id": EXPERIMENT.id, "name": "iris"}
    assert payload["runs"][1]["name"] == XSS
    assert "spec" not in json.dumps(payload)


def test_static_spec_is_vega_lite_5_with_inline_data_and_no_interactivity():
    for case in vector_cases():
        spec = case["bundle"][VEGALITE_MIME]
        text = json.dumps(spec)
        assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
        for word in ("tooltip", "cursor", '"url"', "params", "selection"):
            assert word not in text


def test_bar_rows_skip_nan_and_missing_and_sort_best_first():
    cases = {c["name"]: c for c in vector_cases()}
    bar = cases["bar"]["bundle"][VEGALITE_MIME]["data"]["values"]
    assert [r["label"] for r in bar] == [XSS, "baseline (v4)", "v6", "v1"]
    assert [r["best"] for r in bar] == [True, False, False, False]
    lower = cases["bar-lower-is-better"]["bundle"][VEGALITE_MIME]["data"]["values"]
    assert [r["label"] for r in lower] == ["baseline (v4)", "v6", "v1"]


def test_text_table():
    assert vector_cases()[0]["bundle"]["text/plain"] == "\n".join(
        [
            "6 runs compared: bar of accuracy (higher is better) in iris",
            "run                           status    accuracy",
            "<img src=x onerror=alert(1)>  FINISHED  0.964",
            "baseline (v4)                 FINISHED  0.93",
            "v6                            FINISHED  0.93",
            "v1                            FINISHED  0.91",
            "baseline (v3)                 FINISHED  NaN",
            "v5                            FAILED    —",
            "2 values excluded (NaN/Inf)",
        ]
    )


def test_history_is_smoothed_and_nan_points_dropped():
    case = next(c for c in vector_cases() if c["name"] == "line-smoothed")
    rows = case["bundle"][VEGALITE_MIME]["layer"][0]["encoding"]["y"]
    assert rows["field"] == "raw"
    values = case["bundle"][VEGALITE_MIME]["data"]["values"]
    first = [r for r in values if r["label"] == "v1"]
    assert [r["step"] for r in first] == [0, 1, 3]
    assert first[1]["value"] == pytest.approx(0.6 * 1.0 + 0.4 * 0.5)


def test_caps_keys_names_and_params_like_the_front_end():
    params = {f"p{i:03}": "x" for i in range(250)}
    params["k" * 201] = "dropped"
    run = make_run(1, params, {"m" * 201: 1.0, "acc": 0.5}, name="n" * 300)
    payload = build_compare_bundle([run], params=["p249"], metric="acc")[COMPARE_MIME]
    check_payload(payload)
    sent = payload["runs"][0]
    assert len(sent["params"]) == MAX_KEYS_PER_RUN and "p249" in sent["params"]
    assert sent["metrics"] == {"acc": 0.5}
    assert sent["name"] == "n" * 199 + "…"


def test_history_is_thinned_to_two_points_per_pixel_column_keeping_first_and_last():
    # Issue 13 (B8): a bundle no longer carries up to MAX_HISTORY_POINTS (5 MB saved); each
    # series keeps a lowest and a highest point per pixel column (tests/test_downsample.py).
    runs = [make_run(v, metrics={"loss": 1.0}) for v in (1, 2)]
    long = {r.id: {"loss": [MetricPoint("loss", 1.0, i, 0) for i in range(600_000)]} for r in runs}
    payload = build_compare_bundle(runs, kind="line", metric="loss", history=long)[COMPARE_MIME]
    check_payload(payload)
    kept = payload["runs"][0]["history"]["loss"]
    assert 2 < len(kept) <= HISTORY_POINTS_PER_SERIES
    assert kept[0][0] == 0 and kept[-1][0] == 599_999


def test_refuses_unknown_kinds_and_too_many_runs():
    with pytest.raises(ValueError, match="unknown chart kind"):
        build_compare_bundle([], kind="pie")
    with pytest.raises(ValueError, match="too many runs"):
        build_compare_bundle([make_run(v) for v in range(5001)])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (42, "42"),
        (-7, "-7"),
        (0.964, "0.964"),
        (0.96412345, "0.9641"),
        (1234.5678, "1235"),
        (0.001, "0.001"),
        (0.00012346, "1.235e-4"),
        (1e-7, "1e-7"),
        (12345678.9, "1.235e7"),
        (1e6, "1e6"),
        (1234.5, "1235"),
        (NAN, "NaN"),
        (INF, "Infinity"),
        (-INF, "-Infinity"),
    ],
)
def test_format_number_matches_the_typescript_rules(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("metric", "higher"),
    [("accuracy", True), ("val_loss", False), ("RMSE", False), ("valErr", False), ("f1", True)],
)
def test_guess_higher_is_better(metric, higher):
    assert guess_higher_is_better(metric) is higher


def test_shared_vector_is_current():
    cases = json.loads(json.dumps(vector_cases(), allow_nan=False))
    if os.environ.get("UPDATE_VECTORS"):
        VECTORS.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
    assert json.loads(VECTORS.read_text()) == cases
