"""One result row per measured operation, the table printed from them and latest.json."""

from __future__ import annotations

import json
import math
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


@dataclass(frozen=True)
class Target:
    """A limit on one statistic of our figure, e.g. ``Target("p50", 50)`` for p50 ≤ 50."""

    stat: str
    limit: float
    text: str = ""

    def describe(self, unit: str) -> str:
        """The target as the table shows it."""
        return self.text or f"{self.stat} ≤ {self.limit:g} {unit}"


@dataclass(frozen=True)
class Row:
    """One operation of a workload: our p50/p95 beside MLflow's, in ``unit``."""

    workload: str
    operation: str
    size: str
    ours: tuple[float, float] | None
    mlflow: tuple[float, float | None] | None = None
    unit: str = "ms"
    target: Target | None = None
    note: str = ""
    met: bool | None = field(default=None)

    def judged(self) -> Row:
        """This row with ``met`` filled in from its target (None when there is none)."""
        if self.target is None or self.met is not None:
            return self
        value = None
        if self.ours is not None:
            value = self.ours[0] if self.target.stat == "p50" else self.ours[1]
        met = value is not None and not math.isnan(value) and value <= self.target.limit
        return Row(**{**asdict(self), "target": self.target, "met": met})

    @property
    def ratio(self) -> float | None:
        """Our p50 over MLflow's p50, both from this run."""
        if not self.ours or not self.mlflow or not self.mlflow[0]:
            return None
        return self.ours[0] / self.mlflow[0]


def failed(workload: str, error: str) -> Row:
    """The row a workload leaves when it could not run: its target counts as not met."""
    return Row(workload, "did not run", "—", None, note=error[:200], met=False)


def _num(value: float | None) -> str:
    if _missing(value):
        return "—"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def cells(row: Row) -> list[str]:
    """The table cells of one row (also the README's)."""
    ours = row.ours or (None, None)
    theirs = row.mlflow or (None, None)
    met = {True: "yes", False: "NO", None: ""}[row.met]
    return [
        row.workload,
        row.operation,
        row.size,
        f"{_num(ours[0])} / {_num(ours[1])}",
        f"{_num(theirs[0])} / {_num(theirs[1])}",
        _ratio(row.ratio),
        row.unit,
        row.target.describe(row.unit) if row.target else "",
        met,
    ]


def _ratio(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    return "< 0.01" if ratio < 0.01 else f"{ratio:.2f}"


HEADER = ["workload", "operation", "size", "ours p50 / p95", "MLflow p50 / p95"]
HEADER += ["ratio", "unit", "target", "met"]


def table(rows: list[Row]) -> str:
    """Rows as an aligned text table with one header."""
    lines = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(t.rstrip() for t in text)


def write(
    rows: list[Row],
    mode: str,
    seconds: float,
    path: Path = RESULTS,
    workloads: list[dict] | None = None,
    planned: list[str] | None = None,
    budget: float | None = None,
) -> None:
    """Save the rows and where they were measured to ``path`` (JSON), replacing it at once so
    a run cut off mid-write still leaves the previous complete file. ``workloads`` are the
    ones run so far (name, seconds, budget, outcome) of the ``planned`` ones; ``budget`` is
    the whole run's, in seconds."""
    import mlflow

    path.parent.mkdir(parents=True, exist_ok=True)
    workloads = workloads or []
    planned = planned if planned is not None else [w["name"] for w in workloads]
    document = {
        "mode": mode,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(seconds, 1),
        "budget_seconds": budget,
        "complete": len(workloads) >= len(planned),
        "planned": planned,
        "workloads": workloads,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "mlflow": mlflow.__version__,
        "rows": [to_json(r) for r in rows],
    }
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n")
    os.replace(partial, path)


def to_json(row: Row) -> dict:
    """The JSON form of a row: NaN (a figure that could not be taken) becomes null."""

    def clean(pair):
        return None if pair is None else [None if _missing(v) else v for v in pair]

    raw = asdict(row)
    return {**raw, "ours": clean(row.ours), "mlflow": clean(row.mlflow), "ratio": row.ratio}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def from_json(raw: dict) -> Row:
    """A ``Row`` from its JSON form (``latest.json`` and the Node benchmarks use the same)."""
    raw = dict(raw)
    raw.pop("ratio", None)
    target = raw.pop("target", None)
    ours, theirs = raw.pop("ours", None), raw.pop("mlflow", None)
    return Row(
        **raw,
        ours=tuple(ours) if ours else None,
        mlflow=tuple(theirs) if theirs else None,
        target=Target(**target) if target else None,
    )


def load(path: Path = RESULTS) -> tuple[dict, list[Row]]:
    """The document and its rows, as ``write`` saved them."""
    document = json.loads(path.read_text())
    return document, [from_json(r) for r in document["rows"]]
