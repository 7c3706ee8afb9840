"""Copying experiments and runs between stores: import from MLflow, export to MLflow.

Import reads through MLflow's own Python API (``MlflowClient``), which reads an ``mlruns/``
folder, an MLflow database (``sqlite:///mlflow.db``, ``postgresql://…``) and a tracking
server alike; export reads our store and writes through the store contract, so any target
works (an MLflow server through ``MlflowStore``, another embedded store). Runs are copied in
start-time order (import) or version order (export), so the target numbers them the same way.

Both directions are idempotent: each copy carries the id of the run it came from in the tag
``jupyterlab_runs.imported_from``, and a run is skipped when the target experiment already
holds a copy of it, or holds the run it was itself copied from (an export imported back).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .base import (
    Artifact,
    Experiment,
    InvalidArgument,
    MetricInput,
    MetricPoint,
    NewRun,
    NotFound,
    ParamInput,
    Run,
    RunStore,
    StoreUnavailable,
)
from .mlflow.mapping import (
    ARTIFACT_MARK,
    CODE_ARTIFACT,
    CONTEXT_ARTIFACT,
    TAG_CODE_HASH,
    TAG_CONTEXT,
    TAG_IMPORTED_FROM,
    code_hash,
    experiment_from_mlflow,
    metric_value,
    run_from_mlflow,
    run_version,
    tags_of,
)
from .mlflow.versions import LEDGER_EXPERIMENT

INTERNAL_FOLDER = "jupyterlab_runs/"
_MLFLOW_SETTINGS = {
    "MLFLOW_ALLOW_FILE_STORE": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}
PAGE = 1000


@dataclass
class Report:
    """What a transfer did."""

    experiments: int = 0
    runs: int = 0
    skipped: int = 0
    artifacts: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"{self.runs} runs copied into {self.experiments} experiments "
            f"({self.skipped} already there), {self.artifacts} artifacts"
        )
        return "\n".join([text, *(f"warning: {p}" for p in self.problems)])


class Source(Protocol):
    """What a transfer reads: experiments, their runs (``complete`` fills in what a listing
    may leave short, such as long code), histories and artifacts."""

    def experiments(self) -> list[Experiment]: ...

    def runs(self, experiment: Experiment) -> list[Run]: ...

    def complete(self, run: Run) -> Run: ...

    def history(self, run: Run, key: str) -> list[MetricPoint]: ...

    def artifacts(self, run: Run) -> list[Artifact]: ...

    def read(self, run: Run, path: str) -> bytes: ...


class StoreSource:
    """One of our stores as a source: active experiments, active runs by version."""

    def __init__(self, store: RunStore):
        self.store = store

    def experiments(self) -> list[Experiment]:
        return list(reversed(self.store.list_experiments()))

    def runs(self, experiment: Experiment) -> list[Run]:
        found, token = [], None
        while True:
            page = self.store.search_runs(
                [experiment.id], order_by=["version"], max_results=PAGE, page_token=token
            )
            found += page.items
            token = page.next_page_token
            if token is None:
                return found

    def complete(self, run: Run) -> Run:
        return self.store.get_run(run.id)

    def history(self, run: Run, key: str) -> list[MetricPoint]:
        return self.store.metric_history(run.id, key)

    def artifacts(self, run: Run) -> list[Artifact]:
        return self.store.list_artifacts(run.id)

    def read(self, run: Run, path: str) -> bytes:
        return self.store.read_artifact(run.id, path)


def tracking_uri(source: str) -> str:
    """An MLflow tracking URI for an ``mlruns/`` folder, a database file or a URI."""
    if "://" in source or source.startswith("databricks"):
        return source
    path = Path(source).expanduser().absolute()
    if path.is_dir():
        return path.as_uri()
    if path.is_file():
        return f"sqlite:///{path}"
    raise InvalidArgument(f"{source!r} is not an mlruns/ folder, an MLflow database or a URI")


class MlflowSource:
    """An MLflow store read through ``MlflowClient``: active experiments, runs by start time."""

    def __init__(self, uri: str):
        try:
            from mlflow.tracking import MlflowClient
        except ImportError as error:
            raise StoreUnavailable(
                f"importing from MLflow needs mlflow ({error}); "
                "install it with: pip install 'jupyterlab-runs[mlflow]'"
            ) from error
        self.client = MlflowClient(tracking_uri=tracking_uri(uri))
        self._tags: dict[str, dict[str, str]] = {}

    def experiments(self) -> list[Experiment]:
        from mlflow.utils.proto_json_utils import message_to_json

        found: list[Experiment] = []
        for experiment in _pages(lambda token: self.client.search_experiments(page_token=token)):
            payload = json.loads(message_to_json(experiment.to_proto()))
            if not payload["name"].startswith(LEDGER_EXPERIMENT):
                found.append(experiment_from_mlflow(payload))
        return sorted(found, key=lambda e: (e.created, e.id))

    def runs(self, experiment: Experiment) -> list[Run]:
        from mlflow.utils.proto_json_utils import message_to_json

        def page(token: str | None) -> Any:
            return self.client.search_runs(
                [experiment.id],
                max_results=PAGE,
                order_by=["attributes.start_time ASC"],
                page_token=token,
            )

        found = []
        for entity in _pages(page):
            payload = json.loads(message_to_json(entity.to_proto()))
            found.append(run_from_mlflow(payload, run_version(payload) or 0))
            self._tags[found[-1].id] = tags_of(payload["data"])
        return sorted(found, key=lambda run: (run.start_time, run.id))

    def complete(self, run: Run) -> Run:
        """Code and context from their artifacts when the tags hold only a part (runs logged
        by MlflowStore)."""
        tags = self._tags.get(run.id, {})
        if TAG_CODE_HASH in tags and code_hash(run.code) != run.code_hash:
            data = self._read_or_none(run, CODE_ARTIFACT)
            run = run if data is None else replace(run, code=data.decode("utf-8", "replace"))
        if tags.get(TAG_CONTEXT, "").startswith(ARTIFACT_MARK):
            data = self._read_or_none(run, CONTEXT_ARTIFACT)
            run = run if data is None else replace(run, context=json.loads(data))
        return run

    def _read_or_none(self, run: Run, path: str) -> bytes | None:
        try:
            return self.read(run, path)
        except Exception:  # noqa: BLE001 - MLflow raises many kinds; the tag's copy remains
            return None

    def history(self, run: Run, key: str) -> list[MetricPoint]:
        points = self.client.get_metric_history(run.id, key)
        return [MetricPoint(key, metric_value(p.value), p.step, p.timestamp) for p in points]

    def artifacts(self, run: Run) -> list[Artifact]:
        found, folders = [], [None]
        while folders:
            for item in self.client.list_artifacts(run.id, folders.pop()):
                if item.is_dir:
                    folders.append(item.path)
                elif not item.path.startswith(INTERNAL_FOLDER):
                    found.append(Artifact(item.path, item.file_size or 0, "", ""))
        return sorted(found, key=lambda a: a.path)

    def read(self, run: Run, path: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="jupyterlab-runs-import-") as folder:
            local = self.client.download_artifacts(run.id, path, folder)
            return Path(local).read_bytes()


def _pages(fetch: Callable[[str | None], Any]) -> Iterator[Any]:
    """Every item of an MLflow PagedList search, page after page."""
    token = None
    while True:
        page = fetch(token)
        yield from page
        token = page.token
        if not token:
            return


def copy_runs(
    source: Source,
    target: RunStore,
    experiments: Sequence[str] = (),
    artifacts: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> Report:
    """Copy the source's experiments (all, or those named) and their active runs to ``target``."""
    report = Report()
    wanted = set(experiments)
    chosen = [e for e in source.experiments() if not wanted or e.name in wanted]
    missing = wanted - {e.name for e in chosen}
    if missing:
        raise NotFound(f"no experiment named {', '.join(sorted(map(repr, missing)))} to copy")
    for experiment in chosen:
        runs = source.runs(experiment)
        if not runs and experiment.name == "Default" and not wanted:
            continue  # every MLflow store has an empty Default experiment
        copied = _copy_experiment(source, target, experiment, runs, artifacts, report)
        progress(f"{experiment.name}: {copied} of {len(runs)} runs copied")
        report.experiments += 1
    return report


