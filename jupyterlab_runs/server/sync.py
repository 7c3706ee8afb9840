"""The offline outbox over REST: ``GET sync`` (what waits to reach the MLflow server) and
``POST sync`` (deliver now), plus the JSON of a run that may still be pending.

A run created while the server is unreachable is answered with ``"version": null`` and
``"pending": true`` (the server numbers it on delivery); the embedded store has no outbox,
so there ``enabled`` is false and nothing is ever pending.
"""

from __future__ import annotations

from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized

from ..store import Run, RunStore, serialize
from .handlers import API, RunsAPIHandler

MAX_LISTED = 100


def run_json(store: RunStore, run: Run) -> dict[str, Any]:
    """A run as GET runs shows it; one waiting in the outbox without a version, pending."""
    payload = serialize.run_to_json(run)
    is_pending = getattr(store, "is_pending", None)  # only stores with an outbox have one
    if is_pending is not None and is_pending(run.id):
        payload.update(version=None, pending=True)
    return payload


def sync_json(store: RunStore) -> dict[str, Any]:
    """``{enabled, pending, failed, last_error, last_error_at, last_delivered_at, runs}``."""
    status = getattr(store, "sync_status", None)
    if status is None:
        return {
            "enabled": False, "pending": 0, "failed": 0, "last_error": None,
            "last_error_at": None, "last_delivered_at": None, "runs": [],
        }  # fmt: skip
    found = status()
    runs = []
    for run in found.pop("runs")[:MAX_LISTED]:
        payload = serialize.run_to_json(run)
        payload.update(version=None, pending=True)
        runs.append(payload)
    return {"enabled": True, **found, "runs": runs}


class SyncHandler(RunsAPIHandler):
    """``GET``: the outbox's state; ``POST``: deliver what waits now, then its state."""

    @tornado.web.authenticated
    @authorized
    async def get(self):
        self.send(await self.call(sync_json))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        def flush(store: RunStore) -> dict[str, Any]:
            delivery = getattr(store, "delivery", None)
            if delivery is not None:
                delivery.deliver()
            return sync_json(store)

        self.send(await self.call(flush))


def sync_routes() -> list[tuple[str, type]]:
    """The outbox's URL pattern (without base_url) and its handler."""
    return [(f"{API}/sync", SyncHandler)]
