"""A run being logged by the kernel.

Two modes, decided when the run starts:

- **deferred** (``%%track``, implicit runs, claimed cells, and runs nested under those):
  everything stays in memory and is written by one ``create_run`` when the run ends, so a
  run is saved whole or not at all; a ``%%track`` or implicit run still logging steps after
  half a second goes live (flusher.py), so a crash cannot take its whole history;
- **live** (``start_run``): the run row is created at start (``RUNNING``), logged values are
  buffered and written with ``log_batch`` every ``FLUSH_POINTS`` points, every half second
  (flusher.py), at the end of each cell, at ``end_run`` and at interpreter exit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from ..store.base import (
    MAX_PARAM_VALUE_LENGTH,
    Conflict,
    InvalidArgument,
    MetricColumns,
    MetricInput,
    ParamInput,
    Run,
)
from ..store.values import (
    json_float,
    metric_float,
    normalize_tags,
    optional_int,
    param_text,
    truncate,
    validate_key,
)

FLUSH_POINTS = 5000
# Points a live run may buffer while its writer thread is behind; past this (and only then)
# the logging thread waits for the write itself, so memory cannot grow without bound.
MAX_BUFFERED_POINTS = 1_000_000
FLUSH_SECONDS = 2.0
# One write takes at most a full buffer's points: a writer thread that fell behind catches
# up in bounded steps, each letting go of the GIL in its SQLite calls, instead of one long
# batch whose Python part holds it while the logging thread waits (B2's pauses).
WRITE_POINTS = FLUSH_POINTS
# A claimed cell's values travel in its output, which the notebook keeps: long step
# histories are thinned to this many points per key (first and last always kept).
MAX_CLAIM_POINTS = 1000


def _step(step: Any, key: str) -> int:
    """A step checked like the store checks it: a 64-bit int (numpy ints too), never a bool,
    so a bad one fails the call instead of the later write of the whole batch."""
    if type(step) is int and -(2**63) <= step < 2**63:
        return step
    return optional_int(step, f"step of metric {key!r}")


class TakenPoints(MetricColumns):
    """Points taken from the buffer for one write, handed to the store as columns per key:
    no object per point, which a write of thousands would keep alive through garbage
    collections and so set off full ones (B2's longest pauses; the buffer's tuples of
    numbers are not tracked). Keeps what was taken, to be put back if the store refuses it."""

    def __init__(
        self,
        points: list[tuple[str, float, int, int]],
        sources: dict[str, str],
        captured: list[MetricInput],
    ) -> None:
        self.points = points
        self.captured = captured
        grouped: dict[str, list[tuple[int, int, float]]] = {}
        for key, value, step, timestamp in points:
            grouped.setdefault(key, []).append((step, timestamp, value))
        for metric in captured:  # their keys are never explicit ones (add_captured_metrics)
            grouped.setdefault(metric.key, []).append((metric.step, metric.timestamp, metric.value))
        super().__init__(
            {key: tuple(map(list, zip(*group, strict=True))) for key, group in grouped.items()},
            {
                **{key: sources.get(key, "explicit") for key in grouped},
                **{metric.key: metric.source for metric in captured},
            },
        )

    def __len__(self) -> int:
        return len(self.points) + len(self.captured)


def canonical_param(key: str, value: Any, source: str = "explicit") -> ParamInput:
    """A param as the store will keep it, taken now so later mutation of ``value`` is ignored."""
    text, type_ = param_text(value)
    return ParamInput(key, truncate(text, MAX_PARAM_VALUE_LENGTH), type_, source)


def outcome(error: BaseException | None) -> tuple[str, dict[str, str] | None]:
    """Run status and error record for how a block or cell ended."""
    if error is None:
        return "FINISHED", None
    status = "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED"
    return status, {"name": type(error).__name__, "message": str(error)[:2000]}


class ActiveRun:
    """A run being logged. ``start_run`` returns one; ``with`` ends it when the block ends."""

    def __init__(
        self,
        session: Any,
        *,
        experiment: str,
        name: str | None = None,
        source: str = "api",
        parent: ActiveRun | None = None,
        live: bool = False,
        kind: str = "explicit",
        context: dict[str, Any] | None = None,
    ) -> None:
        self._session = session
        self.experiment_name = experiment
        self.name = name
        self.source = source
        self.parent = parent
        self.live = live
        self.kind = kind  # explicit | track | implicit | claim
        self.context = dict(context or {})
        self.start_time = time.time_ns() // 1_000_000
        self.end_time: int | None = None
        self.status = "RUNNING"
        self.error: dict[str, str] | None = None
        self.stored: Run | None = None
        self.children: list[ActiveRun] = []
        self.artifacts: list[tuple[str, bytes, str | None]] = []
        self.chart: Any = None
        self._params: dict[str, ParamInput] = {}
        self._fallback_params: list[ParamInput] = []  # papermill, scanned: explicit ones win
        self._tags: dict[str, str] = {}
        # Appended by the logging thread, drained by the flusher's: a deque needs no lock.
        self._points: deque[tuple[str, float, int, int]] = deque()
        self._lock = threading.Lock()  # pending params and tags, shared with the flusher
        self._pending_captured: list[MetricInput] = []
        # Deferred runs that go live when they outlast the flush interval (flusher.py).
        self.promotable = kind in ("track", "implicit") and parent is None
        self._captured: list[MetricInput] = []
        self._metric_keys: set[str] = set()
        self._metric_sources: dict[str, str] = {}  # keys logged by MLflow, say
        self._checked: set[str] = set()
        self._pending_params: list[ParamInput] = []
        self._pending_tags: dict[str, str] = {}
        self._flush_due = time.monotonic() + FLUSH_SECONDS
        self._flush_size = FLUSH_POINTS

    # -- what callers see --------------------------------------------------------------
    @property
    def run_id(self) -> str | None:
        """The store's id of the run (None until a deferred run is saved)."""
        return self.stored.id if self.stored is not None else None

    @property
    def version(self) -> int | None:
        """The run's version in its experiment (None until a deferred run is saved)."""
        return self.stored.version if self.stored is not None else None

    def __repr__(self) -> str:
        where = f"v{self.version}" if self.version is not None else "unsaved"
        return f"<ActiveRun {where} of {self.experiment_name!r} {self.status}>"

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._session.end(self, error=exc)
        return False

    # -- logging -------------------------------------------------------------------------
    def _check(self, key: Any, what: str) -> None:
        validate_key(key, what)
        self._checked.add(key)

    def log_param(self, key: str, value: Any, source: str = "explicit") -> None:
        """Record a param; a key logged before must keep its value (like the store)."""
        if key not in self._checked:
            self._check(key, "param key")
        param = canonical_param(key, value, source)
        known = self._params.get(key)
        if known is not None:
            if known.value != param.value:
                raise Conflict(
                    f"param {key!r} is already {known.value!r}; params cannot change once "
                    f"logged (got {param.value!r})"
                )
            return
        self._params[key] = param
        if self.live:
            with self._lock:
                self._pending_params.append(param)

    def add_fallback_params(self, params: list[ParamInput]) -> None:
        """Params that explicit ones override (papermill's, then the cell's literals)."""
        self._fallback_params.extend(params)

    def set_tag(self, key: str, value: Any) -> None:
        """Set a tag (later values replace earlier ones)."""
        tag = normalize_tags({key: value})
        self._tags.update(tag)
        if self.live:
            with self._lock:
                self._pending_tags.update(tag)

    def log_metric(
        self,
        key: str,
        value: Any,
        step: Any = None,
        timestamp: int | None = None,
        source: str = "explicit",
    ) -> None:
        """Buffer one metric point; the hot path of training loops, so kept lean."""
        if key not in self._checked:
            self._check(key, "metric key")
            if source != "explicit":
                self._metric_sources[key] = source
        if type(value) is not float:
            value = metric_float(value, key)
        point_step = 0 if step is None else _step(step, key)
        if timestamp is None:
            timestamp = time.time_ns() // 1_000_000
        elif type(timestamp) is not int:
            raise InvalidArgument(f"timestamp of metric {key!r} must be an integer (ms)")
        self._points.append((key, value, point_step, timestamp))
        self._metric_keys.add(key)
        if step is not None and self.chart is not None:
            self.chart.add(key, value, point_step)
        if self.live and (
            len(self._points) >= self._flush_size or time.monotonic() >= self._flush_due
        ):
            self._flush_soon()

    def _flush_soon(self) -> None:
        """Hand a due write to the writer thread; write here only past the hard cap."""
        if len(self._points) >= MAX_BUFFERED_POINTS:
            self._session.flush(self)
            return
        # Not due again until the writer takes this batch (take_batch resets both).
        self._flush_size = len(self._points) + FLUSH_POINTS
        self._flush_due = time.monotonic() + FLUSH_SECONDS
        self._session.wake_flusher()

    def add_captured_metrics(self, metrics: list[MetricInput]) -> None:
        """Metrics the capture found (variables, printed lines), kept only for keys that no
        explicit call logged and not already captured from a stronger source."""
        seen = {m.key for m in self._captured}
        for metric in metrics:
            if metric.key not in self._metric_keys and metric.key not in seen:
                self._captured.append(metric)
                seen.add(metric.key)

    # -- what gets written -----------------------------------------------------------------
    def take_batch(
        self, limit: int | None = None
    ) -> tuple[list[ParamInput], TakenPoints, dict[str, str]]:
        """The values logged since the last flush (at most ``limit`` points of them), removed
        from the buffer."""
        with self._lock:
            count = len(self._points) if limit is None else min(limit, len(self._points))
            points = [self._points.popleft() for _ in range(count)]
            params, self._pending_params = self._pending_params, []
            tags, self._pending_tags = self._pending_tags, {}
            captured, self._pending_captured = self._pending_captured, []
        self._flush_due = time.monotonic() + FLUSH_SECONDS
        self._flush_size = FLUSH_POINTS
        return params, TakenPoints(points, self._metric_sources, captured), tags

    def restore_batch(
        self, params: list[ParamInput], metrics: TakenPoints, tags: dict[str, str]
    ) -> None:
        """Put back a batch the store refused; retry after another full buffer or interval."""
        with self._lock:
            self._points.extendleft(reversed(metrics.points))
            self._pending_captured[:0] = metrics.captured  # keeping their sources
            self._pending_params[:0] = params
            self._pending_tags = {**tags, **self._pending_tags}
        self._flush_size = len(self._points) + FLUSH_POINTS

    def final_params(self) -> list[ParamInput]:
        """Explicit params, then fallbacks for keys nobody logged explicitly (first wins)."""
        merged = dict(self._params)
        for param in self._fallback_params:
            merged.setdefault(param.key, param)
        return list(merged.values())

    def queue_leftover_params(self) -> None:
        """Queue the fallback params of a live run that no explicit call overrode."""
        queued = {p.key for p in self._pending_params}
        for param in self.final_params():
            if param.key not in queued and self._params.get(param.key) is not param:
                self._pending_params.append(param)
                queued.add(param.key)

    def go_live(self) -> None:
        """Turn a deferred run live: what it logged so far becomes pending for the store."""
        with self._lock:
            self.live = True
            self._pending_params = list(self._params.values())
            self._pending_tags = dict(self._tags)

    def queue_captured(self) -> None:
        """Queue the captured metrics of a run that went live (a deferred run saves them)."""
        with self._lock:
            self._pending_captured.extend(self._captured)

    def buffered(self) -> int:
        """How many values wait to be written."""
        pending = len(self._pending_params) + len(self._pending_tags) + len(self._pending_captured)
        return len(self._points) + pending

    def _inputs(self, points: list[tuple[str, float, int, int]]) -> list[MetricInput]:
        sources = self._metric_sources
        return [MetricInput(k, v, s, t, sources.get(k, "explicit")) for k, v, s, t in points]

    def all_metrics(self) -> list[MetricInput]:
        """Every explicit point, then the captured metrics."""
        return self._inputs(self._points) + self._captured

    @property
    def tags(self) -> dict[str, str]:
        """Tags set so far."""
        return dict(self._tags)

    def explicit_payload(self) -> dict[str, Any]:
        """The claimed-cell output payload (``application/vnd.jupyterlab-runs.log+json``)."""
        return {
            "version": 1,
            "params": [
                {"key": p.key, "value": p.value, "type": p.type, "source": p.source}
                for p in self._params.values()
            ],
            "metrics": [
                {
                    "key": k,
                    "value": json_float(v),
                    "step": s,
                    "timestamp": t,
                    "source": self._metric_sources.get(k, "explicit"),
                }
                for k, v, s, t in _thinned(self._points, MAX_CLAIM_POINTS)
            ],
            "tags": dict(self._tags),
        }

    def finish(self, error: BaseException | None) -> None:
        """Record how the run ended."""
        self.status, self.error = outcome(error)
        self.end_time = time.time_ns() // 1_000_000


def _thinned(points: list[tuple[str, float, int, int]], limit: int) -> list:
    """At most ``limit`` evenly spread points per key, keeping each key's first and last."""
    by_key: dict[str, list[int]] = {}
    for index, point in enumerate(points):
        by_key.setdefault(point[0], []).append(index)
    keep: set[int] = set()
    for indexes in by_key.values():
        if len(indexes) <= limit:
            keep.update(indexes)
            continue
        stride = (len(indexes) - 1) / (limit - 1)
        keep.update(indexes[round(i * stride)] for i in range(limit))
    return [point for index, point in enumerate(points) if index in keep]
