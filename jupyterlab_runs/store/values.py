"""Normalization and validation of keys, params, metrics and tags, shared by every backend."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .base import (
    MAX_CODE_LENGTH,
    MAX_KEY_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PARAM_VALUE_LENGTH,
    MAX_RESULTS_LIMIT,
    MAX_TAG_VALUE_LENGTH,
    SOURCES,
    STATUSES,
    TRUNCATION_MARKER,
    VALUE_TYPES,
    VIEWS,
    InvalidArgument,
    MetricColumns,
    MetricInput,
    MetricSummary,
    NewRun,
    Param,
    ParamInput,
)

MAX_SOURCE_LENGTH = 100
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_BITS = 10_000


def now_ms() -> int:
    """Milliseconds since the epoch, the unit of every timestamp in the store."""
    return time.time_ns() // 1_000_000


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8, hence SQLite, cannot hold) as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def truncate(text: str, limit: int) -> str:
    """``text`` cleaned and cut to ``limit`` characters, ending with the marker when cut."""
    text = clean_text(text)
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


def validate_key(key: object, what: str = "key") -> str:
    """A param, metric or tag key, checked: a non-blank string of at most MAX_KEY_LENGTH."""
    if not isinstance(key, str):
        raise InvalidArgument(f"{what} must be a string, got {type(key).__name__}")
    if not key.strip():
        raise InvalidArgument(f"{what} must not be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidArgument(
            f"{what} {key[:40]!r}… is {len(key)} characters long; the limit is {MAX_KEY_LENGTH}"
        )
    if "\x00" in key:
        raise InvalidArgument(f"{what} {key!r} must not contain NUL characters")
    return clean_text(key)


def _unwrap_numpy(value: Any) -> Any:
    """A numpy scalar as the Python scalar it holds, without importing numpy."""
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        return value.item()
    return value


def bounded_repr(value: Any, limit: int = MAX_PARAM_VALUE_LENGTH) -> str:
    """``repr(value)`` cut to ``limit``; a failing ``__repr__`` yields a placeholder."""
    try:
        text = repr(value)
    except Exception as error:  # noqa: BLE001 - user objects may raise anything
        text = f"<{type(value).__name__} object (repr failed: {type(error).__name__})>"
    return truncate(text, limit)


def json_safe(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` that strict JSON can hold: non-finite floats become strings,
    tuples and sets lists, other objects their bounded repr."""
    value = _unwrap_numpy(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_BITS:
        return _huge_int(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else json_float(value)
    if depth > 50:
        return bounded_repr(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [json_safe(v, depth + 1) for v in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    return bounded_repr(value)


def _huge_int(value: int) -> str:
    # Python refuses to print integers of more than 4300 digits; say what it was instead.
    return f"<int of {value.bit_length()} bits>"


def json_float(value: float) -> float | str:
    """A float as JSON holds it: the number, or "NaN", "Infinity", "-Infinity"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def param_text(value: Any) -> tuple[str, str]:
    """A param value as (canonical text, type) — the text is what the store keeps."""
    value = _unwrap_numpy(value)
    if isinstance(value, bool):
        return str(value), "bool"
    if isinstance(value, int):
        return (
            (str(value), "int") if value.bit_length() <= _MAX_BITS else (_huge_int(value), "repr")
        )
    if isinstance(value, float):
        return repr(value), "float"
    if value is None:
        return "None", "none"
    if isinstance(value, str):
        return value, "str"
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return json.dumps(json_safe(value), ensure_ascii=False), "json"
    return bounded_repr(value), "repr"


def normalize_param(param: ParamInput) -> Param:
    """A submitted param as the store keeps it; canonical text+type from the front end stays."""
    key = validate_key(param.key, "param key")
    if param.type is not None and isinstance(param.value, str):
        if param.type not in VALUE_TYPES:
            raise InvalidArgument(
                f"param {key!r} has unknown type {param.type!r}; "
                f"expected one of {', '.join(VALUE_TYPES)}"
            )
        text, type_ = param.value, param.type
    else:
        text, type_ = param_text(param.value)
    source = param.source if isinstance(param.source, str) and param.source else "explicit"
    return Param(key, truncate(text, MAX_PARAM_VALUE_LENGTH), type_, source[:MAX_SOURCE_LENGTH])


def numeric_param_value(param: Param) -> float | None:
    """The number a param compares and sorts by, when it is numeric (ints, floats, numeric text)."""
    if param.type not in ("int", "float", "str") or not _NUMBER.fullmatch(param.value.strip()):
        return None
    try:
        number = float(param.value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def metric_float(value: Any, key: str = "") -> float:
    """A metric value as a float; NaN and ±Inf are legal, non-numbers are not."""
    label = f"metric {key!r}" if key else "metric value"
    dtype = getattr(value, "dtype", None)
    is_numpy_bool = dtype is not None and getattr(dtype, "kind", "") == "b"
    if isinstance(value, (str, bytes, bool)) or is_numpy_bool or not hasattr(value, "__float__"):
        raise InvalidArgument(
            f"{label} must be a number, got {type(value).__name__} {bounded_repr(value, 60)}"
        )
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise InvalidArgument(f"{label} must be a number: {error}") from None


def _int_field(value: Any, what: str) -> int:
    """An integer field (step, timestamp) checked: ints and numpy ints, never bools."""
    value = _unwrap_numpy(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{what} must be an integer, got {type(value).__name__}")
    if not -(2**63) <= value < 2**63:
        # SQLite's INTEGER is 64-bit; beyond it the driver raises OverflowError (a 500).
        raise InvalidArgument(f"{what} is out of range: it must fit in a signed 64-bit integer")
    return value


def normalize_metric(metric: MetricInput, default_timestamp: int) -> MetricInput:
    """A submitted metric point checked and completed (float value, int step and timestamp)."""
    key = validate_key(metric.key, "metric key")
    timestamp = default_timestamp if metric.timestamp is None else metric.timestamp
    source = metric.source if isinstance(metric.source, str) and metric.source else "explicit"
    return MetricInput(
        key=key,
        value=metric_float(metric.value, key),
        step=_int_field(metric.step, f"step of metric {key!r}"),
        timestamp=_int_field(timestamp, f"timestamp of metric {key!r}"),
        source=source[:MAX_SOURCE_LENGTH],
    )


def normalize_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """Tags checked: valid keys, string values (others converted) truncated to the limit."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InvalidArgument(f"tags must be a mapping of key to text, got {type(tags).__name__}")
    result = {}
    for key, value in tags.items():
        text = value if isinstance(value, str) else param_text(value)[0]
        result[validate_key(key, "tag key")] = truncate(text, MAX_TAG_VALUE_LENGTH)
    return result


def unique_params(params: Iterable[ParamInput]) -> list[Param]:
    """Params normalized, one per key; the same key twice with different values is an error."""
    result: dict[str, Param] = {}
    for param in params:
        checked = normalize_param(param)
        previous = result.get(checked.key)
        if previous is not None and previous.value != checked.value:
            raise InvalidArgument(
                f"param {checked.key!r} is given twice with different values "
                f"({previous.value!r} and {checked.value!r})"
            )
        result[checked.key] = checked
    return list(result.values())


_INT64 = 2**63


def normalized_points(
    points: Iterable[MetricInput], default_timestamp: int
) -> Iterator[MetricInput]:
    """Each point checked and completed like ``normalize_metric``, one at a time."""
    clean: set[str] = set()  # keys that normalize_metric passed unchanged
    for point in points:
        key, step, stamp, source = point.key, point.step, point.timestamp, point.source
        # A kernel flush sends thousands of points already in normal form: check those
        # with a few type tests instead of normalize_metric's full conversion of each.
        if (
            key in clean
            and type(point.value) is float
            and type(step) is int
            and type(stamp) is int
            and -_INT64 <= step < _INT64
            and -_INT64 <= stamp < _INT64
            and type(source) is str
            and 0 < len(source) <= MAX_SOURCE_LENGTH
        ):
            yield point
        else:
            checked = normalize_metric(point, default_timestamp)
            if checked.key == key:
                clean.add(key)
            yield checked


def _normal_numbers(numbers: list, kind: type) -> bool:
    """Whether every number is of type ``kind`` (an int within 64 bits), checked by C loops."""
    if set(map(type, numbers)) != {kind}:
        return False
    return kind is float or (-_INT64 <= min(numbers) and max(numbers) < _INT64)


def normal_columns(
    batch: MetricColumns,
) -> tuple[dict[str, tuple[list[int], list[int], list[float]]], list[MetricInput]]:
    """The columns of a batch's keys that are in normal form already (those ``normalized_points``
    would pass unchanged), and the points of its other keys, for ``normalized_points``."""
    normal = {}
    other: list[MetricInput] = []
    for key, (steps, stamps, values) in batch.columns.items():
        source = batch.sources[key]
        if not len(steps) == len(stamps) == len(values):
            raise InvalidArgument(f"the columns of metric {key!r} differ in length")
        if (
            validate_key(key, "metric key") == key
            and type(source) is str
            and 0 < len(source) <= MAX_SOURCE_LENGTH
            and _normal_numbers(values, float)
            and _normal_numbers(steps, int)
            and _normal_numbers(stamps, int)
        ):
            normal[key] = (steps, stamps, values)
        else:
            points = zip(values, steps, stamps, strict=True)
            other += (MetricInput(key, *point, source) for point in points)
    return normal, other


def unique_points(points: Iterable[MetricInput], default_timestamp: int) -> list[MetricInput]:
    """Metric points normalized; a later point with the same key, step and timestamp wins."""
    result: dict[tuple[str, int, int], MetricInput] = {}
    for checked in normalized_points(points, default_timestamp):
        identity = (checked.key, checked.step, checked.timestamp)
        result.pop(identity, None)
        result[identity] = checked
    return list(result.values())


def summarize_metrics(points: Iterable[MetricInput]) -> dict[str, MetricSummary]:
    """Per key, the latest point (highest step, then timestamp, then last given) and min/max/count.

    min and max ignore NaN unless every value is NaN.
    """
    grouped: dict[str, list[MetricInput]] = {}
    for point in points:
        grouped.setdefault(point.key, []).append(point)
    summaries = {}
    for key, group in grouped.items():
        latest = max(reversed(group), key=lambda p: (p.step, p.timestamp))
        numbers = [p.value for p in group if not math.isnan(p.value)]
        summaries[key] = MetricSummary(
            key=key,
            value=latest.value,
            step=latest.step,
            timestamp=latest.timestamp,
            min=min(numbers) if numbers else math.nan,
            max=max(numbers) if numbers else math.nan,
            count=len(group),
            source=latest.source,
        )
    return summaries


def check_name(name: object, what: str = "name") -> str:
    """An experiment or run name: a non-blank string of at most MAX_NAME_LENGTH characters."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgument(f"{what} must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidArgument(f"{what} is longer than {MAX_NAME_LENGTH} characters")
    return clean_text(name)


def check_status(status: object, allowed: Iterable[str] = STATUSES) -> str:
    """A run status from ``allowed``."""
    allowed = tuple(allowed)
    if status not in allowed:
        raise InvalidArgument(f"status must be one of {', '.join(allowed)}, got {status!r}")
    return str(status)


def optional_text(value: object, what: str, limit: int = MAX_TAG_VALUE_LENGTH) -> str | None:
    """None, or a string truncated to ``limit``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgument(f"{what} must be a string, got {type(value).__name__}")
    return truncate(value, limit)


def optional_int(value: object, what: str) -> int | None:
    """None, or an integer (never a bool)."""
    return None if value is None else _int_field(value, what)


def check_error(error: object) -> dict[str, str] | None:
    """A run's error as ``{name, message}`` text, or None."""
    if error is None:
        return None
    if not isinstance(error, Mapping):
        raise InvalidArgument(f"error must be a mapping with name and message, got {error!r}")
    return {
        "name": truncate(str(error.get("name", "")), MAX_NAME_LENGTH),
        "message": truncate(str(error.get("message", "")), MAX_TAG_VALUE_LENGTH),
    }


@dataclasses.dataclass(frozen=True)
class CheckedRun:
    """A NewRun validated and normalized, ready for any backend to write."""

    run: NewRun
    params: list[Param]
    metrics: list[MetricInput]
    tags: dict[str, str]
    code_hash: str


#: Most bytes of JSON a run's capture context keeps (a notebook snapshot is most of it).
MAX_CONTEXT_BYTES = 2_000_000


def _json_size(value: Any) -> int:
    """Characters of ``value`` as JSON, counted up to just past the context limit. The encoder
    runs as Python bytecode (iterencode without one-shot), so a server thread measuring
    megabytes never holds the GIL for long, as the C encoder would."""
    size = 0
    for chunk in json.JSONEncoder().iterencode(value):
        size += len(chunk)
        if size > MAX_CONTEXT_BYTES:
            break
    return size


def cap_context(context: dict[str, Any]) -> dict[str, Any]:
    """``context`` within ``MAX_CONTEXT_BYTES`` of JSON: while over, its largest entries are
    replaced by a note of their size, so the run is kept rather than refused."""
    sizes = {k: len(json.dumps(k)) + _json_size(v) for k, v in context.items()}
    total = sum(sizes.values())
    capped = dict(context)
    for key in sorted(sizes, key=sizes.__getitem__, reverse=True):
        if total <= MAX_CONTEXT_BYTES:
            return capped
        size = sizes[key]
        shown = f"more than {MAX_CONTEXT_BYTES}" if size > MAX_CONTEXT_BYTES else str(size)
        note = f"{TRUNCATION_MARKER} {shown} bytes, over the context limit"
        capped[key] = note
        total += len(json.dumps(key)) + len(json.dumps(note)) - size
    if total > MAX_CONTEXT_BYTES:
        raise InvalidArgument(f"context keys alone exceed {MAX_CONTEXT_BYTES} bytes")
    return capped


def check_new_run(run: NewRun) -> CheckedRun:
    """Validate and normalize everything in ``run``; InvalidArgument says what is wrong."""
    if not isinstance(run.experiment_id, str) or not run.experiment_id:
        raise InvalidArgument("experiment_id must be a non-empty string")
    if run.source not in SOURCES:
        raise InvalidArgument(f"source must be one of {', '.join(SOURCES)}, got {run.source!r}")
    status = check_status(run.status)
    now = now_ms()
    start_time = optional_int(run.start_time, "start_time")
    end_time = optional_int(run.end_time, "end_time")
    if end_time is None and status != "RUNNING":
        end_time = now
    if not isinstance(run.code, str):
        raise InvalidArgument(f"code must be a string, got {type(run.code).__name__}")
    if not isinstance(run.note, str):
        raise InvalidArgument(f"note must be a string, got {type(run.note).__name__}")
    if not isinstance(run.context, Mapping):
        raise InvalidArgument(f"context must be a mapping, got {type(run.context).__name__}")
    name = optional_text(run.name, "name", MAX_NAME_LENGTH)
    checked = dataclasses.replace(
        run,
        status=status,
        name=name if name and name.strip() else None,
        start_time=now if start_time is None else start_time,
        end_time=end_time,
        notebook_path=optional_text(run.notebook_path, "notebook_path"),
        cell_id=optional_text(run.cell_id, "cell_id"),
        execution_count=optional_int(run.execution_count, "execution_count"),
        kernel_name=optional_text(run.kernel_name, "kernel_name"),
        language=optional_text(run.language, "language"),
        code=truncate(run.code, MAX_CODE_LENGTH),
        git_commit=optional_text(run.git_commit, "git_commit"),
        user=optional_text(run.user, "user"),
        note=truncate(run.note, MAX_CODE_LENGTH),
        parent_run_id=optional_text(run.parent_run_id, "parent_run_id"),
        error=check_error(run.error),
        context=cap_context(json_safe(run.context)),
    )
    return CheckedRun(
        run=checked,
        params=unique_params(run.params),
        metrics=unique_points(run.metrics, now),
        tags=normalize_tags(run.tags),
        code_hash=hashlib.sha256(run.code.encode("utf-8", "surrogatepass")).hexdigest(),
    )


#: Most experiments one search may span.
MAX_EXPERIMENT_IDS = 1000


def check_search_arguments(experiment_ids: Any, max_results: Any, view: Any) -> list[str]:
    """The experiment ids of a search, de-duplicated, after checking every argument that
    does not depend on the backend; ``InvalidArgument`` says what is wrong."""
    if isinstance(experiment_ids, str):
        experiment_ids = [experiment_ids]
    ids = list(dict.fromkeys(experiment_ids))
    if len(ids) > MAX_EXPERIMENT_IDS:
        raise InvalidArgument(f"search at most {MAX_EXPERIMENT_IDS} experiments at once")
    if isinstance(max_results, bool) or not isinstance(max_results, int):
        raise InvalidArgument(f"max_results must be an integer, got {max_results!r}")
    if not 1 <= max_results <= MAX_RESULTS_LIMIT:
        raise InvalidArgument(f"max_results must be between 1 and {MAX_RESULTS_LIMIT}")
    if view not in VIEWS:
        raise InvalidArgument(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    return ids


def check_offset(offset: Any, page_token: str | None) -> int:
    """A search's row offset, checked: a non-negative integer, never beside a page token
    (the token already says where its page starts)."""
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise InvalidArgument(f"offset must be an integer, got {offset!r}")
    if offset < 0:
        raise InvalidArgument(f"offset must be 0 or more, got {offset}")
    if offset and page_token:
        raise InvalidArgument(
            "offset and page_token cannot be combined: a page token already says where its "
            "page starts"
        )
    return offset


@dataclasses.dataclass(frozen=True)
class RunUpdate:
    """The checked arguments of ``update_run``."""

    name: str | None
    note: str | None
    set_tags: dict[str, str]
    delete_tags: list[str]


def check_update_arguments(
    name: Any, note: Any, set_tags: Mapping[str, Any] | None, delete_tags: Iterable[Any]
) -> RunUpdate:
    """``update_run``'s arguments checked the same for every backend; ``InvalidArgument`` says
    what is wrong, and a note over the code limit is truncated with a marker."""
    checked_name = None if name is None else check_name(name, "run name")
    if note is not None and not isinstance(note, str):
        raise InvalidArgument(f"note must be a string, got {type(note).__name__}")
    return RunUpdate(
        name=checked_name,
        note=None if note is None else truncate(note, MAX_CODE_LENGTH),
        set_tags=normalize_tags(set_tags),
        delete_tags=[validate_key(key, "tag key") for key in delete_tags],
    )
