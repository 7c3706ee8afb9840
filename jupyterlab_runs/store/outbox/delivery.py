"""Delivery: sending the outbox's queue to the MLflow server, in order and exactly once.

Whichever process holds the outbox open (the Jupyter server always, a kernel or a papermill
job too) runs a thread that claims the oldest queued op, applies it on MLflow and marks it
done; when the server cannot be reached it backs off (1 s doubling to MAX_BACKOFF) and tries
again. Ops are claimed one at a time in a write transaction, and an op claimed by a live
process is waited for, never skipped, so runs arrive in the order they were logged.

Exactly once: a run's creation carries the tag ``jupyterlab_runs.outbox_id`` in the very
request that creates it on MLflow, and delivery first searches for that tag. A run found
complete (versioned, its status, params and metrics all there) was delivered by an attempt
that died before it could say so: it is adopted. One found incomplete (cut short part-way)
is soft-deleted and the run created again. A batch retried after such a crash skips the
metric points MLflow already holds. Once a run and its later writes have all been delivered,
an idle delivery loop purges the outbox's copy of it (purge.py).
"""

from __future__ import annotations

import atexit
import logging
import math
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from ..base import Conflict, MetricInput, NotFound, StoreError, StoreUnavailable
from ..mlflow.mapping import TAG_OUTBOX_ID, TAG_VERSION, tags_of
from ..redact import redact
from .log import Op, holder_id
from .payload import batch_from_json, new_run_from_json
from .purge import purge_delivered

if TYPE_CHECKING:
    from .store import OutboxStore

WRITE_TIMEOUT = (3.0, 5.0)  # (connect, read) seconds for writes: a Log run waits no longer
# The panel's own polls (changes, one run, experiments): a slow server is reported, not waited
# for; searches keep MlflowStore's own timeout (a large experiment may take long to sort).
PANEL_TIMEOUT = (3.0, 10.0)
POLL_SECONDS = 2.0  # how often an idle process looks for ops other processes queued
MIN_BACKOFF = 1.0
MAX_BACKOFF = 10.0
_REFUSED = ("PERMISSION_DENIED", "UNAUTHENTICATED")
_HEX = re.compile(r"[0-9a-f]{32}")
_log = logging.getLogger(__name__)


def unreachable(error: StoreError) -> bool:
    """Whether a store error means "try again later" (no answer, a timeout, a 5xx) rather
    than a refusal that must reach the caller (a 4xx: bad input, no permission)."""
    return isinstance(error, StoreUnavailable) and getattr(error, "error_code", "") not in _REFUSED


