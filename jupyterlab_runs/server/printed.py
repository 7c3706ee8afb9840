"""The printed metrics of a run Log run posts: its outputs' text rides ``POST runs`` and the
server reads ``name: number`` lines from it with the one capture, so the end of a cell costs
one request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..capture import extract_printed
from ..store import InvalidArgument
from ..store.base import MetricInput, NewRun

#: Most printed characters read (the front end sends the tail of longer outputs).
MAX_PRINTED_CHARS = 1_000_000


def printed_outputs(body: Mapping[str, Any]) -> list[str]:
    """The posted ``printed`` texts, or ``InvalidArgument`` saying what is wrong."""
    printed = body.get("printed", [])
    if not isinstance(printed, list) or not all(isinstance(text, str) for text in printed):
        raise InvalidArgument("printed must be a list of strings")
    size = sum(len(text) for text in printed)
    if size > MAX_PRINTED_CHARS:
        raise InvalidArgument(
            f"printed has {size:,} characters; the server reads at most {MAX_PRINTED_CHARS:,}"
        )
    return printed


def add_printed_metrics(run: NewRun, printed: Sequence[str]) -> None:
    """Add the metrics ``printed`` shows for keys the run has no value of (a number the
    kernel reported or a value logged explicitly wins)."""
    known = {metric.key for metric in run.metrics}
    run.metrics.extend(
        MetricInput(key, value, 0, run.end_time, "printed")
        for key, value in extract_printed(printed)
        if key not in known
    )
