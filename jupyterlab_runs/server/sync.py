"""The offline outbox over REST: ``GET sync`` (what waits to reach the MLflow server) and
``POST sync`` (deliver now); the JSON is pending.py's."""

from __future__ import annotations

from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized

from ..store import RunStore
from .handlers import API, RunsAPIHandler
from .pending import sync_json

# How long POST sync delivers (or waits for the thread that holds the head of the queue);
# what is left goes on in the background, and the panel polls GET sync.
FLUSH_SECONDS = 10


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
                delivery.flush(FLUSH_SECONDS)
            return sync_json(store)

        self.send(await self.call(flush))


def sync_routes() -> list[tuple[str, type]]:
    """The outbox's URL pattern (without base_url) and its handler."""
    return [(f"{API}/sync", SyncHandler)]
