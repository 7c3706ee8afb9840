"""A change feed for an MLflow server, which keeps none: our own writes, plus polling.

Writes made through this store are recorded as they happen. Other writers (kernels, plain
``mlflow`` code, the MLflow UI) are found by polling at most once per ``interval``: the
experiment list (created, renamed, deleted or restored experiments), and two run searches —
runs that ended since the previous poll (minus ``SLACK_MS`` for clock skew) and runs still
RUNNING — whose fingerprints (status, end time, name, lifecycle, tags, params, latest
metrics) are compared with the previous poll's. That finds new runs (a run posted after its
cell ended carries a recent end time, a live run is RUNNING), metrics logged to live runs,
runs ending, and deletions or edits of recently ended runs.

What it misses: edits by other writers to runs that ended before the previous poll (a note
or tag changed in the MLflow UI on last week's run, such a run deleted there) and runs
created by others with an end time already in the past (bulk imports); the panel shows them
on its next reload. Cursors are ``1000 × ms at startup + n``, so they grow across restarts;
the feed lives in memory, one per store.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..base import Change
from ..values import now_ms
from .rest import RestClient

SLACK_MS = 5 * 60 * 1000
KEEP = 10_000
PAGE = 5_000
MAX_LIMIT = 10_000


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def run_fingerprint(run: Mapping[str, Any]) -> str:
    """What of a run a change would alter."""
    info, data = run["info"], run.get("data", {})
    return _fingerprint(
        info.get("lifecycle_stage"),
        info.get("status"),
        info.get("end_time"),
        info.get("run_name"),
        data.get("tags", []),
        data.get("params", []),
        data.get("metrics", []),
    )


class ChangeFeed:
    """Change entries of one store, from its own writes and from polling the server;
    ``on_change`` is called when a poll finds something."""

    def __init__(
        self,
        rest: RestClient,
        visible_experiments: Callable[[], list[dict[str, Any]]],
        interval: float = 1.0,
        on_change: Callable[[], None] = lambda: None,
    ):
        self.rest = rest
        self.visible_experiments = visible_experiments
        self.interval = interval
        self.on_change = on_change
        self._lock = threading.Lock()
        self._log: deque[Change] = deque(maxlen=KEEP)
        self._cursor = now_ms() * 1000
        self._experiments: dict[str, tuple[str, str]] | None = None
        self._runs: dict[str, str] = {}
        self._touched: set[str] = set()
        self._polled_at = 0.0
        self._watermark = now_ms()

    def record(self, kind: str, op: str, id: str, experiment_id: str | None) -> None:
        """Note a change made through this store."""
        with self._lock:
            self._append(kind, op, id, experiment_id)
            self._touched.add(id)

    def _append(self, kind: str, op: str, id: str, experiment_id: str | None) -> None:
        self._cursor += 1
        self._log.append(Change(self._cursor, kind, op, id, experiment_id, now_ms()))

    def changes(self, since: int, limit: int) -> tuple[int, list[Change]]:
        """Entries after ``since`` (polling the server first) and the cursor to pass next."""
        limit = min(max(1, limit), MAX_LIMIT)
        with self._lock:
            if time.monotonic() - self._polled_at >= self.interval:
                self._poll()
            entries = [change for change in self._log if change.cursor > since][:limit]
            return (entries[-1].cursor if entries else min(since, self._cursor)), entries

    def _poll(self) -> None:
        started, known = now_ms(), self._cursor
        baseline = self._experiments is None
        experiments = self.visible_experiments()
        self._diff_experiments(experiments, baseline)
        ids = [e["experiment_id"] for e in experiments]
        if ids:
            window = self._watermark - SLACK_MS
            runs = {}
            for condition in (f"attributes.end_time >= {window}", "attributes.status = 'RUNNING'"):
                runs.update({run["info"]["run_id"]: run for run in self._search(ids, condition)})
            self._diff_runs(runs.values(), baseline)
        self._touched.clear()
        self._watermark = started
        self._polled_at = time.monotonic()
        if self._cursor != known:
            self.on_change()  # what others changed makes cached searches stale

    def _search(self, experiment_ids: list[str], condition: str) -> Iterable[dict[str, Any]]:
        body: dict[str, Any] = {
            "experiment_ids": experiment_ids,
            "filter": condition,
            "run_view_type": "ALL",
            "max_results": PAGE,
        }
        while True:
            reply = self.rest.post("runs/search", body)
            yield from reply.get("runs", [])
            if not reply.get("next_page_token"):
                return
            body["page_token"] = reply["next_page_token"]

    def _diff_experiments(self, experiments: list[dict[str, Any]], baseline: bool) -> None:
        seen = {
            e["experiment_id"]: (e.get("lifecycle_stage", "active"), _fingerprint(e))
            for e in experiments
        }
        before = self._experiments or {}
        for experiment_id, (stage, fingerprint) in seen.items():
            previous = before.get(experiment_id)
            if baseline or experiment_id in self._touched or previous == (stage, fingerprint):
                continue
            if previous is None:
                op = "created"
            elif stage == "deleted" and previous[0] != "deleted":
                op = "deleted"
            else:
                op = "updated"
            self._append("experiment", op, experiment_id, experiment_id)
        self._experiments = seen

    def _diff_runs(self, runs: Iterable[Mapping[str, Any]], baseline: bool) -> None:
        seen = {}
        for run in runs:
            info = run["info"]
            run_id, fingerprint = info["run_id"], run_fingerprint(run)
            seen[run_id] = fingerprint
            previous = self._runs.get(run_id)
            if baseline or run_id in self._touched or previous == fingerprint:
                continue
            if previous is None:
                op = "created"
            elif info.get("lifecycle_stage") == "deleted":
                op = "deleted"
            else:
                op = "updated"
            self._append("run", op, run_id, info["experiment_id"])
        self._runs = seen
