"""MLflow runs that are a notebook cell's run (Log run, ``%%track``).

MLflow sees such a run under an id of its own from its start; the kernel saves the run when
the cell ends (``%%track``) or hands its values to the front end (Log run). Values MLflow logs
are recorded with source ``mlflow``; values the cell logs explicitly win over captured ones
as usual, and the cell, not ``mlflow.end_run()``, ends the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from mlflow.entities import RunStatus
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_STATE
from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME

from .. import store as s
from ..store.values import normalize_param, summarize_metrics
from . import binding


class CellRuns:
    """The cell runs MLflow has started in this process, by the id MLflow knows them by."""

    def __init__(self) -> None:
        self._runs: dict[str, Any] = {}
        self._ended: dict[str, str] = {}

    def start(self, run_name: str | None, tags: Mapping[str, str], parent_id: str | None):
        """Bind a new MLflow run to the executing cell's run (or, nested under one, to a child
        run); returns ``(mlflow id, run)``, or None when MLflow's run is an ordinary one."""
        hooks = binding.provider()
        if hooks is None:
            return None
        if parent_id is not None:
            parent = self._runs.get(parent_id)
            active = None if parent is None else hooks.start_child(parent, run_name)
        else:
            active = hooks.cell_run()
            # A second top-level MLflow run in the same cell (a loop) is a run of its own.
            if active is not None and any(r is active for r in self._runs.values()):
                active = None
        if active is None:
            return None
        run_id = uuid.uuid4().hex
        self._runs[run_id] = active
        if run_name and not active.name:
            active.name = run_name
        for key, value in tags.items():
            if key == MLFLOW_RUN_NAME:
                active.name = active.name or value
            else:
                active.set_tag(key, value)
        return run_id, active

    def get(self, run_id: str) -> Any | None:
        """The kernel run behind an MLflow id, if it is a cell run."""
        return self._runs.get(run_id)

    def stored_id(self, run_id: str) -> str | None:
        """The store's id once the kernel saved the run MLflow knows as ``run_id``."""
        active = self._runs.get(run_id)
        return None if active is None or active.stored is None else active.stored.id

    def log(
        self,
        run_id: str,
        active: Any,
        params: Sequence[Any],
        metrics: Sequence[Any],
        tags: Sequence[Any],
    ) -> None:
        """Record MLflow's values with the cell's run (explicit logs in the cell win)."""
        if active.status != "RUNNING":
            raise MlflowException(
                f"run {run_id} belonged to a cell that has ended ({active.status}); call "
                "mlflow.end_run() and start a new run",
                INVALID_STATE,
            )
        for param in params:
            active.log_param(param.key, param.value, source=binding.SOURCE)
        for metric in metrics:
            active.log_metric(
                metric.key, metric.value, metric.step, metric.timestamp, source=binding.SOURCE
            )
        for tag in tags:
            if tag.key == MLFLOW_RUN_NAME:
                active.name = tag.value
            else:
                active.set_tag(tag.key, tag.value)

    def update(self, run_id: str, active: Any, status: Any, run_name: str | None) -> None:
        """MLflow ended or renamed the run: a child ends now, the cell's run with its cell."""
        if run_name:
            active.name = run_name
        if status is None:
            return
        text = status if isinstance(status, str) else RunStatus.to_string(status)
        if text == "RUNNING":
            return
        self._ended[run_id] = text
        if active.kind == "explicit" and active.status == "RUNNING":
            from ..kernel.session import get_session

            get_session().end(active, status=text, quiet=True)

    def snapshot(self, run_id: str, active: Any, experiment_id: str) -> s.Run:
        """The run as stored, or as it stands now when the cell has not saved it yet."""
        if active.stored is not None:
            return active.stored
        context = dict(active.context)
        metrics = summarize_metrics(active.all_metrics())
        return s.Run(
            id=run_id,
            experiment_id=experiment_id,
            version=0,
            name=active.name or "",
            status=self._ended.get(run_id, active.status),
            source=active.source,
            start_time=active.start_time,
            end_time=active.end_time,
            notebook_path=context.get("notebook_path"),
            cell_id=context.get("cell_id"),
            user=context.get("user"),
            params={p.key: normalize_param(p) for p in active.final_params()},
            metrics=metrics,
            tags=active.tags,
        )


CELL_RUNS = CellRuns()  # one per process: the tracking store and artifact repositories share it
