"""Whether and where MLflow in a kernel is pointed at our store (no MLflow import needed).

The server exports ``MLFLOW_TRACKING_URI`` to the kernels it starts and ``%load_ext
jupyterlab_runs`` sets it in the kernel, unless the user chose one or turned this off with
``JUPYTERLAB_RUNS_MLFLOW=0`` (or the server option ``c.JupyterLabRuns.mlflow_tracking = False``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import MutableMapping

SWITCH_VARIABLE = "JUPYTERLAB_RUNS_MLFLOW"
MLFLOW_URI_VARIABLE = "MLFLOW_TRACKING_URI"
SCHEME = "jupyterlab-runs"
_OFF = ("0", "false", "no", "off")


def enabled(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Whether MLflow integration is on (``JUPYTERLAB_RUNS_MLFLOW=0`` turns it off)."""
    on = environ.get(SWITCH_VARIABLE, "1").strip().lower() not in _OFF
    return on and importlib.util.find_spec("mlflow") is not None


def user_chose_uri(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Whether MLflow already has a tracking URI from the user (environment or code)."""
    if environ.get(MLFLOW_URI_VARIABLE, "").strip():
        return True
    utils = sys.modules.get("mlflow.tracking._tracking_service.utils")
    return getattr(utils, "_tracking_uri", None) is not None


def mlflow_uri(store_uri: str) -> str | None:
    """MLflow's URI for our store URI: ours for the embedded store, the same URI for an MLflow
    server, none when ours defers to MLflow's own setting (``mlflow``)."""
    if store_uri == "mlflow":
        return None
    embedded = "://" not in store_uri and not store_uri.startswith("databricks")
    return f"{SCHEME}:" if store_uri.startswith("sqlite:") or embedded else store_uri


def point_mlflow(store_uri: str, environ: MutableMapping[str, str] = os.environ) -> str | None:
    """Set ``MLFLOW_TRACKING_URI`` for our store unless switched off or chosen by the user;
    returns the URI set."""
    if not enabled(environ) or user_chose_uri(environ):
        return None
    uri = mlflow_uri(store_uri)
    if uri is not None:
        environ[MLFLOW_URI_VARIABLE] = uri
    return uri
