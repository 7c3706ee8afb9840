"""Finding runs: ``v7`` / ``7`` / run ids, searches across pages, and data frames."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ..store.base import NotFound, Run, RunStore

_VERSION = re.compile(r"[vV]?(\d+)")
_RUN_ID = re.compile(r"[0-9a-fA-F]{32}")
PAGE = 1000


def parse_ref(ref: Any) -> tuple[str, Any]:
    """``("version", 7)`` for ``7``/``"7"``/``"v7"``, ``("id", hex)`` for a run id."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return "version", ref
    text = str(ref).strip()
    match = _VERSION.fullmatch(text)
    if match:
        return "version", int(match.group(1))
    if _RUN_ID.fullmatch(text):
        return "id", text.lower()
    raise ValueError(f"{text!r} is neither a version (v7, 7) nor a run id (32 hex digits)")


def find_run(store: RunStore, ref: Any, experiment: str) -> Run:
    """The run ``ref`` names, versions being counted within ``experiment``."""
    kind, value = parse_ref(ref)
    if kind == "id":
        return store.get_run(value)
    try:
        experiment_id = store.get_experiment_by_name(experiment).id
    except NotFound:
        raise NotFound(f"no experiment named {experiment!r}") from None
    try:
        return store.get_run_by_version(experiment_id, value)
    except NotFound:
        raise NotFound(f"experiment {experiment!r} has no run v{value}") from None


def search(
    store: RunStore,
    experiments: Sequence[str],
    filter: str = "",
    order_by: Sequence[str] = (),
    max_results: int = 1000,
    view: str = "active",
) -> list[Run]:
    """Runs of the named experiments (unknown names match nothing), page after page."""
    ids = []
    for name in experiments:
        try:
            ids.append(store.get_experiment_by_name(name).id)
        except NotFound:
            continue
    if not ids:
        # Nothing to search, but a bad filter must still be reported.
        store.search_runs([], filter=filter, order_by=order_by, max_results=1)
        return []
    runs: list[Run] = []
    token = None
    limit = max(0, max_results)
    while len(runs) < limit:
        page = store.search_runs(
            ids,
            filter=filter,
            order_by=order_by,
            max_results=min(PAGE, limit - len(runs)),
            page_token=token,
            view=view,
        )
        runs.extend(page.items)
        token = page.next_page_token
        if not token or not page.items:
            break
    return runs


def _time(ms: int | None) -> Any:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def run_rows(runs: Sequence[Run]) -> list[dict[str, Any]]:
    """One flat dict per run with MLflow's column names (params.x, metrics.y, tags.z)."""
    rows = []
    for run in runs:
        row: dict[str, Any] = {
            "run_id": run.id,
            "experiment_id": run.experiment_id,
            "version": run.version,
            "name": run.name,
            "status": run.status,
            "source": run.source,
            "start_time": _time(run.start_time),
            "end_time": _time(run.end_time),
            "notebook_path": run.notebook_path,
            "parent_run_id": run.parent_run_id,
        }
        row.update({f"metrics.{k}": m.value for k, m in run.metrics.items()})
        row.update({f"params.{k}": p.value for k, p in run.params.items()})
        row.update({f"tags.{k}": v for k, v in run.tags.items()})
        rows.append(row)
    return rows


def runs_frame(runs: Sequence[Run]) -> Any:
    """A pandas DataFrame of ``run_rows`` when pandas is importable, else the list itself."""
    rows = run_rows(runs)
    try:
        import pandas as pd
    except ImportError:
        return rows
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=_BASE_COLUMNS)
    for column in ("start_time", "end_time"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


_BASE_COLUMNS = [
    "run_id",
    "experiment_id",
    "version",
    "name",
    "status",
    "source",
    "start_time",
    "end_time",
    "notebook_path",
    "parent_run_id",
]
