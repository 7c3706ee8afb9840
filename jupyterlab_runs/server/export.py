"""Runs as CSV or JSON, one record per run, in the columns the runs table shows.

The handler in ``bulk.py`` streams the output page by page; this module only turns runs
into text. Header names, time and number spelling match what the table showed when it
wrote exports itself: ``run_id``, attribute names bare, other columns as ``<entity>.<key>``,
times in ISO 8601 (UTC), NaN and infinities spelled as the REST API spells them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..store import InvalidArgument, Run

#: Media type of each format.
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}

#: Run attributes a column may show (the table's attribute columns, plus end_time).
ATTRIBUTES = frozenset(
    (
        "version",
        "name",
        "status",
        "start_time",
        "end_time",
        "duration",
        "source",
        "user",
        "notebook_path",
        "experiment_id",
        "note",
        "id",
    )
)
ENTITIES = frozenset(("attributes", "metrics", "params", "tags"))
#: Which value of a metric's history a column shows (the table resolves "best" to min or max).
METRIC_VALUES = frozenset(("last", "min", "max"))
MAX_COLUMNS = 5000

Value = str | int | float | None


@dataclass(frozen=True)
class Column:
    """One exported column: ``attributes.version``, ``metrics.accuracy`` (with its value)…"""

    entity: str
    key: str
    metric_value: str = "last"

    @property
    def header(self) -> str:
        """The column's name in the file."""
        return self.key if self.entity == "attributes" else f"{self.entity}.{self.key}"


def parse_columns(ids: Any, metric_values: Any) -> list[Column]:
    """Column ids (``<entity>.<key>``) and per-metric values as Columns; 400 on anything else."""
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidArgument("columns must be a list of column ids such as 'metrics.accuracy'")
    if len(ids) > MAX_COLUMNS:
        raise InvalidArgument(f"at most {MAX_COLUMNS} columns can be exported")
    if metric_values is None:
        metric_values = {}
    if not isinstance(metric_values, dict):
        raise InvalidArgument("metric_values must be an object of metric key → last|min|max")
    for key, value in metric_values.items():
        if value not in METRIC_VALUES:
            raise InvalidArgument(f"metric_values[{key!r}] must be 'last', 'min' or 'max'")
    columns = []
    for index, column_id in enumerate(ids):
        entity, dot, key = column_id.partition(".")
        if not dot or not key or entity not in ENTITIES:
            raise InvalidArgument(
                f"columns[{index}] ({column_id!r}) must be attributes.<name>, "
                "metrics.<key>, params.<key> or tags.<key>"
            )
        if entity == "attributes" and key not in ATTRIBUTES:
            raise InvalidArgument(f"columns[{index}]: unknown attribute {key!r}")
        value = metric_values.get(key, "last") if entity == "metrics" else "last"
        columns.append(Column(entity, key, value))
    return columns


def iso_time(ms: int) -> str:
    """Milliseconds since the epoch as ``2023-11-14T22:41:20.000Z``."""
    moment = datetime.fromtimestamp(ms // 1000, tz=timezone.utc) + timedelta(milliseconds=ms % 1000)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cell_value(run: Run, column: Column, experiment_names: Mapping[str, str]) -> Value:
    """What one run holds in one column (None when it has nothing there)."""
    if column.entity == "metrics":
        metric = run.metrics.get(column.key)
        if metric is None:
            return None
        return (
            metric.value if column.metric_value == "last" else getattr(metric, column.metric_value)
        )
    if column.entity == "params":
        param = run.params.get(column.key)
        return None if param is None else param.value
    if column.entity == "tags":
        return run.tags.get(column.key)
    if column.key == "duration":
        return run.duration_ms
    if column.key == "experiment_id":
        return experiment_names.get(run.experiment_id, run.experiment_id)
    value = getattr(run, column.key)
    if column.key in ("start_time", "end_time") and value is not None:
        return iso_time(value)
    return value


def number_text(value: float | int) -> str:
    """A number as the REST API and the table spell it: ``NaN``, ``-Infinity``, ``3``, ``0.5``."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _looks_numeric(text: str) -> bool:
    # Python's float() also takes "1_000", "inf" and "nan", which a spreadsheet does not.
    if "_" in text or not any(c.isdigit() for c in text):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_text(value: Value) -> str:
    """A value as CSV text; text a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return number_text(value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _looks_numeric(value):
        return "'" + value
    return value


def csv_line(fields: Iterable[str]) -> str:
    """One CSV record (RFC 4180): fields quoted when they hold a comma, quote or line break."""
    out = []
    for field in fields:
        needs_quotes = any(c in field for c in '",\r\n') or (
            field != "" and (field[0].isspace() or field[-1].isspace())
        )
        out.append('"' + field.replace('"', '""') + '"' if needs_quotes else field)
    return ",".join(out) + "\r\n"


def _json_value(value: Value) -> Value:
    if isinstance(value, float) and not math.isfinite(value):
        return number_text(value)
    return value


class ExportWriter:
    """Writes the text of an export in pieces: ``start()``, ``runs(page)`` …, ``end()``."""

    def __init__(self, fmt: str, columns: Sequence[Column], experiment_names: Mapping[str, str]):
        self.format = fmt
        self.columns = list(columns)
        self.names = ["run_id", *(c.header for c in self.columns)]
        self.experiment_names = experiment_names
        self.count = 0

    def start(self) -> str:
        """The header line (CSV) or the opening bracket (JSON)."""
        return csv_line(self.names) if self.format == "csv" else "["

    def runs(self, runs: Iterable[Run]) -> str:
        """The records of some runs, in order."""
        parts = []
        for run in runs:
            values = [run.id, *(cell_value(run, c, self.experiment_names) for c in self.columns)]
            if self.format == "csv":
                parts.append(csv_line(csv_text(v) for v in values))
            else:
                record = dict(zip(self.names, map(_json_value, values), strict=True))
                text = json.dumps(
                    record, allow_nan=False, ensure_ascii=False, separators=(",", ":")
                )
                parts.append(("," if self.count else "") + "\n" + text)
            self.count += 1
        return "".join(parts)

    def end(self) -> str:
        """What closes the file."""
        return "" if self.format == "csv" else "\n]\n"
