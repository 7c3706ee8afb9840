"""MLflow's ``AbstractStore`` as a thin translation onto our ``RunStore`` (the embedded store).

Experiment ``"0"`` (MLflow's default) is the notebook's experiment in a kernel, else
``Default``. A run's version is its default name; our run fields appear as MLflow tags. Runs
MLflow starts while a Log run or ``%%track`` cell executes are that cell's run (``cell_runs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from mlflow.entities import Metric, RunStatus, ViewType
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST
from mlflow.store.entities.paged_list import PagedList
from mlflow.store.tracking.abstract_store import AbstractStore
from mlflow.utils.mlflow_tags import (
    MLFLOW_GIT_COMMIT,
    MLFLOW_PARENT_RUN_ID,
    MLFLOW_RUN_NAME,
    MLFLOW_RUN_NOTE,
    MLFLOW_USER,
)
from mlflow.utils.search_utils import SearchExperimentsUtils, SearchUtils

from .. import store as s
from . import binding, entities
from .cell_runs import CELL_RUNS
from .errors import translated, unsupported
from .locations import SCHEME, shared_store, store_path
from .logged_models import LoggedModels

DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"
_VIEWS = {ViewType.ACTIVE_ONLY: "active", ViewType.DELETED_ONLY: "deleted", ViewType.ALL: "all"}
# MLflow tags that are fields of our runs, set through update_run instead of as tags.
_RUN_FIELDS = {MLFLOW_RUN_NAME: "name", MLFLOW_RUN_NOTE: "note"}


def _status(status: Any) -> str:
    return status if isinstance(status, str) else RunStatus.to_string(status)


class JupyterLabRunsStore(LoggedModels, AbstractStore):
    """The ``mlflow.tracking_store`` plugin for ``jupyterlab-runs:`` URIs."""

    def __init__(self, store_uri: str | None = None, artifact_uri: str | None = None) -> None:
        super().__init__()
        self._uri = store_uri or f"{SCHEME}:"
        self._fixed = store_path(self._uri) if urlparse(self._uri).path else None
        self.cells = CELL_RUNS
        self._model_runs: dict[str, str] = {}  # logged model id → MLflow run id, this process

    @property
    def db_path(self) -> str:
        """The store file; a bare ``jupyterlab-runs:`` follows ``resolve_uri()`` as it changes."""
        return self._fixed or store_path(self._uri)

    @property
    def store(self) -> s.SqliteStore:
        """The embedded store this plugin translates onto."""
        return shared_store(self.db_path)

    # -- experiments ----------------------------------------------------------------------
    def _experiment_id(self, experiment_id: Any) -> str:
        if str(experiment_id) != DEFAULT_EXPERIMENT_ID:
            return str(experiment_id)
        hooks = binding.provider()
        name = hooks.experiment_name() if hooks is not None else DEFAULT_EXPERIMENT_NAME
        return self.store.get_or_create_experiment(name).id

    def _experiment(self, experiment: s.Experiment):
        return entities.experiment(experiment, str(self.store.artifact_root))

    @translated
    def search_experiments(
        self,
        view_type=ViewType.ACTIVE_ONLY,
        max_results=1000,
        filter_string=None,
        order_by=None,
        page_token=None,
    ):
        """Experiments filtered, sorted and paged by MLflow's own search utilities."""
        found = [self._experiment(e) for e in self.store.list_experiments(_VIEWS[view_type])]
        found = SearchExperimentsUtils.filter(found, filter_string)
        found = SearchExperimentsUtils.sort(found, order_by or ["creation_time DESC"])
        page, token = SearchUtils.paginate(found, page_token, max_results)
        return PagedList(page, token)

    @translated
    def create_experiment(self, name, artifact_location=None, tags=None):
        """Create an experiment; a note tag becomes its description."""
        if artifact_location:
            raise unsupported(
                "an artifact_location per experiment",
                f"artifacts live in the store's folder ({self.store.artifact_root})",
            )
        description, notebook = self._experiment_tags(tags or [])
        return self.store.create_experiment(name, notebook, description or "").id

    def _experiment_tags(self, tags) -> tuple[str | None, str | None]:
        values = {t.key: t.value for t in tags}
        description = values.pop(MLFLOW_RUN_NOTE, None)
        notebook = values.pop(entities.NOTEBOOK_TAG, None)
        if values:
            raise unsupported(
                f"experiment tags ({', '.join(sorted(values))})",
                f"an experiment keeps only a description ({MLFLOW_RUN_NOTE})",
            )
        return description, notebook

    @translated
    def get_experiment(self, experiment_id):
        """One experiment; ``"0"`` is the default one."""
        return self._experiment(self.store.get_experiment(self._experiment_id(experiment_id)))

    @translated
    def get_experiment_by_name(self, experiment_name):
        """One experiment by name, or None."""
        try:
            return self._experiment(self.store.get_experiment_by_name(experiment_name))
        except s.NotFound:
            return None

    @translated
    def delete_experiment(self, experiment_id):
        """Soft-delete an experiment."""
        self.store.delete_experiment(self._experiment_id(experiment_id))

    @translated
    def restore_experiment(self, experiment_id):
        """Undo a soft delete (by name: restoring is what get_or_create does to a deleted one)."""
        experiment_id = self._experiment_id(experiment_id)
        for experiment in self.store.list_experiments("deleted"):
            if experiment.id == experiment_id:
                self.store.get_or_create_experiment(experiment.name)
                return
        self.store.get_experiment(experiment_id)  # NotFound, or active already

    @translated
    def rename_experiment(self, experiment_id, new_name):
        """Rename an experiment."""
        self.store.update_experiment(self._experiment_id(experiment_id), name=new_name)

    @translated
    def set_experiment_tag(self, experiment_id, tag):
        """Only the note tag (the description) has a place in our experiments."""
        description, _ = self._experiment_tags([tag])
        if description is None:
            raise unsupported("experiment tags", "only the notebook path is kept, at creation")
        self.store.update_experiment(self._experiment_id(experiment_id), description=description)

    # -- runs -----------------------------------------------------------------------------
    def _run_id(self, run_id: str) -> str:
        """The store's id of a run MLflow names (a saved cell run has a new one)."""
        return self.cells.stored_id(run_id) or run_id

    def _to_mlflow(self, run: s.Run, run_id: str | None = None):
        return entities.run(run, self.db_path, run_id)

    @translated
    def create_run(self, experiment_id, user_id, start_time, tags, run_name):
        """A new RUNNING run with the experiment's next version (or the executing cell's run)."""
        experiment_id = self._experiment_id(experiment_id)
        values = {t.key: t.value for t in tags or []}
        parent = values.pop(MLFLOW_PARENT_RUN_ID, None)
        bound = self.cells.start(run_name, values, parent)
        if bound is not None:
            run_id, active = bound
            return self._to_mlflow(self.cells.snapshot(run_id, active, experiment_id), run_id)
        hooks = binding.provider()
        context = hooks.context() if hooks is not None else {}
        context["user"] = values.pop(MLFLOW_USER, None) or user_id or context.get("user")
        context["git_commit"] = values.pop(MLFLOW_GIT_COMMIT, None) or context.get("git_commit")
        run = self.store.create_run(
            s.NewRun(
                experiment_id=experiment_id,
                status="RUNNING",
                name=run_name or values.pop(MLFLOW_RUN_NAME, None),
                start_time=start_time,
                note=values.pop(MLFLOW_RUN_NOTE, ""),
                parent_run_id=None if parent is None else self._run_id(parent),
                tags={k: v for k, v in values.items() if k != MLFLOW_RUN_NAME},
                **context,
            )
        )
        return self._to_mlflow(run)

    def _cell(self, run_id: str):
        active = self.cells.get(run_id)
        return None if active is None or active.stored is not None else active

    @translated
    def get_run(self, run_id):
        """One run with its latest metrics, params and tags."""
        active = self._cell(run_id)
        if active is not None:
            experiment = self.store.get_or_create_experiment(active.experiment_name)
            return self._to_mlflow(self.cells.snapshot(run_id, active, experiment.id), run_id)
        return self._to_mlflow(self.store.get_run(self._run_id(run_id)), run_id)

    @translated
    def update_run_info(self, run_id, run_status, end_time, run_name):
        """End or rename a run (a cell's run ends with its cell)."""
        active = self._cell(run_id)
        if active is not None:
            self.cells.update(run_id, active, run_status, run_name)
            return self.get_run(run_id).info
        stored_id = self._run_id(run_id)
        status = None if run_status is None else _status(run_status)
        current = self.store.get_run(stored_id)
        if run_name:
            self.store.update_run(stored_id, name=run_name)
        if status not in (None, "RUNNING", current.status):
            self.store.end_run(stored_id, status, end_time)
        return self.get_run(run_id).info

    @translated
    def delete_run(self, run_id):
        """Soft-delete a run."""
        self.store.delete_run(self._run_id(run_id))

    @translated
    def restore_run(self, run_id):
        """Undo a soft delete."""
        self.store.restore_run(self._run_id(run_id))

    @translated
    def log_batch(self, run_id, metrics, params, tags):
        """Params (write-once), metric points and tags in one transaction, marked ``mlflow``."""
        active = self._cell(run_id)
        if active is not None:
            self.cells.log(run_id, active, params, metrics, tags)
            return
        stored_id = self._run_id(run_id)
        fields = {_RUN_FIELDS[t.key]: t.value for t in tags if t.key in _RUN_FIELDS}
        if fields:
            self.store.update_run(stored_id, **fields)
        self.store.log_batch(
            stored_id,
            [s.ParamInput(p.key, p.value, "str", binding.SOURCE) for p in params],
            [s.MetricInput(m.key, m.value, m.step, m.timestamp, binding.SOURCE) for m in metrics],
            {t.key: t.value for t in tags if t.key not in _RUN_FIELDS},
        )

    @translated
    def delete_tag(self, run_id, key):
        """Remove a tag from a run."""
        active = self._cell(run_id)
        if active is not None:
            raise unsupported("deleting a tag of a cell's run", "it is saved when the cell ends")
        stored_id = self._run_id(run_id)
        if key not in self.store.get_run(stored_id).tags:
            raise MlflowException(
                f"no tag with key {key!r} in run {run_id}", RESOURCE_DOES_NOT_EXIST
            )
        self.store.update_run(stored_id, delete_tags=[key])

    @translated
    def get_metric_history(self, run_id, metric_key, max_results=None, page_token=None):
        """A metric's points by step, paged by MLflow's offset tokens."""
        active = self._cell(run_id)
        if active is not None:
            points = [m for m in active.all_metrics() if m.key == metric_key]
        else:
            points = self.store.metric_history(self._run_id(run_id), metric_key)
        history = [Metric(p.key, p.value, p.timestamp, p.step, run_id=run_id) for p in points]
        if max_results is None:
            return PagedList(history, None)
        page, token = SearchUtils.paginate(history, page_token, max_results)
        return PagedList(page, token)

    @translated
    def _search_runs(
        self, experiment_ids, filter_string, run_view_type, max_results, order_by, page_token
    ):
        """Our search (MLflow's filter syntax, order_by, keyset page tokens)."""
        page = self.store.search_runs(
            [self._experiment_id(e) for e in experiment_ids],
            filter=filter_string or "",
            order_by=list(order_by or []),
            max_results=max_results,
            page_token=page_token or None,
            view=_VIEWS.get(run_view_type, "active"),
        )
        return [self._to_mlflow(run) for run in page.items], page.next_page_token

    @translated
    def log_inputs(self, run_id, datasets=None, models=None):
        """Dataset inputs are kept (as one JSON tag); model inputs are refused."""
        if models:
            raise unsupported("model inputs", "a run's inputs may only be datasets here")
        if not datasets:
            return
        run = self.get_run(run_id)
        entries = [entities.dataset_entry(d) for d in run.inputs.dataset_inputs]
        known = {(e["dataset"]["name"], e["dataset"]["digest"]) for e in entries}
        for dataset in datasets:
            entry = entities.dataset_entry(dataset)
            if (entry["dataset"]["name"], entry["dataset"]["digest"]) not in known:
                entries.append(entry)
        self._set_json_tag(run_id, entities.DATASETS_TAG, entries)

    def link_traces_to_run(self, trace_ids: Sequence[str], run_id: str) -> None:
        """Traces are not kept by this store."""
        raise unsupported("traces", "use an MLflow tracking server for tracing (GenAI) data")
