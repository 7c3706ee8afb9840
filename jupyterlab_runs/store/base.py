"""The store contract: what every backend (embedded SQLite, MLflow server) presents.

Frozen dataclasses describe what comes out of a store; ``NewRun`` and friends describe
what goes in. Everything here is plain data so the server, the kernel and the tests can
share it without importing a backend.
"""

from __future__ import annotations

import abc
import io
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

from .downsample import thin

RunStatus = Literal["RUNNING", "FINISHED", "FAILED", "KILLED"]
RunSource = Literal["toolbar", "auto", "magic", "api", "import"]
ValueType = Literal["int", "float", "bool", "none", "str", "json", "repr"]
ViewType = Literal["active", "deleted", "all"]

STATUSES: tuple[str, ...] = ("RUNNING", "FINISHED", "FAILED", "KILLED")
SOURCES: tuple[str, ...] = ("toolbar", "auto", "magic", "api", "import")
VALUE_TYPES: tuple[str, ...] = ("int", "float", "bool", "none", "str", "json", "repr")
VIEWS: tuple[str, ...] = ("active", "deleted", "all")

# Limits match or exceed MLflow's (mlflow/utils/validation.py) so whatever MLflow accepts we accept.
MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_NAME_LENGTH = 500
MAX_CODE_LENGTH = 1_000_000
MAX_RESULTS_LIMIT = 50_000
TRUNCATION_MARKER = "…[truncated]"


class StoreError(Exception):
    """Base class of every error a store raises on purpose; ``http_status`` maps it to REST."""

    http_status = 500
    error = "store_error"


class InvalidArgument(StoreError):
    """The caller passed something the store cannot accept (bad key, bad value, bad option)."""

    http_status = 400
    error = "invalid_argument"


class FilterError(InvalidArgument):
    """A filter expression does not parse or does not type-check; ``position`` is 0-based."""

    error = "invalid_filter"

    def __init__(self, message: str, position: int | None = None):
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{message}{where}")
        self.position = position


class NotFound(StoreError):
    """No experiment, run or artifact with that id or name."""

    http_status = 404
    error = "not_found"


class Conflict(StoreError):
    """The request contradicts the stored state (duplicate experiment name, …)."""

    http_status = 409
    error = "conflict"


class StoreUnavailable(StoreError):
    """The store cannot be opened or written (missing directory, read-only file, …)."""

    http_status = 503
    error = "store_unavailable"


@dataclass(frozen=True)
class Experiment:
    """A named group of runs; versions are numbered within it."""

    id: str
    name: str
    created: int
    notebook_path: str | None = None
    description: str = ""
    deleted_time: int | None = None
    run_count: int = 0


@dataclass(frozen=True)
class Param:
    """One parameter of a run: its text value, original type and where it was captured."""

    key: str
    value: str
    type: str = "str"
    source: str = "explicit"


@dataclass(frozen=True)
class MetricSummary:
    """A run's metric as tables show it: last value plus min/max over its history."""

    key: str
    value: float
    step: int
    timestamp: int
    min: float
    max: float
    count: int = 1
    source: str = "explicit"


@dataclass(frozen=True)
class MetricPoint:
    """One point of a metric's history."""

    key: str
    value: float
    step: int
    timestamp: int

    @classmethod
    def series(
        cls, key: str, values: Iterable[float], steps: Iterable[int], stamps: Iterable[int]
    ) -> list[MetricPoint]:
        """The points of one key, equal to ``MetricPoint(key, value, step, timestamp)`` each.

        A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__``,
        which was most of the time of reading a 10,000-step history; filling the instance
        dict directly does what it ends with, ~2.5x faster.
        """
        new = object.__new__
        points = []
        for value, step, stamp in zip(values, steps, stamps, strict=True):
            point = new(cls)
            fields = point.__dict__
            fields["key"], fields["value"] = key, value
            fields["step"], fields["timestamp"] = step, stamp
            points.append(point)
        return points


@dataclass(frozen=True)
class Artifact:
    """A file stored with a run; ``path`` is relative to the run's artifact root."""

    path: str
    size: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class Run:
    """A stored run with its params, latest metrics and tags."""

    id: str
    experiment_id: str
    version: int
    name: str
    status: str
    source: str
    start_time: int
    end_time: int | None = None
    notebook_path: str | None = None
    cell_id: str | None = None
    execution_count: int | None = None
    kernel_name: str | None = None
    language: str | None = None
    code: str = ""
    code_hash: str = ""
    git_commit: str | None = None
    user: str | None = None
    note: str = ""
    parent_run_id: str | None = None
    deleted_time: int | None = None
    error: Mapping[str, str] | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Param] = field(default_factory=dict)
    metrics: Mapping[str, MetricSummary] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def duration_ms(self) -> int | None:
        """Wall time of the run, when it has ended."""
        return None if self.end_time is None else self.end_time - self.start_time


