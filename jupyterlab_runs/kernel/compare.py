"""The inline comparison bundle ``%runs compare`` displays.

``build_compare_bundle`` returns a MIME bundle with three representations:

- ``application/vnd.jupyterlab-runs.compare+json``: the compare payload, version 1 (data
  only, never a spec; defined in ``src/charts/types.ts``), which our JupyterLab renderer
  validates and charts;
- ``application/vnd.vegalite.v5+json``: a static vega-lite 5 spec with inline data, for front
  ends without the extension (built in ``compare_spec``);
- ``text/plain``: a table.

The payload respects the caps the front end enforces, and the spec and table mirror
``src/charts`` and ``src/mime/bundle.ts``; the shared vector ``tests/vectors/compare_bundle.json``
keeps the two languages in step. JSON has no NaN: non-finite numbers are written as ``"NaN"``,
``"Infinity"``, ``"-Infinity"``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..store.base import Experiment, MetricPoint, Run
from ..store.downsample import thin
from .compare_spec import (
    MAX_LINE_POINTS,
    WIDTH,
    bar_rows,
    chart_model,
    format_number,
    guess_higher_is_better,
    static_spec,
)

COMPARE_MIME = "application/vnd.jupyterlab-runs.compare+json"
VEGALITE_MIME = "application/vnd.vegalite.v5+json"
CHART_KINDS = ("bar", "scatter", "parallel", "line")

# The caps the front end's validation enforces (src/charts/types.ts LIMITS).
MAX_RUNS = 5000
MAX_KEYS_PER_RUN = 200
MAX_TEXT_LENGTH = 200
MAX_VALUE_LENGTH = 1000
MAX_HISTORY_POINTS = 1_000_000
MAX_SMOOTHING = 0.99
TEXT_MAX_ROWS, TEXT_MAX_PARAMS, TEXT_MAX_CELL = 50, 5, 30
#: Most bytes one inserted comparison adds to a saved notebook (issue 13, B8).
MAX_BUNDLE_BYTES = 1_000_000
#: Points kept per history: a lowest and a highest value per pixel column of the chart.
HISTORY_POINTS_PER_SERIES = 2 * WIDTH
#: What one history point adds to a saved notebook, in the payload and the static spec's data
#: (measured: about 280 bytes at an output's depth, indented as nbformat writes it).
SAVED_BYTES_PER_POINT = 300


def build_compare_bundle(
    runs: Sequence[Run],
    *,
    kind: str = "bar",
    metric: str | None = None,
    params: Sequence[str] = (),
    experiment: Experiment | Mapping[str, str] | None = None,
    history: Mapping[str, Mapping[str, Sequence[MetricPoint]]] | None = None,
    smoothing: float = 0.0,
    created: int | None = None,
) -> dict[str, Any]:
    """The MIME bundle comparing ``runs``; ``history`` maps run id → metric key → points."""
    if kind not in CHART_KINDS:
        raise ValueError(f"unknown chart kind {kind!r}; use one of {', '.join(CHART_KINDS)}")
    if metric is not None and len(metric) > MAX_TEXT_LENGTH:
        raise ValueError(f"metric key longer than {MAX_TEXT_LENGTH} characters")
    if len(runs) > MAX_RUNS:
        raise ValueError(f"too many runs to compare: {len(runs)} (at most {MAX_RUNS})")
    chosen = [p for p in dict.fromkeys(params) if 0 < len(p) <= MAX_TEXT_LENGTH]
    histories = [(history or {}).get(run.id, {}) for run in runs]
    wanted = [metric] if metric else []
    series = sum(len(_capped(h, wanted)) for h in histories)
    limit = history_limit(series)
    while True:  # each pass thins the last one's points: their extremes are the series'
        histories = [{k: thin(h[k], limit) for k in _capped(h, wanted)} for h in histories]
        payload_runs = [
            _run_payload(run, metric, chosen, found)
            for run, found in zip(runs, histories, strict=True)
        ]
        bundle = _bundle(payload_runs, kind, metric, chosen, experiment, runs, smoothing, created)
        size = saved_size(bundle) if series and limit > 2 else 0
        if size <= MAX_BUNDLE_BYTES:
            return bundle
        limit = max(2, min(limit - 1, int(limit * 0.9 * MAX_BUNDLE_BYTES / size)))


def history_limit(series: int) -> int:
    """Points a chart of ``series`` histories keeps of each (its first try), so a caller can
    read no more than that (``RunStore.metric_extremes``)."""
    # The static spec draws at most MAX_LINE_POINTS vertices and thins evenly past that; kept
    # under it, the fallback shows the same extremes as our chart. The byte estimate makes
    # the first try fit as a rule, so the exact (slow, indented) size is measured once.
    fits = (MAX_BUNDLE_BYTES // SAVED_BYTES_PER_POINT) // max(series, 1)
    return max(2, min(HISTORY_POINTS_PER_SERIES, MAX_LINE_POINTS // max(series, 1), fits))


def _bundle(payload_runs, kind, metric, chosen, experiment, runs, smoothing, created):
    model = chart_model(payload_runs)
    keys = sorted({k for r in model for k in (*r["metrics"], *r["nan"], *r["history"])})
    payload = {
        "version": 1,
        "experiment": _experiment(experiment, runs),
        "chart": {
            "kind": kind,
            "metric": metric if metric else (keys[0] if keys else ""),
            "params": chosen[:MAX_KEYS_PER_RUN],
            "smoothing": min(max(float(smoothing), 0.0), MAX_SMOOTHING),
        },
        "runs": payload_runs,
        "created": int(time.time() * 1000) if created is None else created,
    }
    return {
        COMPARE_MIME: payload,
        VEGALITE_MIME: static_spec(payload),
        "text/plain": text_table(payload),
    }


def saved_size(bundle: Mapping[str, Any]) -> int:
    """Bytes ``bundle`` adds to a notebook as nbformat saves it (indent 1, at an output's
    depth), which is what the file grows by."""
    notebook = {"cells": [{"outputs": [{"data": bundle}]}]}
    return len(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False).encode())


def encode_number(value: float) -> float | str:
    """A float as our JSON spells it: non-finite values become strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _capped(items: Mapping[str, Any], first: Sequence[str]) -> list[str]:
    """Keys that fit the caps, the chosen ones first, at most ``MAX_KEYS_PER_RUN``."""
    keys = [
        k for k in dict.fromkeys([*first, *items]) if k in items and 0 < len(k) <= MAX_TEXT_LENGTH
    ]
    return keys[:MAX_KEYS_PER_RUN]