def _copy_experiment(
    source: Source,
    target: RunStore,
    experiment: Experiment,
    runs: list[Run],
    artifacts: bool,
    report: Report,
) -> int:
    into = target.get_or_create_experiment(experiment.name, experiment.notebook_path)
    if experiment.description and not into.description:
        target.update_experiment(into.id, description=experiment.description)
    copies = _copies(target, into.id)  # source run id → target run id
    copied = 0
    for run in runs:
        origin = run.tags.get(TAG_IMPORTED_FROM)
        if run.id in copies or (origin is not None and _exists(target, origin, into.id)):
            report.skipped += 1
            continue
        run = source.complete(run)
        new = _new_run(source, run, into.id, copies.get(run.parent_run_id or ""))
        created = target.create_run(new)
        copies[run.id] = created.id
        copied += 1
        report.runs += 1
        if artifacts:
            report.artifacts += _copy_artifacts(source, target, run, created.id, report)
    return copied


def _copies(target: RunStore, experiment_id: str) -> dict[str, str]:
    found, token = {}, None
    while True:
        page = target.search_runs(
            [experiment_id],
            filter=f"tags.`{TAG_IMPORTED_FROM}` IS NOT NULL",
            max_results=PAGE,
            page_token=token,
            view="all",
        )
        found.update({run.tags[TAG_IMPORTED_FROM]: run.id for run in page.items})
        token = page.next_page_token
        if token is None:
            return found


