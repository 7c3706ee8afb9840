"""HTML and text renderings of runs for ``%runs list|show|diff``; user strings are escaped."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from ..store.base import Run
from .display import format_number

MAX_COLUMNS = 8  # param and metric columns each in a list; the panel shows them all
MAX_CELL = 40


def _short(text: str, limit: int = MAX_CELL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(ms: int | None) -> str:
    return "" if ms is None else datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def _duration(ms: int | None) -> str:
    if ms is None:
        return ""
    return f"{ms / 1000:.1f} s" if ms < 120_000 else f"{ms / 60_000:.1f} min"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(lines)


def _common_keys(mappings: Sequence[dict[str, Any]]) -> list[str]:
    """The keys used by most runs first, at most MAX_COLUMNS."""
    counts = Counter(key for mapping in mappings for key in mapping)
    return [key for key, _ in counts.most_common(MAX_COLUMNS)]


def runs_list(runs: Sequence[Run], experiment: str) -> dict[str, str]:
    """A table of runs: version, name, status, start, duration, main params and metrics."""
    params = _common_keys([dict(r.params) for r in runs])
    metrics = _common_keys([dict(r.metrics) for r in runs])
    header = ["version", "name", "status", "started", "duration"]
    header += [f"params.{k}" for k in params] + [f"metrics.{k}" for k in metrics]
    rows = []
    for run in runs:
        row = [f"v{run.version}", run.name, run.status, _when(run.start_time)]
        row.append(_duration(run.duration_ms))
        row += [_short(run.params[k].value) if k in run.params else "" for k in params]
        row += [format_number(run.metrics[k].value) if k in run.metrics else "" for k in metrics]
        rows.append([_short(cell) for cell in row])
    title = f"{len(runs)} run(s) of experiment {experiment}"
    return {
        "text/html": f"<p>{escape(title)}</p>" + _html_table(header, rows),
        "text/plain": title + "\n" + _text_table(header, rows),
    }


def run_details(run: Run, experiment: str) -> dict[str, str]:
    """Everything about one run: params, metrics, tags, context and code."""
    title = f"v{run.version} · {run.name} · {run.status} · experiment {experiment}"
    facts = [
        ("run id", run.id),
        ("source", run.source),
        ("started", _when(run.start_time)),
        ("duration", _duration(run.duration_ms)),
        ("notebook", run.notebook_path or ""),
        ("cell id", run.cell_id or ""),
        ("execution count", "" if run.execution_count is None else str(run.execution_count)),
        ("kernel", run.kernel_name or ""),
        ("user", run.user or ""),
        ("git commit", run.git_commit or ""),
        ("parent run", run.parent_run_id or ""),
    ]
    if run.error:
        facts.append(("error", f"{run.error.get('name', '')} {run.error.get('message', '')}"))
    sections = [
        (
            "Params",
            ["key", "value", "type", "source"],
            [[k, p.value, p.type, p.source] for k, p in run.params.items()],
        ),
        (
            "Metrics",
            ["key", "last", "step", "min", "max", "points", "source"],
            [
                [
                    k,
                    format_number(m.value),
                    str(m.step),
                    format_number(m.min),
                    format_number(m.max),
                    str(m.count),
                    m.source,
                ]
                for k, m in run.metrics.items()
            ],
        ),
        ("Tags", ["key", "value"], [[k, v] for k, v in run.tags.items()]),
        ("Context", ["", ""], [[k, v] for k, v in facts if v]),
    ]
    html = [f"<h4>{escape(title)}</h4>"]
    text = [title]
    for name, header, rows in sections:
        if rows:
            html.append(f"<h5>{name}</h5>" + _html_table(header, rows))
            text.append(f"\n{name}\n" + _text_table(header, rows))
    if run.code:
        html.append(f"<h5>Code</h5><pre>{escape(run.code)}</pre>")
        text.append("\nCode\n" + run.code)
    return {"text/html": "".join(html), "text/plain": "\n".join(text)}


def _changed(a: str, b: str) -> str:
    return "" if a == b else "≠"


def run_diff(a: Run, b: Run) -> dict[str, str]:
    """Params and metrics side by side, and a unified diff of the code."""
    va, vb = f"v{a.version}", f"v{b.version}"
    param_rows = []
    for key in sorted(set(a.params) | set(b.params)):
        left = a.params[key].value if key in a.params else "—"
        right = b.params[key].value if key in b.params else "—"
        param_rows.append([key, _short(left), _short(right), _changed(left, right)])
    metric_rows = []
    for key in sorted(set(a.metrics) | set(b.metrics)):
        left = a.metrics[key].value if key in a.metrics else None
        right = b.metrics[key].value if key in b.metrics else None
        delta = "" if left is None or right is None else format_number(right - left)
        metric_rows.append(
            [
                key,
                "—" if left is None else format_number(left),
                "—" if right is None else format_number(right),
                delta,
            ]
        )
    code = "".join(
        difflib.unified_diff(
            a.code.splitlines(keepends=True),
            b.code.splitlines(keepends=True),
            fromfile=f"{va} code",
            tofile=f"{vb} code",
        )
    )
    title = f"{va} → {vb}"
    html = [f"<h4>{escape(title)}</h4>"]
    text = [title]
    for name, header, rows in (
        ("Params", ["key", va, vb, ""], param_rows),
        ("Metrics", ["key", va, vb, "change"], metric_rows),
    ):
        if rows:
            html.append(f"<h5>{name}</h5>" + _html_table(header, rows))
            text.append(f"\n{name}\n" + _text_table(header, rows))
    html.append("<h5>Code</h5>" + (f"<pre>{escape(code)}</pre>" if code else "<p>identical</p>"))
    text.append("\nCode\n" + (code or "identical"))
    return {"text/html": "".join(html), "text/plain": "\n".join(text)}