def _run_payload(run: Run, metric: str | None, params: list[str], history: Mapping[str, Any]):
    wanted = [metric] if metric else []
    out: dict[str, Any] = {
        "id": run.id,
        "version": run.version,
        "name": _shorten(run.name, MAX_TEXT_LENGTH) if run.name.strip() else f"v{run.version}",
        "status": run.status,
        "params": {
            k: _shorten(run.params[k].value, MAX_VALUE_LENGTH) for k in _capped(run.params, params)
        },
        "metrics": {k: encode_number(run.metrics[k].value) for k in _capped(run.metrics, wanted)},
    }
    series = {
        k: [[p.step, encode_number(p.value)] for p in history[k]] for k in _capped(history, wanted)
    }
    if series:
        out["history"] = series
    return out


def _experiment(experiment: Experiment | Mapping[str, str] | None, runs: Sequence[Run]) -> dict:
    if isinstance(experiment, Experiment):
        return {"id": experiment.id, "name": _shorten(experiment.name, MAX_TEXT_LENGTH)}
    if experiment is not None:
        name = _shorten(str(experiment.get("name", "")), MAX_TEXT_LENGTH)
        return {"id": str(experiment.get("id", "")), "name": name}
    return {"id": runs[0].experiment_id if runs else "", "name": ""}


def text_table(payload: Mapping[str, Any]) -> str:
    """A plain-text table of the runs, best first (mirror of ``textTable`` in TS)."""
    model = chart_model(list(payload["runs"]))
    chart = payload["chart"]
    kind, metric = chart["kind"], chart["metric"]
    higher = guess_higher_is_better(metric)
    ranked_ids = [row["id"] for row in bar_rows(model, metric, higher)]
    by_id = {r["id"]: r for r in model}
    order = [by_id[i] for i in ranked_ids] + [r for r in model if r["id"] not in set(ranked_ids)]
    params = list(chart["params"])[:TEXT_MAX_PARAMS]

    def metric_text(run: Mapping[str, Any]) -> str:
        if metric in run["metrics"]:
            return format_number(run["metrics"][metric], 6)
        return run["nan"].get(metric, "—")

    table = [[_shorten(c, TEXT_MAX_CELL) for c in ["run", "status", metric, *params]]]
    table += [
        [
            _shorten(c, TEXT_MAX_CELL)
            for c in [
                r["label"],
                r.get("status") or "",
                metric_text(r),
                *(r["params"].get(p, "") for p in params),
            ]
        ]
        for r in order[:TEXT_MAX_ROWS]
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    n = len(model)
    experiment = payload["experiment"].get("name", "")
    lines = [
        f"{n} run{'' if n == 1 else 's'} compared: {kind} of {metric} "
        f"({'higher' if higher else 'lower'} is better)"
        + (f" in {experiment}" if experiment else "")
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
    if len(order) > TEXT_MAX_ROWS:
        lines.append(f"… {len(order) - TEXT_MAX_ROWS} more runs")
    excluded = sum(len(r["nan"]) for r in model) + sum(
        isinstance(v, str)
        for r in payload["runs"]
        for pts in r.get("history", {}).values()
        for _, v in pts
    )
    if excluded:
        lines.append(f"{excluded} value{'' if excluded == 1 else 's'} excluded (NaN/Inf)")
    return "\n".join(lines)