def _exists(target: RunStore, run_id: str, experiment_id: str) -> bool:
    try:
        return target.get_run(run_id).experiment_id == experiment_id
    except NotFound:
        return False


def _new_run(source: Source, run: Run, experiment_id: str, parent: str | None) -> NewRun:
    """The NewRun that recreates ``run`` (full metric histories) in the target experiment."""
    metrics = [
        MetricInput(p.key, p.value, p.step, p.timestamp, run.metrics[key].source)
        for key in run.metrics
        for p in source.history(run, key)
    ]
    default_name = run.name == f"v{run.version}"
    return NewRun(
        experiment_id=experiment_id,
        status=run.status,
        source=run.source,
        name=None if default_name else run.name,
        start_time=run.start_time,
        end_time=run.end_time,
        notebook_path=run.notebook_path,
        cell_id=run.cell_id,
        execution_count=run.execution_count,
        kernel_name=run.kernel_name,
        language=run.language,
        code=run.code,
        git_commit=run.git_commit,
        user=run.user,
        note=run.note,
        parent_run_id=parent,
        error=run.error,
        context=run.context,
        params=[ParamInput(k, p.value, p.type, p.source) for k, p in run.params.items()],
        metrics=metrics,
        tags={**run.tags, TAG_IMPORTED_FROM: run.id},
    )


def _copy_artifacts(source: Source, target: RunStore, run: Run, run_id: str, report: Report) -> int:
    count = 0
    try:
        listed = source.artifacts(run)
    except Exception as error:  # noqa: BLE001 - an unreadable artifact store is reported, not fatal
        report.problems.append(f"run {run.id}: cannot list artifacts ({error})")
        return 0
    for artifact in listed:
        try:
            data = source.read(run, artifact.path)
        except Exception as error:  # noqa: BLE001 - as above
            report.problems.append(f"run {run.id}: cannot read {artifact.path} ({error})")
            continue
        target.log_artifact(run_id, artifact.path, data, artifact.media_type or None)
        count += 1
    return count


def import_runs(source: str, target: RunStore, **options: Any) -> Report:
    """Import an MLflow store (``mlruns/`` folder, database URI or server URL) into ``target``."""
    with _mlflow_settings():
        return copy_runs(MlflowSource(source), target, **options)


@contextmanager
def _mlflow_settings() -> Iterator[None]:
    """Let MLflow open an ``mlruns/`` folder (since 3.7 it refuses its file store unless told
    otherwise, and reading old folders is what an import is for) and keep its download
    progress bars out of our output."""
    previous = {name: os.environ.get(name) for name in _MLFLOW_SETTINGS}
    os.environ.update(_MLFLOW_SETTINGS)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def export_runs(source: RunStore, target: RunStore, **options: Any) -> Report:
    """Export the runs of one of our stores to another (usually an ``MlflowStore``)."""
    return copy_runs(StoreSource(source), target, **options)
