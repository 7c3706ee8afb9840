"""Static vega-lite 5 specs of comparison charts, for front ends without our extension.

A mirror of ``src/charts`` (validation model, spec builders, number format) restricted to what
a static spec needs: no tooltips, no cursor, the light palette. The shared vector
``tests/vectors/compare_bundle.json`` checks that both languages build the same specs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import cmp_to_key
from typing import Any

VEGALITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

# Constants shared with src/charts (common.ts, theme.ts, history.ts, spec.ts).
HEIGHT, WIDTH, MAX_LINE_POINTS, MAX_LEGEND_RUNS, PARALLEL_AXES = 260, 420, 20_000, 20, 6
ACCENT, MARK, MUTED, GRID = "#f57c00", "#1976d2", "rgba(0, 0, 0, 0.54)", "#e0e0e0"
LOWER_IS_BETTER = {"loss", "error", "err", "rmse", "mae", "mse", "mape", "perplexity"}
# Each mark's ARIA description is its row's plain `description` text: left to vega-lite, it is
# an expression built from the titles (metric and param keys) that does not escape a backslash
# (as DESCRIBED_BY_ROW in src/charts/common.ts).
DESCRIBED_BY_ROW = {"field": "description", "type": "nominal"}
# vega's expression parser reads a string literal naming `if` or an Object.prototype member as
# an identifier, so such a title broke the chart (as RESERVED_TITLES in src/charts/common.ts).
RESERVED_TITLES = frozenset(
    {
        "if",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "hasOwnProperty",
        "__lookupGetter__",
        "__lookupSetter__",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toString",
        "valueOf",
        "__proto__",
        "toLocaleString",
    }
)
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def format_number(value: float, digits: int = 4) -> str:
    """Mirror of ``formatNumber`` in src/charts/format.ts (ties round away from zero, as JS)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    exact = Decimal(abs(value))
    rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - digits + 1), ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    if 1e-3 <= abs(value) < 1e6:
        number = float(rounded)
        return sign + (str(int(number)) if number.is_integer() else repr(number))
    mantissa = format(rounded.scaleb(-rounded.adjusted()).normalize(), "f")
    return f"{sign}{mantissa}e{rounded.adjusted()}"


def describe_row(label: str, fields: list[tuple[str, float | str]]) -> str:
    """A row's screen-reader text, ``v1 · acc: 0.8`` (mirror of ``describeRow`` in TS)."""
    parts = [f"{k}: {v if isinstance(v, str) else format_number(v, 6)}" for k, v in fields]
    return " · ".join([label, *parts])


def safe_title(key: str) -> str:
    """A key as an axis or legend title: reserved names get a zero-width space (``safeTitle``)."""
    return key + "\u200b" if key in RESERVED_TITLES else key


def guess_higher_is_better(metric: str) -> bool:
    """Whether higher is better, guessed from the name (``val_loss``, ``RMSE`` → False)."""
    if "loss" in metric.lower() or "error" in metric.lower():
        return False
    words = re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", metric).lower())
    return not any(word in LOWER_IS_BETTER for word in words)


