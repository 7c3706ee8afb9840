"""The store: where runs live (embedded SQLite by default, or an MLflow tracking server)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .base import (
    Artifact,
    Change,
    Conflict,
    Experiment,
    FilterError,
    InvalidArgument,
    Keys,
    MetricColumns,
    MetricInput,
    MetricPoint,
    MetricSummary,
    NewRun,
    NotFound,
    Page,
    Param,
    ParamInput,
    Run,
    RunStore,
    StoreError,
    StoreUnavailable,
)
from .redact import redact

if TYPE_CHECKING:
    from .sqlite import SqliteStore

URI_VARIABLE = "JUPYTERLAB_RUNS_URI"
STORE_FOLDER = ".jupyterlab-runs"
STORE_FILE = "runs.db"

__all__ = [
    "Artifact",
    "Change",
    "Conflict",
    "Experiment",
    "FilterError",
    "InvalidArgument",
    "Keys",
    "MetricColumns",
    "MetricInput",
    "MetricPoint",
    "MetricSummary",
    "NewRun",
    "NotFound",
    "Page",
    "Param",
    "ParamInput",
    "Run",
    "RunStore",
    "SqliteStore",
    "StoreError",
    "StoreUnavailable",
    "URI_VARIABLE",
    "open_store",
    "resolve_uri",
    "sqlite_uri",
]


def __getattr__(name: str):
    # The embedded store's modules load when first used: a kernel whose runs are saved when
    # the cell ends imports them then, not on its first ``log_*`` call.
    if name == "SqliteStore":
        from .sqlite import SqliteStore

        return SqliteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sqlite_uri(path: str | os.PathLike[str]) -> str:
    """The URI of an embedded store file (``sqlite:///`` + the absolute path)."""
    return "sqlite:///" + str(Path(path).absolute())


def resolve_uri(root_dir: str | os.PathLike[str] | None = None) -> str:
    """Where the store lives: ``$JUPYTERLAB_RUNS_URI``, else under ``root_dir``, else the nearest
    ``.jupyterlab-runs/runs.db`` from the working directory up, else one in the working directory.
    """
    configured = os.environ.get(URI_VARIABLE, "").strip()
    if configured:
        return configured
    if root_dir is not None:
        return sqlite_uri(Path(root_dir) / STORE_FOLDER / STORE_FILE)
    cwd = Path.cwd()
    for folder in (cwd, *cwd.parents):
        candidate = folder / STORE_FOLDER / STORE_FILE
        if candidate.is_file():
            return sqlite_uri(candidate)
    return sqlite_uri(cwd / STORE_FOLDER / STORE_FILE)


def open_store(uri: str | None = None) -> RunStore:
    """The store at ``uri`` (default: ``resolve_uri()``).

    ``sqlite:///path`` (or a plain path) opens the embedded store; ``http(s)://…``,
    ``databricks…``, ``mlflow`` and other MLflow URIs open the MLflow backend, behind its
    offline outbox (``store/outbox``: runs logged while the server is down wait there).
    """
    from .sqlite import SqliteStore

    uri = uri or resolve_uri()
    if uri.startswith("sqlite:"):
        path = uri[len("sqlite:") :]
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy and MLflow spell them.
        path = path[3:] if path.startswith("///") else path.lstrip("/")
        return SqliteStore(path or ":memory:")
    if "://" not in uri and uri != "mlflow" and not uri.startswith("databricks"):
        return SqliteStore(uri)
    try:
        from .mlflow.store import MlflowStore
    except ImportError as error:
        raise StoreUnavailable(
            f"the tracking URI {redact(uri)!r} needs the MLflow backend, which could not be "
            f"imported ({error}); install it with: pip install 'jupyterlab-runs[mlflow]'"
        ) from error
    from .outbox import with_outbox

    return with_outbox(MlflowStore(uri))
