"""An MLflow store read through ``MlflowClient``: a database (``sqlite:///mlflow.db``,
``postgresql://…``) or a tracking server, as a transfer source.

An SQLite database file comes with its artifacts folder: its runs' files (and MLflow 3's
logged models) are read from disk inside the database's folder only (see ``confined``),
never through an artifact repository that would follow ``artifact_uri`` elsewhere. A server
serves its own artifacts, which MLflow's client downloads (``ClientArtifacts``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .artifact_files import check_artifact_path
from .base import Artifact, Experiment, InvalidArgument, MetricPoint, Run, StoreUnavailable
from .confined import Folder, LocalArtifacts, shown
from .mlflow.mapping import (
    ARTIFACT_MARK,
    CODE_ARTIFACT,
    CONTEXT_ARTIFACT,
    TAG_CODE_HASH,
    TAG_CONTEXT,
    code_hash,
    experiment_from_mlflow,
    metric_value,
    tags_of,
)
from .mlflow.versions import LEDGER_EXPERIMENT
from .mlruns import check_models, imported_run, model_tag
from .redact import redact

if TYPE_CHECKING:
    from .transfer import Report

INTERNAL_FOLDER = "jupyterlab_runs/"
PAGE = 1000
_MLFLOW_SETTINGS = {"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}


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


def sqlite_file(uri: str) -> Path | None:
    """The database file of an ``sqlite:///…`` URI (three slashes and a relative path, or four
    and an absolute one), or None for any other URI."""
    if not uri.startswith("sqlite:///"):
        return None
    path = uri[len("sqlite:///") :].split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path).absolute()


class MlflowSource:
    """An MLflow store read through ``MlflowClient``: active experiments, runs by start time;
    unreadable files go to ``report.problems``."""

    def __init__(self, uri: str, report: Report):
        try:
            from mlflow.tracking import MlflowClient
        except ImportError as error:
            raise StoreUnavailable(
                f"importing from MLflow needs mlflow ({error}); "
                "install it with: pip install 'jupyterlab-runs[mlflow]'"
            ) from error
        self.report = report
        self.uri = tracking_uri(uri)
        try:
            self.client = MlflowClient(tracking_uri=self.uri)  # opens a database at once
        except Exception as error:  # noqa: BLE001 - MLflow, SQLAlchemy: many kinds
            raise _unreadable(self.uri, error) from None
        database = sqlite_file(self.uri)
        self.files: LocalArtifacts | ClientArtifacts = ClientArtifacts(self.client, self.uri)
        if database is not None:
            self.files = LocalArtifacts(Folder(database.parent, report.problems))
        self._tags: dict[str, dict[str, str]] = {}
        self._models: dict[str, dict[str, str]] = {}  # run id → model record tags

    def experiments(self) -> list[Experiment]:
        from mlflow.utils.proto_json_utils import message_to_json

        found: list[Experiment] = []
        try:
            listed = list(_pages(lambda token: self.client.search_experiments(page_token=token)))
        except Exception as error:  # noqa: BLE001 - MLflow, SQLAlchemy, requests: many kinds
            raise _unreadable(self.uri, error) from None
        for experiment in listed:
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
            found.append(imported_run(payload))
            self._tags[found[-1].id] = tags_of(payload["data"])
            self.files.add_run(entity.info.run_id, entity.info.artifact_uri or "")
        self._add_models(experiment.id)
        return sorted(found, key=lambda run: (run.start_time, run.id))

    def _add_models(self, experiment_id: str) -> None:
        """MLflow 3's logged models of the experiment, under the runs that logged them."""
        for model in _pages(
            lambda token: self.client.search_logged_models([experiment_id], page_token=token)
        ):
            run_id, model_id = model.source_run_id, model.model_id
            if not run_id:
                self.report.problems.append(f"model {model_id} has no run; not imported")
                continue
            path = self.files.add_model(run_id, model_id, model.name, model.artifact_location)
            if path is not None:
                record = model_tag(model_id, path, model.to_dictionary())
                self._models.setdefault(run_id, {}).update(record)

    def complete(self, run: Run) -> Run:
        """Code and context from their artifacts when the tags hold only a part (runs logged
        by MlflowStore); which artifact folders are MLflow models."""
        tags = self._tags.get(run.id, {})
        if TAG_CODE_HASH in tags and code_hash(run.code) != run.code_hash:
            data = self._read_or_none(run, CODE_ARTIFACT)
            run = run if data is None else replace(run, code=data.decode("utf-8", "replace"))
        if tags.get(TAG_CONTEXT, "").startswith(ARTIFACT_MARK):
            data = self._read_or_none(run, CONTEXT_ARTIFACT)
            run = run if data is None else replace(run, context=json.loads(data))
        check_models(run, self.artifacts(run), self.report.problems)
        return replace(run, tags={**run.tags, **self._models.get(run.id, {})})

    def _read_or_none(self, run: Run, path: str) -> bytes | None:
        try:
            return self.read(run, path)
        except Exception:  # noqa: BLE001 - MLflow raises many kinds; the tag's copy remains
            return None

    def history(self, run: Run, key: str) -> list[MetricPoint]:
        points = self.client.get_metric_history(run.id, key)
        return [MetricPoint(key, metric_value(p.value), p.step, p.timestamp) for p in points]

    def artifacts(self, run: Run) -> list[Artifact]:
        listed = self.files.artifacts(run.id)
        return [a for a in listed if not a.path.startswith(INTERNAL_FOLDER)]

    def read(self, run: Run, path: str) -> bytes:
        return self.files.read(run.id, path)


