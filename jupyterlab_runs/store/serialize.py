"""JSON shapes of the REST API: store objects to JSON, and a posted run to a ``NewRun``.

Strict JSON cannot hold NaN or infinities, so metric numbers travel as JSON numbers or as the
strings "NaN", "Infinity" and "-Infinity" (the TypeScript client decodes them).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from .base import (
    SOURCES,
    Artifact,
    Change,
    Experiment,
    InvalidArgument,
    Keys,
    MetricInput,
    MetricPoint,
    MetricSummary,
    NewRun,
    Page,
    Param,
    ParamInput,
    Run,
    RunStore,
)
from .values import check_status, json_float

EXPLICIT = "explicit"  # the source of a value logged by name
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def experiment_to_json(experiment: Experiment) -> dict[str, Any]:
    """An experiment as the REST API returns it."""
    return dataclasses.asdict(experiment)


def artifact_to_json(artifact: Artifact) -> dict[str, Any]:
    """An artifact's metadata: path, size, sha256, media_type."""
    return dataclasses.asdict(artifact)


def change_to_json(change: Change) -> dict[str, Any]:
    """One change-feed entry: cursor, kind, op, id, experiment_id, time."""
    return dataclasses.asdict(change)


def keys_to_json(keys: Keys) -> dict[str, list[str]]:
    """Param, metric and tag keys: ``{params, metrics, tags}``."""
    return dataclasses.asdict(keys)


def metric_point_to_json(point: MetricPoint) -> dict[str, Any]:
    """One history point: ``{key, value, step, timestamp}`` with a JSON-safe value."""
    return {
        "key": point.key,
        "value": json_float(point.value),
        "step": point.step,
        "timestamp": point.timestamp,
    }


def _metric_to_json(metric: MetricSummary) -> dict[str, Any]:
    return {
        "value": json_float(metric.value),
        "step": metric.step,
        "timestamp": metric.timestamp,
        "min": json_float(metric.min),
        "max": json_float(metric.max),
        "count": metric.count,
        "source": metric.source,
    }


def _metric_summary_to_json(metric: MetricSummary) -> dict[str, Any]:
    """A metric without the fields that hold their defaults, which the reader fills in:
    step 0, count 1, min and max equal to the value, source "explicit". Most metrics are
    logged once, so a table page (50 params and 20 metrics a run) shrinks by about 40 %."""
    value = json_float(metric.value)
    result: dict[str, Any] = {"value": value, "timestamp": metric.timestamp}
    if metric.step:
        result["step"] = metric.step
    if metric.count != 1:
        result["count"] = metric.count
    low, high = json_float(metric.min), json_float(metric.max)
    if low != value:
        result["min"] = low
    if high != value:
        result["max"] = high
    if metric.source != EXPLICIT:
        result["source"] = metric.source
    return result


def _param_to_json(param: Param) -> dict[str, Any]:
    return {"value": param.value, "type": param.type, "source": param.source}


def _param_summary_to_json(param: Param) -> dict[str, Any]:
    if param.source == EXPLICIT:
        return {"value": param.value, "type": param.type}
    return {"value": param.value, "type": param.type, "source": param.source}


#: Fields a summary leaves out: the bulky ones lists and tables never show.
SUMMARY_OMITS = ("code", "context")


def run_to_json(run: Run, summary: bool = False) -> dict[str, Any]:
    """A run with every field, ``params``/``metrics``/``tags`` keyed by name, and duration_ms;
    a ``summary`` leaves out the code, the capture context (notebook snapshot) and the
    fields of params and metrics that hold their defaults (see _metric_summary_to_json)."""
    result = {
        field.name: getattr(run, field.name)
        for field in dataclasses.fields(run)
        if field.name not in ("params", "metrics", "tags", "error", "context")
    }
    result["error"] = None if run.error is None else dict(run.error)
    if summary:
        for name in SUMMARY_OMITS:
            result.pop(name, None)
    else:
        result["context"] = dict(run.context)
    param, metric = (
        (_param_summary_to_json, _metric_summary_to_json)
        if summary
        else (_param_to_json, _metric_to_json)
    )
    result["params"] = {key: param(p) for key, p in run.params.items()}
    result["metrics"] = {key: metric(m) for key, m in run.metrics.items()}
    result["tags"] = dict(run.tags)
    result["duration_ms"] = run.duration_ms
    return result


_ENCODERS: dict[type, Callable[[Any], Any]] = {
    Run: run_to_json,
    Experiment: experiment_to_json,
    Artifact: artifact_to_json,
    Change: change_to_json,
    Keys: keys_to_json,
    MetricPoint: metric_point_to_json,
}


def to_json(value: Any) -> Any:
    """Any store object (or list of them) as JSON-ready data."""
    if isinstance(value, list):
        return [to_json(item) for item in value]
    encoder = _ENCODERS.get(type(value))
    if encoder is None:
        raise TypeError(f"no JSON shape for {type(value).__name__}")
    return encoder(value)


def page_to_json(page: Page, items_key: str = "runs", summary: bool = False) -> dict[str, Any]:
    """A search page: ``{<items_key>: [...], next_page_token, total, total_is_lower_bound}``;
    ``summary`` runs leave out their code and context."""
    encode = (lambda run: run_to_json(run, summary=True)) if summary else to_json
    return {
        items_key: [encode(item) for item in page.items],
        "next_page_token": page.next_page_token,
        "total": page.total,
        "total_is_lower_bound": page.total_is_lower_bound,
    }


