"""The offline outbox: runs logged while the MLflow server is unreachable wait in a local file
and reach the server later, in order and exactly once (store.py, delivery.py, log.py)."""

from __future__ import annotations

import hashlib
import os

from ..mlflow.store import MlflowStore
from .store import OutboxStore

SWITCH_VARIABLE = "JUPYTERLAB_RUNS_OUTBOX"

__all__ = ["OutboxStore", "outbox_path", "with_outbox"]


def outbox_path(tracking_url: str) -> str:
    """The outbox file of a tracking server: named by the sha256 of its URL (never the
    credentials the URL may hold), under the Jupyter data directory."""
    try:
        from jupyter_core.paths import jupyter_data_dir

        data_dir = jupyter_data_dir()
    except ImportError:  # a bare Python with only jupyterlab_runs: Jupyter's default place
        data_dir = os.path.join(os.path.expanduser("~"), ".local", "share", "jupyter")
    digest = hashlib.sha256(tracking_url.encode("utf-8")).hexdigest()
    return os.path.join(data_dir, "jupyterlab-runs", "outbox", f"{digest}.db")


def with_outbox(remote: MlflowStore) -> MlflowStore | OutboxStore:
    """``remote`` behind its outbox, unless ``JUPYTERLAB_RUNS_OUTBOX=0`` turns it off."""
    if os.environ.get(SWITCH_VARIABLE, "").strip() == "0":
        return remote
    return OutboxStore(remote, outbox_path(remote.rest.base_url))
