"""An MLflow file store (an ``mlruns/`` folder) read straight from disk, 1.x to 3.x layouts.

Read without MLflow's ``FileStore``, which fails a whole search on one malformed metric file
and reads artifacts wherever ``artifact_uri`` points; here a damaged run is left out with a
report, and every file is read through ``Folder``, so nothing outside the folder is opened.

Logged models: MLflow 1.x and 2.x keep them among the run's artifacts, named by the tag
``mlflow.log-model.history`` (kept like every MLflow tag); MLflow 3 keeps them apart, and
they come under their run at ``<name>/`` with the record the MLflow plugin keeps for a model
it logs (``jupyterlab_runs.mlflow.model.<model id>``), so ``mlflow`` over the embedded store
lists them as the run's logged models again.

The layout (MLflow 1.x–3.x): ``<root>/<experiment>/meta.yaml`` (name, lifecycle_stage,
creation_time since 2.x) with ``tags/``; ``<root>/<experiment>/<run>/meta.yaml`` (run_id,
status as MLflow's enum number, start/end time, artifact_uri, lifecycle_stage, run_name since
2.x), ``metrics/<key>`` (one ``timestamp value [step]`` line per point), ``params/<key>`` and
``tags/<key>`` (the file holds the value; a key with ``/`` is a subfolder), ``artifacts/``;
MLflow 3 adds ``<root>/<experiment>/models/<model>/meta.yaml`` (name, source_run_id,
artifact_location) for logged models. Deleted experiments (``.trash``) and runs are left out.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .base import Artifact, Experiment, MetricPoint, Run
from .confined import Folder, LocalArtifacts
from .mlflow.mapping import PARENT, experiment_from_mlflow, run_from_mlflow, run_version, tags_of

if TYPE_CHECKING:
    from .transfer import Report

MODEL_HISTORY = "mlflow.log-model.history"
# + model id: the tag holding a logged model's record, as mlflow_plugin/logged_models.py reads it.
MODEL_RECORD = "jupyterlab_runs.mlflow.model."
_STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
_MODEL_STATUS = {0: "UNSPECIFIED", 1: "PENDING", 2: "READY", 3: "FAILED"}
# Folders of an experiment that are not runs (MLflow's reserved names).
_NOT_RUNS = {"tags", "datasets", "traces", "models"}
# The file store's model registry (registered models), beside the experiments.
_REGISTRY = "models"


class Damaged(Exception):
    """A run file that cannot be read or parsed; the run is left out and the reason reported."""


def imported_run(payload: dict[str, Any]) -> Run:
    """Our Run for an MLflow run's JSON, keeping MLflow's own tags (``mlflow.source.name``,
    ``mlflow.log-model.history``, …) as tags; the parent link names a run of the source
    store, so it is kept only as the parent field, which the copy maps to the new id."""
    run = run_from_mlflow(payload, run_version(payload) or 0)
    own = tags_of(payload.get("data", {}))
    kept = {k: v for k, v in own.items() if k.startswith("mlflow.") and k != PARENT}
    return replace(run, tags={**run.tags, **kept})


def model_tag(model_id: str, path: str, model: dict[str, Any]) -> dict[str, str]:
    """The record tag of an MLflow 3 logged model whose files are under ``path`` of its run;
    ``model`` holds MLflow's name, creation_timestamp, last_updated_timestamp, model_type,
    status and tags."""
    status = model.get("status")
    record = {
        "name": model.get("name") or model_id,
        "path": path,
        "created": model.get("creation_timestamp") or 0,
        "updated": model.get("last_updated_timestamp") or model.get("creation_timestamp") or 0,
        "model_type": model.get("model_type"),
        "status": _MODEL_STATUS.get(status, str(status or "READY")),
        "tags": model.get("tags") or {},
    }
    return {MODEL_RECORD + model_id: json.dumps(record, ensure_ascii=False)}


def check_models(run: Run, listed: list[Artifact], problems: list[str]) -> None:
    """Name each model that ``mlflow.log-model.history`` lists but whose ``MLmodel`` file is
    not among the run's artifacts."""
    paths = {artifact.path for artifact in listed}
    for path in _history_paths(run.tags.get(MODEL_HISTORY)):
        if f"{path}/MLmodel" not in paths:
            problems.append(
                f"run {run.id}: model {path!r} ({MODEL_HISTORY}) has no MLmodel in the folder"
            )


