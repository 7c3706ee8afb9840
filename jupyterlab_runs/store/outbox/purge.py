"""Purging the outbox's copies of delivered runs.

A run created while the server was unreachable is kept in the outbox's embedded store until
MLflow has it. Once its creation and every later write to it are delivered, MLflow holds all
of it and the copy (rows, metric points, artifact files) is only weight, so it goes. What the
exactly-once delivery rests on stays: the op log's done ops and the run's row in
``outbox_runs`` (its outbox id and MLflow id), so the local id the caller holds still finds
the run and nothing is sent twice.

A copy goes only ``AFTER_MS`` after its run's last delivery: a writer that found the run still
pending writes to the copy and then queues the op, whose delivery may read the copy (an
artifact's bytes), so a copy whose run was just delivered may still be needed. A run with an
op the server refused keeps its copy, for inspection.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from ..values import now_ms

if TYPE_CHECKING:
    from .store import OutboxStore

AFTER_MS = 60_000

# The embedded store's tables and the op log's share the outbox file (log.py).
_SETTLED = """
SELECT r.local_id FROM outbox_runs r JOIN runs l ON l.id = r.local_id
WHERE NOT EXISTS (
    SELECT 1 FROM outbox_ops o
    WHERE o.run_id = r.local_id AND (o.state != 'done' OR o.done_at > ?)
)"""


def purge_delivered(store: OutboxStore, after_ms: int = AFTER_MS) -> list[str]:
    """Delete the local copies of runs whose every write MLflow has held for ``after_ms``
    milliseconds; their local ids."""
    if not store.log.created_any():
        return []  # nothing was ever created offline: no embedded store to open
    local = store.local
    cutoff = now_ms() - after_ms
    with local.db.snapshot() as conn:  # an idle poll takes no write lock
        if conn.execute(_SETTLED + " LIMIT 1", (cutoff,)).fetchone() is None:
            return []
    # Checked again under the write lock: an op queued meanwhile keeps its run's copy.
    with local.db.transaction() as conn:
        run_ids = [row[0] for row in conn.execute(_SETTLED, (cutoff,))]
        # Params, points, tags, artifact rows and the owner row go with it (ON DELETE CASCADE).
        conn.executemany("DELETE FROM runs WHERE id = ?", [(run_id,) for run_id in run_ids])
    for run_id in run_ids:
        shutil.rmtree(local.artifact_root / run_id, ignore_errors=True)
    return run_ids