@dataclass
class ParamInput:
    """A param as a caller submits it; ``value`` may be any JSON-able Python value."""

    key: str
    value: Any
    type: str | None = None
    source: str = "explicit"


@dataclass
class MetricInput:
    """A metric point as a caller submits it; NaN and ±Inf are legal."""

    key: str
    value: float
    step: int = 0
    timestamp: int | None = None
    source: str = "explicit"


class MetricColumns:
    """Metric points by key as parallel lists (steps, timestamps, values), with each key's
    source: thousands of points without an object per point (a kernel's flush), checked by a
    store a column at a time. Iterated, it gives MetricInputs, as any other batch does."""

    def __init__(
        self,
        columns: Mapping[str, tuple[list[int], list[int], list[float]]],
        sources: Mapping[str, str],
    ) -> None:
        self.columns = columns
        self.sources = sources

    def __iter__(self) -> Iterator[MetricInput]:
        for key, (steps, stamps, values) in self.columns.items():
            source = self.sources[key]
            for step, stamp, value in zip(steps, stamps, values, strict=True):
                yield MetricInput(key, value, step, stamp, source)


@dataclass
class NewRun:
    """Everything needed to create a run in one call (the capture produces exactly this)."""

    experiment_id: str
    status: str = "FINISHED"
    source: str = "api"
    name: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    notebook_path: str | None = None
    cell_id: str | None = None
    execution_count: int | None = None
    kernel_name: str | None = None
    language: str | None = None
    code: str = ""
    git_commit: str | None = None
    user: str | None = None
    note: str = ""
    parent_run_id: str | None = None
    error: Mapping[str, str] | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    params: Sequence[ParamInput] = ()
    metrics: Sequence[MetricInput] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One page of a search; pass ``next_page_token`` back to get the next one.
    ``total_is_lower_bound``: the back end could not count every match (MLflow has no count),
    so ``total`` means "at least"."""

    items: list[Any]
    next_page_token: str | None
    total: int
    total_is_lower_bound: bool = False


# Rows per request while walking to an offset (walk_to_offset).
WALK_PAGE = 1000


def walk_to_offset(search: Callable[[int, str | None], Page], offset: int, size: int) -> Page:
    """The page of ``size`` rows starting at row ``offset``, for a back end that can only
    page by token: ``search(max_results, page_token)`` pages up to it are read and dropped."""
    token = None
    while offset > 0:
        page = search(min(offset, WALK_PAGE), token)
        offset -= len(page.items)
        token = page.next_page_token
        if token is None:
            return Page([], None, page.total, page.total_is_lower_bound)
    return search(size, token)


@dataclass(frozen=True)
class Change:
    """One entry of the change feed: ``kind`` is run|experiment, ``op`` created|updated|deleted."""

    cursor: int
    kind: str
    op: str
    id: str
    experiment_id: str | None
    time: int


@dataclass(frozen=True)
class Keys:
    """Param, metric and tag keys present in some experiments (for columns and completion)."""

    params: list[str]
    metrics: list[str]
    tags: list[str]


class RunStore(abc.ABC):
    """What the server and the kernel need from a store. Every method is thread-safe."""

    # -- experiments ---------------------------------------------------------------------
    @abc.abstractmethod
    def create_experiment(
        self, name: str, notebook_path: str | None = None, description: str = ""
    ) -> Experiment:
        """Create an experiment; ``Conflict`` if the name is taken."""

    @abc.abstractmethod
    def get_or_create_experiment(self, name: str, notebook_path: str | None = None) -> Experiment:
        """The experiment with this name, created if it does not exist (race-free)."""

    @abc.abstractmethod
    def get_experiment(self, experiment_id: str) -> Experiment:
        """One experiment by id; ``NotFound`` if absent."""

    @abc.abstractmethod
    def get_experiment_by_name(self, name: str) -> Experiment:
        """One experiment by name; ``NotFound`` if absent."""

    @abc.abstractmethod
    def list_experiments(self, view: ViewType = "active") -> list[Experiment]:
        """All experiments, most recently created first."""

    @abc.abstractmethod
    def update_experiment(
        self, experiment_id: str, name: str | None = None, description: str | None = None
    ) -> Experiment:
        """Rename or re-describe an experiment; ``Conflict`` if the new name is taken."""

    @abc.abstractmethod
    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment (its runs stay, hidden with it)."""

    # -- runs ----------------------------------------------------------------------------
    @abc.abstractmethod
    def create_run(self, run: NewRun) -> Run:
        """Save a whole run atomically, assigning the experiment's next version."""

    @abc.abstractmethod
    def log_batch(
        self,
        run_id: str,
        params: Iterable[ParamInput] = (),
        metrics: Iterable[MetricInput] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Add params, metric points and tags to an existing run in one transaction."""

    @abc.abstractmethod
    def end_run(
        self,
        run_id: str,
        status: str,
        end_time: int | None = None,
        error: Mapping[str, str] | None = None,
    ) -> Run:
        """Close a RUNNING run with its final status."""

    def log_and_end_run(
        self,
        run_id: str,
        status: str,
        end_time: int | None = None,
        error: Mapping[str, str] | None = None,
        params: Iterable[ParamInput] = (),
        metrics: Iterable[MetricInput] = (),
        tags: Mapping[str, str] | None = None,
    ) -> Run:
        """``log_batch`` then ``end_run``: a run's last values and its end. A store that can
        do both in one transaction overrides this (a writer then takes the lock once)."""
        if params or metrics or tags:  # an empty batch is no request to a remote store
            self.log_batch(run_id, params, metrics, tags)
        return self.end_run(run_id, status, end_time, error)

    def kill_orphaned_runs(self) -> list[str]:
        """Mark KILLED the RUNNING runs whose writer died; a backend that cannot tell keeps
        them (the default), so a run that is still being logged is never cut short."""
        return []

    @abc.abstractmethod
    def get_run(self, run_id: str) -> Run:
        """One run with params, metric summaries and tags; ``NotFound`` if absent."""

    @abc.abstractmethod
    def get_run_by_version(self, experiment_id: str, version: int) -> Run:
        """One run by its version within an experiment."""

    @abc.abstractmethod
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter: str = "",
        order_by: Sequence[str] = (),
        max_results: int = 100,
        page_token: str | None = None,
        view: ViewType = "active",
        summary: bool = False,
        offset: int = 0,
    ) -> Page:
        """Runs matching an MLflow-style filter, ordered, one keyset page at a time.

        ``summary`` runs may leave ``code`` empty and ``context`` empty: lists and tables never
        show them, and reading them for a page of runs is most of a page's cost.
        ``offset`` (never with ``page_token``) starts the page at that row of the whole
        result, for a far jump; its ``next_page_token`` continues from there by keyset."""

    @abc.abstractmethod
    def update_run(
        self,
        run_id: str,
        name: str | None = None,
        note: str | None = None,
        set_tags: Mapping[str, str] | None = None,
        delete_tags: Sequence[str] = (),
    ) -> Run:
        """Rename, annotate or re-tag a run."""

    @abc.abstractmethod
    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run (restorable)."""

    @abc.abstractmethod
    def restore_run(self, run_id: str) -> Run:
        """Undo a soft delete."""

    @abc.abstractmethod
    def metric_history(
        self, run_id: str, key: str, steps: tuple[int, int] | None = None
    ) -> list[MetricPoint]:
        """Every point of one metric of one run, by step; with ``steps`` = (first, last) only
        those whose step lies between them, both ends included (a zoomed chart's range)."""

    def metric_extremes(
        self, run_id: str, key: str, max_points: int, steps: tuple[int, int] | None = None
    ) -> list[MetricPoint]:
        """At most ``max_points`` (≥ 2) points of one metric's history (``steps``: of that
        range), each exactly as ``metric_history`` gives it: the first, the last and the lowest
        and highest of each stretch between them, so a chart of them keeps every spike. The
        default reads every point; a store that summarizes stretches may read less."""
        return list(thin(self.metric_history(run_id, key, steps), max_points))

    @abc.abstractmethod
    def list_keys(self, experiment_ids: Sequence[str]) -> Keys:
        """Param, metric and tag keys used by runs of these experiments."""

    @abc.abstractmethod
    def changes(self, since: int = 0, limit: int = 1000) -> tuple[int, list[Change]]:
        """Changes after cursor ``since`` and the cursor to pass next time."""

    # -- artifacts -----------------------------------------------------------------------
    @abc.abstractmethod
    def log_artifact(
        self, run_id: str, path: str, data: bytes, media_type: str | None = None
    ) -> Artifact:
        """Store a file under the run; ``path`` is relative and confined to the run."""

    @abc.abstractmethod
    def list_artifacts(self, run_id: str) -> list[Artifact]:
        """Files stored with a run."""

    @abc.abstractmethod
    def read_artifact(self, run_id: str, path: str) -> bytes:
        """The bytes of one artifact; ``NotFound`` if absent, ``InvalidArgument`` if unconfined."""

    def open_artifact(self, run_id: str, path: str) -> BinaryIO:
        """One artifact as a binary file to read in chunks (downloads stream it); stores that
        keep files on disk open them, the default reads the artifact whole."""
        return io.BytesIO(self.read_artifact(run_id, path))

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release connections; the default has nothing to release."""


def in_steps(points: list[MetricPoint], steps: tuple[int, int] | None) -> list[MetricPoint]:
    """The points (sorted by step) whose step lies in ``steps``, both ends included."""
    if steps is None:
        return points
    first = bisect_left(points, steps[0], key=lambda p: p.step)
    return points[first : bisect_right(points, steps[1], lo=first, key=lambda p: p.step)]
