"""The JSON of runs that may wait in the offline outbox, and of the outbox's state.

A run created while the MLflow server is unreachable is answered with ``"version": null``
and ``"pending": true`` (the server numbers it on delivery); the embedded store has no outbox,
so there ``enabled`` is false and nothing is ever pending.
"""

from __future__ import annotations

from typing import Any

from ..store import Run, RunStore, serialize


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
    for run in found.pop("runs"):
        payload = serialize.run_to_json(run)
        payload.update(version=None, pending=True)
        runs.append(payload)
    return {"enabled": True, **found, "runs": runs}
