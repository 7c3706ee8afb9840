"""The Python API, modelled on MLflow's fluent API: ``import jupyterlab_runs as jr``.

``log_*`` with no active run starts an implicit run for the current cell, saved when the
cell ends (in plain Python: when the interpreter exits). ``start_run`` opens a run that is
written as it goes and closed by ``end_run`` or the end of its ``with`` block.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from ..store.base import Experiment, InvalidArgument, Run
from ..store.values import validate_key
from .lookup import find_run, runs_frame, search
from .runs import ActiveRun
from .session import get_session

END_STATUSES = ("FINISHED", "FAILED", "KILLED")


def start_run(
    experiment: str | None = None,
    name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    nested: bool = False,
) -> ActiveRun:
    """Start a run (``with start_run(): …`` ends it); ``nested=True`` makes a child run."""
    return get_session().start(
        experiment=experiment, name=name, tags=dict(tags or {}), nested=nested
    )


def end_run(status: str = "FINISHED") -> Run | None:
    """End the innermost active run with ``status``; returns the stored run (None if none)."""
    if status not in END_STATUSES:
        raise InvalidArgument(f"status must be one of {', '.join(END_STATUSES)}, got {status!r}")
    session = get_session()
    if not session.stack:
        return None
    run = session.stack[-1]
    if run.kind == "track":
        raise RuntimeError("the %%track run ends with its cell; end_run() cannot end it")
    return session.end(run, status=status)


def active_run() -> ActiveRun | None:
    """The run ``log_*`` calls go to now, if any."""
    stack = get_session().stack
    return stack[-1] if stack else None


def set_experiment(name: str) -> Experiment:
    """Send this kernel's later runs to experiment ``name`` (created if needed)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgument("the experiment name must be a non-empty string")
    session = get_session()
    experiment = session.store().get_or_create_experiment(name.strip())
    session.experiment = experiment.name
    return experiment


def log_param(key: str, value: Any) -> None:
    """Log one param (any value: text, number, container, or a bounded repr)."""
    get_session().current().log_param(key, value)


def log_params(params: Mapping[str, Any]) -> None:
    """Log several params."""
    run = get_session().current()
    for key, value in params.items():
        run.log_param(key, value)


def log_metric(key: str, value: Any, step: int | None = None) -> None:
    """Log one metric point; with ``step``, a point of its history (buffered, cheap)."""
    session = get_session()
    run = session.stack[-1] if session.stack else session.current()
    run.log_metric(key, value, step)


def log_metrics(metrics: Mapping[str, Any], step: int | None = None) -> None:
    """Log several metrics at the same step."""
    run = get_session().current()
    for key, value in metrics.items():
        run.log_metric(key, value, step)


def set_tag(key: str, value: Any) -> None:
    """Set one tag of the active run."""
    get_session().current().set_tag(key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    """Set several tags of the active run."""
    run = get_session().current()
    for key, value in tags.items():
        run.set_tag(key, value)


def log_artifact(path: str | os.PathLike[str], artifact_path: str | None = None) -> str:
    """Store a local file with the active run, under ``artifact_path/`` if given."""
    import mimetypes  # its tables cost a first log milliseconds; only artifacts need them

    local = os.fspath(path)
    if not os.path.isfile(local):
        raise FileNotFoundError(f"log_artifact needs a file; {local!r} is not one")
    with open(local, "rb") as file:
        data = file.read()
    name = os.path.basename(local)
    target = posixpath.join(artifact_path.strip("/"), name) if artifact_path else name
    log_bytes(target, data, mimetypes.guess_type(local)[0])
    return target


def log_bytes(path: str, data: bytes, media_type: str | None = None) -> None:
    """Store ``data`` as artifact ``path`` of the active run."""
    validate_key(path, "artifact path")
    session = get_session()
    session.add_artifact(session.current(), path, data, media_type)


def search_runs(
    filter: str = "",
    order_by: str | Sequence[str] | None = None,
    experiment: str | Sequence[str] | None = None,
    max_results: int = 1000,
) -> Any:
    """Runs matching an MLflow-style filter, as a DataFrame (a list of dicts without pandas)."""
    session = get_session()
    names = [experiment] if isinstance(experiment, str) else list(experiment or [])
    order = [order_by] if isinstance(order_by, str) else list(order_by or [])
    runs = search(
        session.store(),
        names or [session.experiment_name()],
        filter=filter,
        order_by=order,
        max_results=max_results,
    )
    return runs_frame(runs)


def get_run(run: int | str, experiment: str | None = None) -> Run:
    """One stored run: a version (``7``, ``"v7"``) of ``experiment``, or a run id."""
    session = get_session()
    return find_run(session.store(), run, session.experiment_name(experiment))