class ClientArtifacts:
    """A server's artifacts through MLflow's client: each run's own, and its MLflow 3 logged
    models' (kept apart by MLflow) under ``<name>/`` as ``LocalArtifacts`` puts them."""

    def __init__(self, client: Any, uri: str):
        self.client = client
        self.uri = uri
        self._models: dict[str, dict[str, tuple[str, str]]] = {}  # run → folder → (id, location)

    def add_run(self, run_id: str, uri: str) -> None:
        """Nothing to do: the client finds a run's files by its id."""

    def add_model(self, run_id: str, model_id: str, name: str, uri: str) -> str:
        """The folder the model's files go under (``models/<id>`` if the run has ``<name>``)."""
        taken = {item.path for item in self.client.list_artifacts(run_id)}
        try:
            folder = name if check_artifact_path(name) not in taken else f"models/{model_id}"
        except InvalidArgument:
            folder = f"models/{model_id}"
        self._models.setdefault(run_id, {})[folder] = (model_id, uri)
        return folder

    def artifacts(self, run_id: str) -> list[Artifact]:
        """The run's files and its models' files."""
        found = _walk(lambda path: self.client.list_artifacts(run_id, path), "")
        for folder, (model_id, _) in self._models.get(run_id, {}).items():
            listing = partial(self.client.list_logged_model_artifacts, model_id)
            found += _walk(listing, folder + "/")
        return sorted(found, key=lambda a: a.path)

    def read(self, run_id: str, path: str) -> bytes:
        """One file, downloaded to a temporary folder."""
        from mlflow.artifacts import download_artifacts

        with tempfile.TemporaryDirectory(prefix="jupyterlab-runs-import-") as folder:
            for prefix, (_, location) in self._models.get(run_id, {}).items():
                if path.startswith(prefix + "/"):
                    local = download_artifacts(
                        artifact_uri=f"{location}/{path[len(prefix) + 1 :]}",
                        dst_path=folder,
                        tracking_uri=self.uri,
                    )
                    return Path(local).read_bytes()
            return Path(self.client.download_artifacts(run_id, path, folder)).read_bytes()


def _walk(listing: Callable[[str | None], Any], prefix: str) -> list[Artifact]:
    """Every file of an MLflow artifact listing, folder after folder, paths under ``prefix``."""
    found, folders = [], [None]
    while folders:
        for item in listing(folders.pop()):
            if item.is_dir:
                folders.append(item.path)
            else:
                found.append(Artifact(prefix + item.path, item.file_size or 0, "", ""))
    return found


def _unreadable(uri: str, error: Exception) -> StoreUnavailable:
    """The error for a store MLflow cannot read: one line, no credentials."""
    first = (str(error).strip().splitlines() or [""])[0]
    return StoreUnavailable(
        f"{shown(uri)} cannot be read as an MLflow store "
        f"({type(error).__name__}: {redact(first)[:300]})"
    )


def _pages(fetch: Callable[[str | None], Any]) -> Iterator[Any]:
    """Every item of an MLflow PagedList search, page after page."""
    token = None
    while True:
        page = fetch(token)
        yield from page
        token = page.token
        if not token:
            return


@contextmanager
def mlflow_settings() -> Iterator[None]:
    """Keep MLflow's download progress bars out of our output."""
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
