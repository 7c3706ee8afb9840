"""OutboxStore: the MLflow store, kept writable while its server cannot be reached.

Reads go to MLflow. A write that cannot reach the server (refused connection, timeout, 5xx —
never a 4xx, which still raises) goes to the outbox instead: a run created then is saved in
the outbox's embedded store (its id is the one the caller gets back, and later writes to it
go there too) and its creation is queued; a write to a run that lives on MLflow is queued as
it is. While anything is queued, new writes queue behind it, so the server receives them in
the order they were made. ``Delivery`` sends the queue when the server answers again; MLflow
then numbers the runs, so a pending run has version 0 here (``null`` over REST: "v?").
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from ..base import (
    Artifact,
    Change,
    Keys,
    MetricInput,
    MetricPoint,
    NewRun,
    NotFound,
    Page,
    ParamInput,
    Run,
    RunStore,
    StoreUnavailable,
)
from ..mlflow.mapping import TAG_OUTBOX_ID
from ..mlflow.store import MlflowStore
from ..redact import redact
from ..values import check_error, check_new_run, check_status, check_update_arguments, now_ms
from .delivery import PANEL_TIMEOUT, WRITE_TIMEOUT, Delivery, unreachable
from .experiments import ExperimentMethods
from .log import OpLog, PendingRun
from .payload import batch_json, new_run_json

if TYPE_CHECKING:
    from ..sqlite import SqliteStore

MAX_LISTED = 100
KNOWN_RUNS = 256
PENDING_NAME = "v?"


class OutboxStore(ExperimentMethods, RunStore):
    """``remote`` (an MlflowStore) with an outbox at ``path``; delivers in the background
    unless ``deliver`` is False (then ``delivery.deliver()`` sends the queue)."""

    def __init__(self, remote: MlflowStore, path: str, *, deliver: bool = True):
        self.remote = remote
        self.uri = remote.uri
        self.log = OpLog(path)
        self._local: SqliteStore | None = None
        self._lock = threading.Lock()
        self._known: OrderedDict[str, Run] = OrderedDict()  # runs on MLflow, last seen
        self._remembered: dict[str, tuple] = {}
        self.delivery = Delivery(self)
        if deliver:
            self.delivery.start()

    def __repr__(self) -> str:
        return f"OutboxStore({self.remote.rest.shown_url!r})"

    @property
    def local(self) -> SqliteStore:
        """The outbox's embedded store (opened on first use): the runs created offline."""
        from ..sqlite import SqliteStore  # loaded only by a process that needs the outbox

        with self._lock:
            if self._local is None:
                self._local = SqliteStore(self.log.path)
            return self._local

    @property
    def rest(self):
        """The MLflow REST client (the outbox talks to the server through the same one)."""
        return self.remote.rest

    def close(self) -> None:
        """Stop delivering and close connections (the queue stays on disk)."""
        self.delivery.stop()
        self.remote.close()
        self.log.close()
        if self._local is not None:
            self._local.close()

    # -- what the sync route shows ---------------------------------------------------------
    def is_pending(self, run_id: str) -> bool:
        """Whether ``run_id`` names a run created offline and not delivered yet."""
        return self.log.pending_run(run_id) is not None

    def sync_status(self) -> dict[str, Any]:
        """Pending count, last error and delivery, and the newest pending runs (as Runs)."""
        pending, failed = self.log.counts()
        status = self.log.status()
        error_at, error = status.get("last_error", (None, None))
        delivered_at, _ = status.get("last_delivered_at", (None, None))
        runs = []
        for item in self.log.pending_runs(MAX_LISTED):
            try:
                runs.append(self._pending_view(self.local.get_run(item.local_id), item))
            except NotFound:
                continue  # delivered meanwhile
        return {
            "pending": pending,
            "failed": failed,
            "last_error": None if error is None else redact(error),
            "last_error_at": error_at,
            "last_delivered_at": delivered_at,
            "runs": runs,
        }

    # -- helpers ---------------------------------------------------------------------------
    def _pending_view(self, run: Run, pending: PendingRun) -> Run:
        """A local run as the caller sees it: no version yet, in the server's experiment."""
        named = run.name != f"v{run.version}"
        return dataclasses.replace(
            run,
            version=0,
            name=run.name if named else PENDING_NAME,
            experiment_id=pending.experiment_id or run.experiment_id,
        )

    def _seen(self, run: Run) -> Run:
        self._known[run.id] = run
        self._known.move_to_end(run.id)
        while len(self._known) > KNOWN_RUNS:
            self._known.popitem(last=False)
        return run

    def _assumed(self, run_id: str, **changes: Any) -> Run:
        """What a queued write to a run on MLflow will leave (from the run last seen)."""
        known = self._known.get(run_id) or Run(
            id=run_id, experiment_id="", version=0, name="", status="RUNNING", source="api",
            start_time=0,
        )  # fmt: skip
        return dataclasses.replace(known, **changes)

    def _target(self, run_id: str) -> str:
        """The MLflow id of ``run_id`` (a delivered offline run's, or itself)."""
        return self.log.remote_id(run_id) or run_id

    def _online(self, call, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Try a write on MLflow, unless writes are queued (they go first); (done, result)."""
        if self.log.has_queued():
            return False, None
        try:
            with self.remote.rest.bounded(WRITE_TIMEOUT):
                return True, call(*args, **kwargs)
        except StoreUnavailable as error:
            if not unreachable(error):
                raise
            self.log.note_error(str(error))
            return False, None

    def _queue(self, kind: str, run_id: str, payload: dict[str, Any]) -> None:
        self.log.append(kind, run_id, payload)
        self.delivery.kick()

    # -- runs ------------------------------------------------------------------------------
    def create_run(self, run: NewRun) -> Run:
        """Create the run on MLflow, or keep it in the outbox (returned with version 0)."""
        check_new_run(run)  # a bad run is refused here, never queued
        outbox_id = uuid.uuid4().hex
        parent = run.parent_run_id
        if parent is None or self.log.pending_run(parent) is None:
            tagged = dataclasses.replace(
                run,
                tags={**run.tags, TAG_OUTBOX_ID: outbox_id},
                parent_run_id=None if parent is None else self._target(parent),
            )
            done, created = self._online(self._create_online, tagged)
            if done:
                return self._seen(created)
        return self._queue_create(run, outbox_id)

    def _create_online(self, run: NewRun) -> Run:
        experiment_id = self._server_experiment(run.experiment_id)
        return self.remote.create_run(dataclasses.replace(run, experiment_id=experiment_id))

    def _queue_create(self, run: NewRun, outbox_id: str) -> Run:
        name, remote_experiment = self._experiment_of(run.experiment_id)
        local_experiment = self.local.get_or_create_experiment(name, run.notebook_path)
        parent = run.parent_run_id
        local_parent = parent if parent and self.log.pending_run(parent) else None
        stored = self.local.create_run(
            dataclasses.replace(run, experiment_id=local_experiment.id, parent_run_id=local_parent)
        )
        pending = PendingRun(stored.id, outbox_id, remote_experiment, name)
        self.log.append_create(pending, new_run_json(run, stored))
        self.delivery.kick()
        return self._pending_view(stored, pending)

    def log_batch(
        self,
        run_id: str,
        params: Iterable[ParamInput] = (),
        metrics: Iterable[MetricInput] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Add params, points and tags now, or queue them behind earlier writes."""
        params, metrics = list(params), list(metrics)
        if self.log.pending_run(run_id) is not None:
            self.local.log_batch(run_id, params, metrics, tags)
            self._queue("log_batch", run_id, batch_json(params, metrics, tags))
            return
        done, _ = self._online(self.remote.log_batch, self._target(run_id), params, metrics, tags)
        if not done:
            self._queue("log_batch", run_id, batch_json(params, metrics, tags))

    def end_run(
        self,
        run_id: str,
        status: str,
        end_time: int | None = None,
        error: Mapping[str, str] | None = None,
    ) -> Run:
        """Close a run now, or queue its closing (the run returned shows it closed)."""
        pending = self.log.pending_run(run_id)
        if pending is not None:
            ended = self.local.end_run(run_id, status, end_time, error)
            payload = {"status": ended.status, "end_time": ended.end_time, "error": error}
            self._queue("end_run", run_id, payload)
            return self._pending_view(ended, pending)
        target = self._target(run_id)
        done, ended = self._online(self.remote.end_run, target, status, end_time, error)
        if done:
            return self._seen(ended)
        status = check_status(status)
        checked_error = check_error(error)
        end_time = now_ms() if end_time is None else end_time
        payload = {"status": status, "end_time": end_time, "error": checked_error}
        self._queue("end_run", run_id, payload)
        return self._assumed(target, status=status, end_time=end_time)

    def update_run(
        self,
        run_id: str,
        name: str | None = None,
        note: str | None = None,
        set_tags: Mapping[str, str] | None = None,
        delete_tags: Sequence[str] = (),
    ) -> Run:
        """Rename, annotate or re-tag a run now, or queue the change."""
        payload = {
            "name": name, "note": note, "set_tags": dict(set_tags or {}),
            "delete_tags": list(delete_tags),
        }  # fmt: skip
        pending = self.log.pending_run(run_id)
        if pending is not None:
            updated = self.local.update_run(run_id, name, note, set_tags, delete_tags)
            self._queue("update_run", run_id, payload)
            return self._pending_view(updated, pending)
        target = self._target(run_id)
        done, updated = self._online(
            self.remote.update_run, target, name, note, set_tags, delete_tags
        )
        if done:
            return self._seen(updated)
        check_update_arguments(name, note, set_tags, delete_tags)
        self._queue("update_run", run_id, payload)
        changes = {k: v for k, v in (("name", name), ("note", note)) if v is not None}
        return self._assumed(target, **changes)

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run now, or queue the deletion."""
        if self.log.pending_run(run_id) is not None:
            self.local.delete_run(run_id)
            self._queue("delete_run", run_id, {})
            return
        done, _ = self._online(self.remote.delete_run, self._target(run_id))
        if not done:
            self._queue("delete_run", run_id, {})

    def restore_run(self, run_id: str) -> Run:
        """Undo a soft delete now, or queue it."""
        pending = self.log.pending_run(run_id)
        if pending is not None:
            restored = self.local.restore_run(run_id)
            self._queue("restore_run", run_id, {})
            return self._pending_view(restored, pending)
        target = self._target(run_id)
        done, restored = self._online(self.remote.restore_run, target)
        if done:
            return self._seen(restored)
        self._queue("restore_run", run_id, {})
        return self._assumed(target, deleted_time=None)

    def kill_orphaned_runs(self) -> list[str]:
        """MLflow's (it cannot tell; runs created offline are delivered as they were left)."""
        return self.remote.kill_orphaned_runs()

    # -- reads -----------------------------------------------------------------------------
    def get_run(self, run_id: str) -> Run:
        """One run: a pending one from the outbox, else MLflow's (a delivered one by its new id)."""
        pending = self.log.pending_run(run_id)
        if pending is not None:
            return self._pending_view(self.local.get_run(run_id), pending)
        with self.remote.rest.bounded(PANEL_TIMEOUT):
            return self._seen(self.remote.get_run(self._target(run_id)))

    def get_run_by_version(self, experiment_id: str, version: int) -> Run:
        """One run by version, on MLflow (pending runs have none yet)."""
        return self.remote.get_run_by_version(experiment_id, version)

    def search_runs(self, experiment_ids: Sequence[str], *args: Any, **kwargs: Any) -> Page:
        """MLflow's search (pending runs are listed by ``sync_status``)."""
        return self.remote.search_runs(experiment_ids, *args, **kwargs)

    def metric_history(
        self, run_id: str, key: str, steps: tuple[int, int] | None = None
    ) -> list[MetricPoint]:
        """Every point of one metric (``steps``: a range), from wherever the run is now."""
        if self.log.pending_run(run_id) is not None:
            return self.local.metric_history(run_id, key, steps)
        return self.remote.metric_history(self._target(run_id), key, steps)

    def list_keys(self, experiment_ids: Sequence[str]) -> Keys:
        """MLflow's keys."""
        return self.remote.list_keys(experiment_ids)

    def changes(self, since: int = 0, limit: int = 1000) -> tuple[int, list[Change]]:
        """MLflow's change feed (a delivered run appears there as created)."""
        with self.remote.rest.bounded(PANEL_TIMEOUT):
            return self.remote.changes(since, limit)

    # -- artifacts -------------------------------------------------------------------------
    def log_artifact(
        self, run_id: str, path: str, data: bytes, media_type: str | None = None
    ) -> Artifact:
        """Store a file with a run: kept with a pending run and delivered after it; a run on
        MLflow takes it now (files are not queued for runs the server already holds)."""
        if self.log.pending_run(run_id) is not None:
            artifact = self.local.log_artifact(run_id, path, data, media_type)
            self._queue("log_artifact", run_id, {"path": path, "media_type": media_type})
            return artifact
        with self.remote.rest.bounded(WRITE_TIMEOUT):
            return self.remote.log_artifact(self._target(run_id), path, data, media_type)

    def list_artifacts(self, run_id: str) -> list[Artifact]:
        """Files stored with a run, wherever it is now."""
        if self.log.pending_run(run_id) is not None:
            return self.local.list_artifacts(run_id)
        return self.remote.list_artifacts(self._target(run_id))

    def read_artifact(self, run_id: str, path: str) -> bytes:
        """One artifact's bytes, wherever its run is now."""
        if self.log.pending_run(run_id) is not None:
            return self.local.read_artifact(run_id, path)
        return self.remote.read_artifact(self._target(run_id), path)

    def open_artifact(self, run_id: str, path: str) -> BinaryIO:
        """One artifact to read in chunks, wherever its run is now."""
        if self.log.pending_run(run_id) is not None:
            return self.local.open_artifact(run_id, path)
        return self.remote.open_artifact(self._target(run_id), path)