# -- posted runs ---------------------------------------------------------------------------


def decode_float(value: Any, what: str) -> float:
    """A JSON number, or "NaN"/"Infinity"/"-Infinity", as a float."""
    if isinstance(value, str) and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(
            f'{what} must be a number or "NaN", "Infinity", "-Infinity", got {value!r}'
        )
    return float(value)


def _text(payload: Mapping[str, Any], key: str, what: str, default: str | None = None) -> Any:
    value = payload.get(key, default)
    if value is not None and not isinstance(value, str):
        raise InvalidArgument(f"{what} must be a string, got {type(value).__name__}")
    return value


def _integer(payload: Mapping[str, Any], key: str, what: str, default: int | None = None) -> Any:
    value = payload.get(key, default)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JavaScript numbers arrive as floats now and then
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidArgument(f"{what} must be an integer, got {value!r}")
    return value


def _mapping(payload: Mapping[str, Any], key: str, what: str) -> Mapping[str, Any] | None:
    value = payload.get(key)
    if value is not None and not isinstance(value, Mapping):
        raise InvalidArgument(f"{what} must be an object, got {type(value).__name__}")
    return value


def _items(payload: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = payload.get(key) or []
    if not isinstance(value, list):
        raise InvalidArgument(f"{key} must be a list, got {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise InvalidArgument(f"{key}[{index}] must be an object, got {type(item).__name__}")
        if not isinstance(item.get("key"), str):
            raise InvalidArgument(f"{key}[{index}].key must be a string")
    return value


def _params(payload: Mapping[str, Any]) -> list[ParamInput]:
    params = []
    for index, item in enumerate(_items(payload, "params")):
        where = f"params[{index}]"
        if "value" not in item:
            raise InvalidArgument(f"{where}.value is missing")
        params.append(
            ParamInput(
                key=item["key"],
                value=item["value"],
                type=_text(item, "type", f"{where}.type"),
                source=_text(item, "source", f"{where}.source", "explicit"),
            )
        )
    return params


def _metrics(payload: Mapping[str, Any]) -> list[MetricInput]:
    metrics = []
    for index, item in enumerate(_items(payload, "metrics")):
        where = f"metrics[{index}]"
        metrics.append(
            MetricInput(
                key=item["key"],
                value=decode_float(item.get("value"), f"{where}.value"),
                step=_integer(item, "step", f"{where}.step", 0),
                timestamp=_integer(item, "timestamp", f"{where}.timestamp"),
                source=_text(item, "source", f"{where}.source", "explicit"),
            )
        )
    return metrics


def new_run_from_json(payload: Any) -> tuple[NewRun, str | None]:
    """A posted run as a ``NewRun`` plus the experiment name to resolve, if no id was given.

    Without ``experiment_id`` the returned run's ``experiment_id`` is empty and the name
    (``experiment_name``, else ``notebook_path``) says which experiment to get or create.
    """
    if not isinstance(payload, Mapping):
        raise InvalidArgument("a run must be a JSON object")
    experiment_id = _text(payload, "experiment_id", "experiment_id")
    notebook_path = _text(payload, "notebook_path", "notebook_path")
    name = None
    if not experiment_id:
        name = _text(payload, "experiment_name", "experiment_name") or notebook_path
        if not name:
            raise InvalidArgument("a run needs experiment_id, experiment_name or notebook_path")
    tags = _mapping(payload, "tags", "tags") or {}
    source = _text(payload, "source", "source", "api")
    if source not in SOURCES:
        raise InvalidArgument(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    run = NewRun(
        experiment_id=experiment_id or "",
        status=check_status(_text(payload, "status", "status", "FINISHED")),
        source=source,
        name=_text(payload, "name", "name"),
        start_time=_integer(payload, "start_time", "start_time"),
        end_time=_integer(payload, "end_time", "end_time"),
        notebook_path=notebook_path,
        cell_id=_text(payload, "cell_id", "cell_id"),
        execution_count=_integer(payload, "execution_count", "execution_count"),
        kernel_name=_text(payload, "kernel_name", "kernel_name"),
        language=_text(payload, "language", "language"),
        code=_text(payload, "code", "code", "") or "",
        git_commit=_text(payload, "git_commit", "git_commit"),
        user=_text(payload, "user", "user"),
        note=_text(payload, "note", "note", "") or "",
        parent_run_id=_text(payload, "parent_run_id", "parent_run_id"),
        error=_mapping(payload, "error", "error"),
        context=_mapping(payload, "context", "context") or {},
        params=_params(payload),
        metrics=_metrics(payload),
        tags=dict(tags),
    )
    return run, name


def create_run_from_json(store: RunStore, payload: Any) -> Run:
    """Validate a posted run, resolve (or create) its experiment and save it."""
    run, experiment_name = new_run_from_json(payload)
    if experiment_name is not None:
        experiment = store.get_or_create_experiment(experiment_name, run.notebook_path)
        run = dataclasses.replace(run, experiment_id=experiment.id)
    return store.create_run(run)