def chart_model(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payload runs as src/charts/validate.ts sees them: finite numbers, unique labels."""
    counts = Counter(r["name"] for r in runs)
    used: set[str] = set()
    model = []
    for i, r in enumerate(runs):
        name, version, short = r["name"], r["version"], r["id"][:8]
        if counts[name] == 1:
            candidates = [name]
        elif name == f"v{version}":
            candidates = [f"{name} ({short})"]
        else:
            candidates = [f"{name} (v{version})", f"{name} (v{version}, {short})"]
        label = next((c for c in candidates if c not in used), f"{name} (#{i + 1})")
        while label in used:
            label += "′"
        used.add(label)
        metrics = r["metrics"]
        model.append(
            {
                **r,
                "label": label,
                "metrics": {k: v for k, v in metrics.items() if not isinstance(v, str)},
                "nan": {k: v for k, v in metrics.items() if isinstance(v, str)},
                "history": {
                    k: sorted(
                        ([s, v] for s, v in pts if not isinstance(v, str)), key=lambda p: p[0]
                    )
                    for k, pts in r.get("history", {}).items()
                },
            }
        )
    return model


def _param_number(text: str) -> float | None:
    return float(text) if NUMBER.match(text.strip()) and math.isfinite(float(text)) else None


def _compare_values(a: str, b: str) -> int:
    x, y = _param_number(a), _param_number(b)
    if x is not None and y is not None:
        return (x > y) - (x < y)
    return (a > b) - (a < b)


def thin(length: int, limit: int) -> list[int]:
    """At most ``limit`` evenly spaced indices of ``length``, first and last kept (as TS)."""
    if length <= limit:
        return list(range(length))
    count = max(limit, 2)
    step = (length - 1) / (count - 1)
    return [math.floor(i * step + 0.5) for i in range(count)]


def _differing(model: list[dict[str, Any]], keys: list[str]) -> list[str]:
    return [k for k in keys if len({r["params"].get(k) for r in model}) > 1]


def bar_rows(model: list[dict[str, Any]], metric: str, higher: bool) -> list[dict[str, Any]]:
    """Runs having ``metric``, best first (ties by version), the best flagged (as barRows)."""
    present = [r for r in model if metric in r["metrics"]]
    sign = -1 if higher else 1
    present.sort(key=lambda r: (sign * r["metrics"][metric], r["version"]))
    best = present[0]["metrics"][metric] if present else None
    return [
        {
            "id": r["id"],
            "label": r["label"],
            "version": r["version"],
            "status": r.get("status") or "",
            "value": r["metrics"][metric],
            "order": i,
            "best": r["metrics"][metric] == best,
            "description": describe_row(r["label"], [(metric, r["metrics"][metric])]),
        }
        for i, r in enumerate(present)
    ]


def _color() -> dict[str, Any]:
    return {"condition": {"test": "datum.best", "value": ACCENT}, "value": MARK}


def _bar(model, metric, higher):
    rows = bar_rows(model, metric, higher)
    n = len(rows)
    return len(rows), {
        "data": {"values": rows},
        "width": {"step": 28} if n <= 40 else min(1200, n * 4),
        "height": HEIGHT,
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "label",
                "type": "nominal",
                "title": "Run",
                "sort": {"field": "order", "op": "min", "order": "ascending"},
                "axis": {"labelAngle": -45 if n > 8 else 0, "labelLimit": 120},
            },
            "y": {"field": "value", "type": "quantitative", "title": safe_title(metric)},
            "color": _color(),
            "description": DESCRIBED_BY_ROW,
        },
    }


def _scatter(model, metric, higher, param):
    present = [r for r in model if param in r["params"] and metric in r["metrics"]]
    numeric = all(_param_number(r["params"][param]) is not None for r in present)
    ys = [r["metrics"][metric] for r in present]
    best = (max if higher else min)(ys) if ys else None
    rows = [
        {
            "id": r["id"],
            "label": r["label"],
            "version": r["version"],
            "x": _param_number(r["params"][param]) if numeric else r["params"][param],
            "xText": r["params"][param],
            "y": r["metrics"][metric],
            "best": r["metrics"][metric] == best,
            "description": describe_row(
                r["label"], [(param, r["params"][param]), (metric, r["metrics"][metric])]
            ),
        }
        for r in present
    ]
    categories = sorted({r["xText"] for r in rows}, key=cmp_to_key(_compare_values))
    x = (
        {"field": "x", "type": "quantitative", "title": safe_title(param), "scale": {"zero": False}}
        if numeric
        else {
            "field": "x",
            "type": "nominal",
            "title": safe_title(param),
            "scale": {"domain": categories},
            "axis": {"labelAngle": 0, "labelLimit": 120},
        }
    )
    return len(rows), {
        "data": {"values": rows},
        "width": WIDTH if numeric else {"step": 48},
        "height": HEIGHT,
        "mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.85},
        "encoding": {
            "x": x,
            "y": {
                "field": "y",
                "type": "quantitative",
                "title": safe_title(metric),
                "scale": {"zero": False},
            },
            "color": _color(),
            "description": DESCRIBED_BY_ROW,
        },
    }


def _history(model, metric, smoothing):
    series = [r for r in model if r["history"].get(metric)]
    per_run = max(50, MAX_LINE_POINTS // max(len(series), 1))
    rows = []
    for r in series:
        points, smoothed = r["history"][metric], []
        last = points[0][1]  # s[i] = w·s[i-1] + (1-w)·v[i] from s[-1] = v[0], as smoothEma in TS
        for _, value in points:
            last = smoothing * last + (1 - smoothing) * value
            smoothed.append(last)
        for i in thin(len(points), per_run):
            step, value = points[i]
            fields = [("Step", step), (metric, smoothed[i])]
            if smoothing > 0:
                fields.append(("Raw", value))
            described = describe_row(r["label"], fields)
            rows.append(
                {
                    "id": r["id"],
                    "label": r["label"],
                    "step": step,
                    "value": smoothed[i],
                    "raw": value,
                    "description": described,
                }
            )
    x = {"field": "step", "type": "quantitative", "title": "Step"}
    color = {"field": "label", "type": "nominal", "title": "Run"}
    if len(series) > MAX_LEGEND_RUNS:
        color["legend"] = None
    y = {"type": "quantitative", "title": safe_title(metric), "scale": {"zero": False}}
    described = {"description": DESCRIBED_BY_ROW}
    main = {
        "mark": {"type": "line", "point": len(rows) <= 500},
        "encoding": {"x": x, "y": {"field": "value", **y}, "color": color, **described},
    }
    raw = {
        "mark": {"type": "line", "opacity": 0.25},
        "encoding": {"x": x, "y": {"field": "raw", **y}, "color": color, **described},
    }
    return len(rows), {
        "data": {"values": rows},
        "width": WIDTH,
        "height": HEIGHT,
        "layer": [raw, main] if smoothing > 0 else [main],
    }


def _axis_titles(params: list[str], metric: str) -> list[str]:
    clash = metric in params
    titles = [f"params.{k}" if clash and k == metric else k for k in params]
    titles.append(f"metrics.{metric}" if clash else metric)
    used: list[str] = []
    for title in titles:
        while title in used:
            title += "′"
        used.append(title)
    return used


def _parallel(model, metric, higher, params):
    titles = _axis_titles(params, metric)
    getters = [(lambda r, k=k: r["params"].get(k)) for k in params]
    getters.append(lambda r: r["metrics"].get(metric))
    complete = [r for r in model if all(g(r) is not None for g in getters)]
    rows, ticks = [], []
    columns = [[get(r) for r in complete] for get in getters]
    # A run's line is described once, by all its axes (vega reads the first vertex).
    descriptions = [
        describe_row(r["label"], [(t, c[i]) for t, c in zip(titles, columns, strict=True)])
        for i, r in enumerate(complete)
    ]
    for title, values in zip(titles, columns, strict=True):
        if not complete:
            break
        numbers = [v if not isinstance(v, str) else _param_number(v) for v in values]
        if all(n is not None for n in numbers):
            low, high = min(numbers), max(numbers)
            norms = [0.5 if low == high else (n - low) / (high - low) for n in numbers]
            marks = [(0.5, low)] if low == high else [(0, low), (1, high)]
            ticks += [{"axis": title, "norm": p, "text": format_number(v)} for p, v in marks]
        else:
            cats = sorted({str(v) for v in values}, key=cmp_to_key(_compare_values))
            pos = {c: 0.5 if len(cats) == 1 else i / (len(cats) - 1) for i, c in enumerate(cats)}
            norms = [pos[str(v)] for v in values]
            shown = [cats[0], cats[-1]] if len(cats) > 12 else cats
            ticks += [{"axis": title, "norm": pos[c], "text": c} for c in shown]
        rows += [
            {
                "id": r["id"],
                "label": r["label"],
                "axis": title,
                "value": v if isinstance(v, str) else format_number(v, 6),
                "norm": norm,
                "metric": r["metrics"][metric],
                "description": described,
            }
            for r, v, norm, described in zip(complete, values, norms, descriptions, strict=True)
        ]
    x = {
        "field": "axis",
        "type": "nominal",
        "scale": {"domain": titles},
        "axis": {
            "title": None,
            "labelAngle": 0,
            "labelLimit": 120,
            "domain": False,
            "ticks": False,
            "orient": "bottom",
        },
    }
    y = {"field": "norm", "type": "quantitative", "scale": {"domain": [0, 1]}, "axis": None}
    return len(rows), {
        "width": max(300, len(titles) * 110),
        "height": HEIGHT,
        "layer": [
            {
                "data": {"values": [{"axis": t} for t in titles]},
                "mark": {"type": "rule", "color": GRID},
                "encoding": {
                    "x": x,
                    "y": {"datum": 0, "scale": {"domain": [0, 1]}, "axis": None},
                    "y2": {"datum": 1},
                },
            },
            {
                "data": {"values": rows},
                "mark": {"type": "line", "strokeWidth": 1.5, "opacity": 0.8},
                "encoding": {
                    "x": x,
                    "y": y,
                    "detail": {"field": "id", "type": "nominal"},
                    "description": DESCRIBED_BY_ROW,
                    "color": {
                        "field": "metric",
                        "type": "quantitative",
                        "title": safe_title(metric),
                        "scale": {"scheme": "viridis", "reverse": not higher},
                    },
                },
            },
            {
                "data": {"values": ticks},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "dx": 4,
                    "fontSize": 10,
                    "color": MUTED,
                },
                "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}},
            },
        ],
    }


def _chart_params(model: list[dict[str, Any]], kind: str, params: list[str]) -> list[str]:
    keys = sorted({k for r in model for k in r["params"]})
    differing = _differing(model, keys)
    if kind == "scatter" and not params:
        numeric = [
            k
            for k in differing
            if all(k not in r["params"] or _param_number(r["params"][k]) is not None for r in model)
        ]
        return (numeric or differing or keys)[:1]
    if kind == "scatter":
        return params[:1]
    if kind == "parallel" and not params:
        return (differing or keys)[:PARALLEL_AXES]
    return params


def static_spec(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The static vega-lite 5 spec of a payload's chart (mirror of ``staticSpec`` in TS)."""
    model = chart_model(list(payload["runs"]))
    chart = payload["chart"]
    kind, metric = chart["kind"], chart["metric"]
    built = None
    if model:
        params = _chart_params(model, kind, list(chart["params"]))
        higher = guess_higher_is_better(metric)
        if kind == "bar":
            built = _bar(model, metric, higher)
        elif kind == "scatter":
            built = _scatter(model, metric, higher, params[0]) if params else None
        elif kind == "parallel":
            built = _parallel(model, metric, higher, params)
        else:
            built = _history(model, metric, chart.get("smoothing", 0.0))
    if built is not None and built[0] > 0:
        return {"$schema": VEGALITE_V5_SCHEMA, **built[1]}
    text = (
        "No runs to compare."
        if not model
        else f"No run has the values this chart needs ({metric})."
    )
    return {
        "$schema": VEGALITE_V5_SCHEMA,
        "data": {"values": [{"text": text}]},
        "mark": {"type": "text", "align": "left"},
        "encoding": {"text": {"field": "text", "type": "nominal"}},
    }
