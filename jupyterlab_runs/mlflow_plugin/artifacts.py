"""The ``mlflow.artifact_repository`` plugin: a run's MLflow artifacts are our store's.

Files go through ``RunStore.log_artifact`` (recorded, hashed, confined to the run's folder),
so ``mlflow.log_artifact`` and ``log_model`` files appear in the Runs panel.
"""

from __future__ import annotations

import os
from typing import Any

from mlflow.entities import FileInfo
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_STATE
from mlflow.store.artifact.artifact_repo import ArtifactRepository

from .cell_runs import CELL_RUNS
from .errors import translated, unsupported
from .locations import parse_artifact_uri, shared_store


def _join(*parts: str | None) -> str:
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))


class RunArtifactRepository(ArtifactRepository):
    """Artifacts of one run (or a folder of it): ``jupyterlab-runs:/<run id>/<path>?db=…``."""

    def __init__(
        self, artifact_uri: str, tracking_uri: str | None = None, registry_uri: str | None = None
    ) -> None:
        super().__init__(artifact_uri, tracking_uri, registry_uri)
        db_path, self.run_id, self.base = parse_artifact_uri(artifact_uri)
        self.store = shared_store(db_path)

    def _cell(self) -> Any | None:
        active = CELL_RUNS.get(self.run_id)
        return None if active is None or active.stored is not None else active

    def _stored_id(self) -> str:
        return CELL_RUNS.stored_id(self.run_id) or self.run_id

    def _put(self, path: str, data: bytes) -> None:
        active = self._cell()
        if active is None:
            self.store.log_artifact(self._stored_id(), path, data)
            return
        from . import binding

        try:
            binding.provider().add_artifact(active, path, data)
        except RuntimeError as error:
            raise MlflowException(str(error), INVALID_STATE) from error

    @translated
    def log_artifact(self, local_file, artifact_path=None):
        """Store one local file under ``artifact_path``."""
        with open(local_file, "rb") as file:
            data = file.read()
        self._put(_join(self.base, artifact_path, os.path.basename(local_file)), data)

    @translated
    def log_artifacts(self, local_dir, artifact_path=None):
        """Store a local folder's files under ``artifact_path``, keeping their layout."""
        for root, _, files in os.walk(local_dir):
            folder = os.path.relpath(root, local_dir)
            for name in sorted(files):
                with open(os.path.join(root, name), "rb") as file:
                    data = file.read()
                relative = _join(*(folder.split(os.sep) if folder != "." else []), name)
                self._put(_join(self.base, artifact_path, relative), data)

    def _files(self) -> list[tuple[str, int]]:
        active = self._cell()
        if active is not None:
            return [(path, len(data)) for path, data, _ in active.artifacts]
        return [(a.path, a.size) for a in self.store.list_artifacts(self._stored_id())]

    @translated
    def list_artifacts(self, path=None):
        """The files and folders directly under ``path``."""
        prefix = _join(self.base, path)
        children: dict[str, FileInfo] = {}
        for stored, size in self._files():
            if prefix and not stored.startswith(prefix + "/"):
                continue
            rest = stored[len(prefix) + 1 :] if prefix else stored
            name, _, deeper = rest.partition("/")
            relative = _join(path, name)
            children[name] = FileInfo(relative, bool(deeper), None if deeper else size)
        return [children[name] for name in sorted(children)]

    @translated
    def _download_file(self, remote_file_path, local_path):
        path = _join(self.base, remote_file_path)
        active = self._cell()
        if active is not None:
            found = [data for stored, data, _ in active.artifacts if stored == path]
            if not found:
                raise MlflowException(f"no artifact {path!r} in run {self.run_id}")
            data = found[-1]
        else:
            data = self.store.read_artifact(self._stored_id(), path)
        with open(local_path, "wb") as file:
            file.write(data)

    def delete_artifacts(self, artifact_path=None):
        """Artifacts are part of a run's record here: delete the run instead."""
        raise unsupported("deleting artifacts", "delete (or restore) the run in the Runs panel")
