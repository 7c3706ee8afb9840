"""Our MLflow URIs and the stores they name.

Tracking: ``jupyterlab-runs:///abs/path/runs.db`` (an embedded store file) or a bare
``jupyterlab-runs:`` (the usual ``resolve_uri()``: ``$JUPYTERLAB_RUNS_URI``, else the nearest
``.jupyterlab-runs/runs.db``). Artifacts: ``jupyterlab-runs:/<run id>/<path>?db=<store file>``,
so MLflow can append paths to a run's artifact URI and any process finds the store again.
"""

from __future__ import annotations

import threading
import urllib.parse
from pathlib import Path

from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

from ..store import SqliteStore, open_store, resolve_uri, sqlite_uri
from .environment import SCHEME

_stores: dict[str, SqliteStore] = {}
_lock = threading.Lock()


def tracking_uri(path: str | Path) -> str:
    """The MLflow tracking URI of the embedded store file ``path``."""
    return f"{SCHEME}://{Path(path).absolute()}"


def store_path(uri: str) -> str:
    """The store file a ``jupyterlab-runs:`` tracking URI names (bare: ``resolve_uri()``)."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme != SCHEME or parsed.netloc or parsed.query:
        raise MlflowException(
            f"{uri!r} is not a jupyterlab-runs tracking URI; use {SCHEME}:///abs/path/runs.db "
            f"or a bare {SCHEME}:",
            INVALID_PARAMETER_VALUE,
        )
    path = urllib.parse.unquote(parsed.path)
    if not path:
        resolved = resolve_uri()
        if not resolved.startswith("sqlite:"):
            raise MlflowException(
                f"{SCHEME}: resolves to {resolved!r}, which is not an embedded store; set "
                "MLFLOW_TRACKING_URI to that URI instead",
                INVALID_PARAMETER_VALUE,
            )
        path = resolved[len("sqlite:///") :]
    if not Path(path).is_absolute():
        raise MlflowException(
            f"the store path in {uri!r} must be absolute ({SCHEME}:///abs/path/runs.db)",
            INVALID_PARAMETER_VALUE,
        )
    return str(Path(path))


def shared_store(path: str) -> SqliteStore:
    """One open store per file for this process (tracking store and artifact repositories)."""
    with _lock:
        store = _stores.get(path)
        if store is None:
            opened = open_store(sqlite_uri(path))
            assert isinstance(opened, SqliteStore)
            store = _stores[path] = opened
        return store


def artifact_uri(db_path: str, run_id: str, path: str = "") -> str:
    """The artifact URI MLflow sees for a run (or a folder of it) of the store at ``db_path``."""
    folder = urllib.parse.quote(f"{run_id}/{path}".rstrip("/"))
    return f"{SCHEME}:/{folder}?" + urllib.parse.urlencode({"db": db_path})


def parse_artifact_uri(uri: str) -> tuple[str, str, str]:
    """``(store file, run id, path inside the run's artifacts)`` of an artifact URI."""
    parsed = urllib.parse.urlparse(uri)
    db = urllib.parse.parse_qs(parsed.query).get("db", [""])[0]
    parts = [part for part in urllib.parse.unquote(parsed.path).split("/") if part]
    if parsed.scheme != SCHEME or not db or not Path(db).is_absolute() or not parts:
        raise MlflowException(
            f"{uri!r} is not a jupyterlab-runs artifact URI "
            f"({SCHEME}:/<run id>/<path>?db=<store file>)",
            INVALID_PARAMETER_VALUE,
        )
    return db, parts[0], "/".join(parts[1:])