class Delivery:
    """Sends one OutboxStore's queue to its MLflow server."""

    def __init__(self, store: OutboxStore):
        self._store = store
        self._announced = store.log.last_seq()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Deliver in a daemon thread until ``stop``; a last attempt at interpreter exit."""
        self._thread = threading.Thread(
            target=self._loop, name="jupyterlab-runs-outbox", daemon=True
        )
        self._thread.start()
        atexit.register(self._at_exit)

    def kick(self) -> None:
        """Deliver now (a write was just queued)."""
        self._wake.set()

    def stop(self) -> None:
        """End the thread (at most one bounded request later)."""
        self._stopped.set()
        self._wake.set()
        atexit.unregister(self._at_exit)

    def _at_exit(self) -> None:
        self._stopped.set()
        try:
            self.deliver()  # a headless job ending with the server back delivers its own runs
        except Exception:  # noqa: BLE001 - at exit, the queue stays on disk for the next process
            _log.debug("outbox: delivery at exit failed", exc_info=True)

    def _loop(self) -> None:
        backoff = MIN_BACKOFF
        while not self._stopped.is_set():
            try:
                outcome = self.deliver()
                if outcome == "idle":
                    purge_delivered(self._store)
            except Exception:  # noqa: BLE001 - the thread must outlive one bad op
                _log.exception("outbox: delivery failed")
                outcome = "unreachable"
            self._announce()
            if outcome == "unreachable":
                wait, backoff = backoff, min(backoff * 2, MAX_BACKOFF)
            else:
                wait, backoff = POLL_SECONDS, MIN_BACKOFF
            self._wake.wait(wait)
            self._wake.clear()

    def flush(self, timeout: float) -> str:
        """Deliver now, waiting up to ``timeout`` seconds while another thread or process
        delivers the head of the queue; what ``deliver`` said last."""
        deadline = time.monotonic() + timeout
        while (outcome := self.deliver(deadline)) == "busy" and time.monotonic() < deadline:
            time.sleep(0.1)
        return outcome

    def _announce(self) -> None:
        """Put the runs other processes delivered into this process's change feed, so a
        panel refreshes whoever delivered them (a run logged hours ago ended too long ago
        for the feed's own polling to notice it)."""
        for seq, run_id, experiment_id in self._store.log.delivered_since(self._announced):
            self._announced = seq
            self._store.remote._changed("created", run_id, experiment_id)

    def deliver(self, deadline: float | None = None) -> str:
        """Send queued ops until none is left (or, past ``deadline``, a monotonic time, stop
        between two ops): ``idle`` (nothing to do), ``busy`` (another process is delivering
        the head of the queue, or the deadline came) or ``unreachable``."""
        store = self._store
        if not store.log.has_queued():  # a read: an idle poll takes no write lock
            return "idle"
        holder = holder_id()
        with store.remote.rest.bounded(WRITE_TIMEOUT):
            while True:
                if deadline is not None and time.monotonic() > deadline:
                    return "busy"
                op = store.log.claim(holder)
                if op is None:
                    return "busy" if store.log.has_queued() else "idle"
                try:
                    created = self._apply(op)
                except StoreError as error:
                    if unreachable(error) or getattr(error, "error_code", "") in _REFUSED:
                        store.log.release(op, str(error))
                        return "unreachable"
                    store.log.fail(op, f"{op.kind} refused by MLflow: {error}")
                    _log.warning("outbox: %s", redact(str(error)))
                    continue
                except Exception as error:
                    store.log.fail(op, f"{op.kind} could not be delivered: {error!r}")
                    raise
                store.log.done(op, created)

    # -- one op ------------------------------------------------------------------------------
    def _apply(self, op: Op) -> tuple[str, str] | None:
        store = self._store
        if op.kind == "create_run":
            return self._create(op)
        target = op.run_id
        if store.log.created_offline(op.run_id):
            target = store.log.remote_id(op.run_id)
        if target is None:
            raise NotFound(f"run {op.run_id} was never delivered, so its {op.kind} cannot be")
        payload = op.payload
        if op.kind == "log_batch":
            params, metrics, tags = batch_from_json(payload)
            if op.attempts:  # an earlier attempt may have written part of it
                metrics = self._unsent(target, metrics)
            store.remote.log_batch(target, params, metrics, tags)
        elif op.kind == "end_run":
            try:
                store.remote.end_run(target, **payload)
            except Conflict:
                if not op.attempts:
                    raise  # ended by someone else; a retry's own earlier attempt is fine
        elif op.kind == "update_run":
            store.remote.update_run(target, **payload)
        elif op.kind == "delete_run":
            store.remote.delete_run(target)
        elif op.kind == "restore_run":
            store.remote.restore_run(target)
        elif op.kind == "log_artifact":
            data = store.local.read_artifact(op.run_id, payload["path"])
            store.remote.log_artifact(target, payload["path"], data, payload["media_type"])
        else:
            raise NotFound(f"unknown queued write {op.kind!r}")
        return None

    def _create(self, op: Op) -> tuple[str, str]:
        """Create the run on MLflow (or adopt the copy an interrupted attempt made); its id
        and its experiment's."""
        store = self._store
        pending = store.log.pending_run(op.run_id)
        if pending is None or not _HEX.fullmatch(pending.outbox_id):
            raise NotFound(f"run {op.run_id} is not in the outbox")
        payload = op.payload
        experiment_id = pending.experiment_id
        if experiment_id:
            try:
                store.remote.get_experiment(experiment_id)
            except NotFound:
                experiment_id = None  # deleted for good meanwhile: go by name
        if not experiment_id:
            experiment_id = store.remote.get_or_create_experiment(
                pending.experiment_name, payload.get("notebook_path")
            ).id
        for found in self._copies(experiment_id, pending.outbox_id):
            if _complete(found, payload):
                return found["info"]["run_id"], experiment_id
            if found["info"].get("lifecycle_stage") == "active":
                store.remote.delete_run(found["info"]["run_id"])  # a part-written copy
        parent = payload.get("parent_run_id")
        if parent and store.log.created_offline(parent):
            parent = store.log.remote_id(parent)
        run = new_run_from_json(payload, experiment_id=experiment_id, parent_run_id=parent)
        run.tags = {**run.tags, TAG_OUTBOX_ID: pending.outbox_id}
        return store.remote.create_run(run).id, experiment_id

    def _copies(self, experiment_id: str, outbox_id: str) -> list[dict[str, Any]]:
        """Runs of the experiment carrying this outbox id (one search, deleted ones too)."""
        body = {
            "experiment_ids": [experiment_id],
            "filter": f"tags.`{TAG_OUTBOX_ID}` = '{outbox_id}'",  # our hex id, never user text
            "run_view_type": "ALL",
            "max_results": 10,
        }
        return self._store.remote.rest.post("runs/search", body).get("runs", [])

    def _unsent(self, run_id: str, metrics: list[MetricInput]) -> list[MetricInput]:
        """The points MLflow does not hold yet (same key, step, timestamp and value)."""
        held: dict[str, set[tuple[int, int, Any]]] = {}
        for key in {point.key for point in metrics}:
            history = self._store.remote.metric_history(run_id, key)
            held[key] = {(p.step, p.timestamp, _same(p.value)) for p in history}
        return [
            point
            for point in metrics
            if (point.step, point.timestamp, _same(point.value)) not in held[point.key]
        ]


def _same(value: float) -> Any:
    return "nan" if math.isnan(value) else value


def _complete(found: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether an MLflow run holds all of a queued creation: versioned, active, its status,
    params and metric keys there (what create_run writes last is the status)."""
    info, data = found["info"], found.get("data", {})
    params = {p["key"] for p in data.get("params", [])}
    metrics = {m["key"] for m in data.get("metrics", [])}
    return (
        info.get("lifecycle_stage") == "active"
        and TAG_VERSION in tags_of(data)
        and info.get("status") == payload["status"]
        and {p["key"] for p in payload["params"]} <= params
        and {m["key"] for m in payload["metrics"]} <= metrics
    )
