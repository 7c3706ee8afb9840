"""Queued writes as JSON: what the op log keeps of a new run or a batch, checked first.

Values are normalized before they are queued (params as text with their type, metric points
with their timestamps), so a write delivered hours later says exactly what the caller logged
then; NaN and ±Inf travel as the JSON tokens Python's json module reads back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from ..base import MetricInput, NewRun, ParamInput, Run
from ..values import normalize_tags, now_ms, unique_params, unique_points


def batch_json(
    params: Iterable[ParamInput], metrics: Iterable[MetricInput], tags: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A log_batch's arguments checked (InvalidArgument before anything is queued) as JSON."""
    return {
        "params": [dataclasses.asdict(p) for p in unique_params(params)],
        "metrics": [dataclasses.asdict(p) for p in unique_points(metrics, now_ms())],
        "tags": normalize_tags(tags),
    }


def batch_from_json(payload: Mapping[str, Any]):
    """The (params, metrics, tags) of a queued log_batch."""
    params = [ParamInput(**p) for p in payload["params"]]
    return params, [MetricInput(**p) for p in payload["metrics"]], dict(payload["tags"])


def new_run_json(run: NewRun, stored: Run) -> dict[str, Any]:
    """A new run as queued: its checked values, with the times the local copy was given."""
    fields = {
        f.name: getattr(run, f.name)
        for f in dataclasses.fields(run)
        if f.name not in ("params", "metrics", "tags", "context", "error")
    }
    fields.update(
        start_time=stored.start_time,
        end_time=stored.end_time,
        context=dict(run.context),
        error=None if run.error is None else dict(run.error),
        **batch_json(run.params, run.metrics, run.tags),
    )
    return fields


def new_run_from_json(payload: Mapping[str, Any], **changes: Any) -> NewRun:
    """The NewRun of a queued creation, with ``changes`` (experiment id, parent, tags)."""
    params, metrics, tags = batch_from_json(payload)
    fields = {k: v for k, v in payload.items() if k not in ("params", "metrics", "tags")}
    fields.update(params=params, metrics=metrics, tags=tags)
    fields.update(changes)
    return NewRun(**fields)
