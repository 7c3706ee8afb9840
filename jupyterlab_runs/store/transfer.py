"""Copying experiments and runs between stores: import from MLflow, export to MLflow.

Import reads an ``mlruns/`` folder from disk (``mlruns``, MLflow 1.x to 3.x layouts), and an
MLflow database (``sqlite:///mlflow.db``, ``postgresql://…``) or a tracking server through
MLflow's own ``MlflowClient`` (``client_source``); a local folder or database file is read
only inside its folder (``confined``). Export reads our store and writes through the store
contract, so any target works (an MLflow server through ``MlflowStore``, another embedded
store). Runs are copied in start-time order (import) or version order (export), so the target
numbers them the same way. MLflow's own tags are kept; logged models come along as artifacts.

Both directions are idempotent: each copy carries the id of the run it came from in the tag
``jupyterlab_runs.imported_from``, and a run is skipped when the target experiment already
holds a copy of it, or holds the run it was itself copied from (an export imported back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

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
)
from .client_source import PAGE, MlflowSource, mlflow_settings, tracking_uri
from .mlflow.mapping import GIT_COMMIT, NOTE, PARENT, RUN_NAME, TAG_IMPORTED_FROM, USER
from .mlruns import FileStoreSource

# The module's interface (the CLI and the tests use it).
__all__ = [
    "InvalidArgument",
    "NotFound",
    "Report",
    "copy_runs",
    "export_runs",
    "import_runs",
    "tracking_uri",
]


@dataclass
class Report:
    """What a transfer did."""

    experiments: int = 0
    runs: int = 0
    skipped: int = 0
    artifacts: int = 0
    left_out: int = 0  # runs the source could not read or the target refused
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"{self.runs} runs copied into {self.experiments} experiments "
            f"({self.skipped} already there), {self.artifacts} artifacts"
        )
        if self.left_out:
            text += f"; {self.left_out} runs left out"
        return "\n".join([text, *(f"warning: {p}" for p in self.problems)])


class Source(Protocol):
    """What a transfer reads: experiments, their runs (``complete`` fills in what a listing
    may leave short, such as long code, and the records of logged models), histories and
    artifacts. An import source also writes what it cannot read to the ``Report``."""

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


def copy_runs(
    source: Source,
    target: RunStore,
    experiments: Sequence[str] = (),
    artifacts: bool = True,
    progress: Callable[[str], None] = lambda line: None,
    report: Report | None = None,
) -> Report:
    """Copy the source's experiments (all, or those named) and their active runs to ``target``
    (adding to ``report``, which the source may also write to)."""
    report = report or Report()
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
        try:
            created = target.create_run(new)
        except InvalidArgument as error:  # a value the source kept but the target refuses
            report.problems.append(f"run {run.id} of {experiment.name!r} not copied: {error}")
            report.left_out += 1
            continue
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
        tags={**_copied_tags(run, default_name), TAG_IMPORTED_FROM: run.id},
    )


def _copied_tags(run: Run, default_name: bool) -> dict[str, str]:
    """The run's tags for its copy. MLflow's tags that mirror a run field (kept from an
    import) take the field's value, which may have been edited since, so that an export does
    not write back a stale name or note; the parent link is the parent field's alone, since it
    names a run of the source store."""
    tags = {key: value for key, value in run.tags.items() if key != PARENT}
    fields = {
        RUN_NAME: None if default_name else run.name,
        USER: run.user,
        NOTE: run.note or None,
        GIT_COMMIT: run.git_commit,
    }
    for key, value in fields.items():
        if key in tags and value is None:
            del tags[key]
        elif key in tags:
            tags[key] = value
    return tags


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
    """Import an MLflow store (``mlruns/`` folder, database URI or file, or server URL) into
    ``target``; damaged runs and files that cannot be read are left out and named in the report."""
    report, uri = Report(), tracking_uri(source)
    if urlsplit(uri).scheme == "file":
        folder = Path(unquote(urlsplit(uri).path))
        return copy_runs(FileStoreSource(folder, report), target, report=report, **options)
    with mlflow_settings():
        return copy_runs(MlflowSource(uri, report), target, report=report, **options)


def export_runs(source: RunStore, target: RunStore, **options: Any) -> Report:
    """Export the runs of one of our stores to another (usually an ``MlflowStore``)."""
    return copy_runs(StoreSource(source), target, **options)