def _history_paths(text: str | None) -> list[str]:
    try:
        entries = json.loads(text or "[]")
    except ValueError:
        return []
    entries = entries if isinstance(entries, list) else []
    return [e["artifact_path"] for e in entries if isinstance(e, dict) and "artifact_path" in e]


class FileStoreSource:
    """An ``mlruns/`` folder as a transfer source; damaged runs and unreadable files go to
    ``report`` (its ``problems`` and ``left_out``)."""

    def __init__(self, root: Path, report: Report):
        self.report = report
        self.folder = Folder(root, report.problems)
        self.files = LocalArtifacts(self.folder)
        self._folders: dict[str, Path] = {}
        self._history: dict[str, dict[str, list[MetricPoint]]] = {}
        self._models: dict[str, dict[str, str]] = {}  # run id → model record tags

    def experiments(self) -> list[Experiment]:
        found = []
        for directory in self._subfolders(self.folder.root):
            if directory.name.startswith("."):  # .trash holds deleted experiments
                continue
            if directory.name == _REGISTRY and not os.path.lexists(directory / "meta.yaml"):
                self.report.problems.append(
                    f"{_REGISTRY}/ (MLflow's model registry) not imported: registered models "
                    "have no place here; the runs' own models are imported with them"
                )
                continue
            try:
                meta = self._yaml(directory / "meta.yaml")
                if meta.get("lifecycle_stage") == "deleted":
                    continue
                if not isinstance(meta.get("name"), str) or not meta["name"]:
                    raise Damaged("meta.yaml has no experiment name")
                payload = {
                    "experiment_id": directory.name,
                    "name": meta["name"],
                    "creation_time": _number(meta, "creation_time"),
                    "tags": _pairs(self._texts(directory / "tags", directory.name)),
                }
                found.append(experiment_from_mlflow(payload))
            except Damaged as error:
                self.report.problems.append(
                    f"experiment folder {directory.name} not imported: {_reason(error)}"
                )
                continue
            self._folders[directory.name] = directory
        return sorted(found, key=lambda e: (e.created, e.id))

    def runs(self, experiment: Experiment) -> list[Run]:
        directory, found = self._folders[experiment.id], []
        for folder in self._subfolders(directory):
            if folder.name in _NOT_RUNS:
                continue
            try:
                run = self._run(folder, experiment.id)
            except Damaged as error:
                self.report.problems.append(
                    f"run {folder.name} of {experiment.name!r} not imported: {error}"
                )
                self.report.left_out += 1
                continue
            if run is not None:
                found.append(run)
        self._add_models(directory)
        return sorted(found, key=lambda run: (run.start_time, run.id))

    def complete(self, run: Run) -> Run:
        check_models(run, self.artifacts(run), self.report.problems)
        return replace(run, tags={**run.tags, **self._models.get(run.id, {})})

    def history(self, run: Run, key: str) -> list[MetricPoint]:
        return self._history[run.id][key]

    def artifacts(self, run: Run) -> list[Artifact]:
        return self.files.artifacts(run.id)

    def read(self, run: Run, path: str) -> bytes:
        return self.files.read(run.id, path)

    def _run(self, folder: Path, experiment_id: str) -> Run | None:
        meta = self._yaml(folder / "meta.yaml")
        run_id = meta.get("run_id") or meta.get("run_uuid")
        if run_id != folder.name:
            raise Damaged(f"meta.yaml names run {run_id!r}, not the folder's {folder.name!r}")
        if meta.get("lifecycle_stage") == "deleted":
            return None
        where = f"run {run_id}"
        history = self._metrics(folder / "metrics", where)
        info = {
            "run_id": run_id,
            "experiment_id": experiment_id,
            "run_name": str(meta.get("run_name") or ""),
            "status": _status(meta.get("status", 1)),
            "start_time": _number(meta, "start_time"),
            "end_time": _number(meta, "end_time"),
            "user_id": str(meta.get("user_id") or ""),
        }
        data = {
            "params": _pairs(self._texts(folder / "params", where)),
            "tags": _pairs(self._texts(folder / "tags", where)),
            "metrics": [
                {"key": key, "value": p.value, "step": p.step, "timestamp": p.timestamp}
                for key, points in history.items()
                for p in [max(points, key=lambda p: (p.step, p.timestamp))]
            ],
        }
        self._history[run_id] = history
        self.files.add_run(run_id, str(meta.get("artifact_uri") or ""))
        return imported_run({"info": info, "data": data})

    def _metrics(self, folder: Path, where: str) -> dict[str, list[MetricPoint]]:
        history = {}
        for key, text in self._texts(folder, where, damaged=True).items():
            points = [_point(key, line) for line in text.splitlines() if line.strip()]
            if not points:
                raise Damaged(f"metrics/{key} holds no value")
            history[key] = points
        return history

    def _add_models(self, directory: Path) -> None:
        """MLflow 3's logged models of the experiment, under the runs that logged them."""
        if not os.path.lexists(directory / "models"):
            return
        for folder in self._subfolders(directory / "models"):
            try:
                meta = self._yaml(folder / "meta.yaml")
            except Damaged as error:
                self.report.problems.append(f"model {folder.name} not imported: {error}")
                continue
            run_id, model_id = meta.get("source_run_id"), str(meta.get("model_id") or folder.name)
            if not run_id:
                self.report.problems.append(f"model {model_id} has no run; not imported")
            elif meta.get("lifecycle_stage") != "deleted":
                meta["tags"] = self._texts(folder / "tags", f"model {model_id}")
                name = str(meta.get("name") or model_id)
                path = self.files.add_model(run_id, model_id, name, str(meta["artifact_location"]))
                if path is not None:
                    self._models.setdefault(run_id, {}).update(model_tag(model_id, path, meta))

    def _yaml(self, path: Path) -> dict[str, Any]:
        try:
            meta = yaml.safe_load(self.folder.read(path))
        except OSError as error:
            raise Damaged(f"{path.name} cannot be read ({_reason(error)})") from None
        except yaml.YAMLError as error:
            raise Damaged(f"{path.name} is not valid YAML ({_reason(error)})") from None
        if not isinstance(meta, dict):
            raise Damaged(f"{path.name} is not a YAML mapping")
        return meta

    def _texts(self, folder: Path, where: str, damaged: bool = False) -> dict[str, str]:
        """The files under ``folder`` (``params/``, ``tags/``, ``metrics/``) by key; one that cannot
        be read is reported and left out, or makes the run ``damaged``."""
        if not os.path.lexists(folder):
            return {}
        texts = {}
        for key, path in self.folder.files(folder, where, f"{folder.name}/").items():
            try:
                texts[key] = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                message = f"{folder.name}/{key} cannot be read ({_reason(error)})"
                if damaged:
                    raise Damaged(message) from None
                self.report.problems.append(f"{where}: {message}; left out")
        return texts

    def _subfolders(self, directory: Path) -> list[Path]:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            self.report.problems.append(f"cannot read {directory} ({_reason(error)})")
            return []
        found = []
        for entry in entries:
            path = Path(entry.path)
            if self.folder.inside(path) is None:
                self.report.problems.append(f"{path} {self.folder.why_not(path)}; skipped")
            elif entry.is_dir():
                found.append(path)
        return found


def _point(key: str, line: str) -> MetricPoint:
    """One ``timestamp value [step [dataset digest]]`` line of a metric file."""
    fields = line.split()
    try:
        if len(fields) not in (2, 3, 5):
            raise ValueError(f"{len(fields)} fields")
        step = int(fields[2]) if len(fields) >= 3 else 0
        return MetricPoint(key, float(fields[1]), step, int(fields[0]))
    except ValueError:
        shown = line if len(line) <= 60 else line[:60] + "…"
        raise Damaged(
            f"metrics/{key} has a line that is not 'timestamp value step': {shown!r}"
        ) from None


def _number(meta: dict[str, Any], name: str) -> int | None:
    value = meta.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    raise Damaged(f"meta.yaml: {name} is not a time in milliseconds ({value!r})")


def _status(value: Any) -> str:
    """A run's status from meta.yaml: MLflow's enum number (or, hand-written, its name)."""
    if isinstance(value, str) and value in _STATUS.values():
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value in _STATUS:
        return _STATUS[value]
    raise Damaged(f"meta.yaml: status {value!r} is none of MLflow's run statuses")


def _pairs(texts: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in texts.items()]


def _reason(error: BaseException) -> str:
    """An error's message on one line (YAML errors span several)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:200] + "…"
