"""Writing a run's params, metric points and tags inside the caller's write transaction."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

from ..base import Conflict, MetricColumns, MetricInput, MetricSummary, Param, ParamInput, Run
from ..values import (
    CheckedRun,
    normal_columns,
    normalize_tags,
    normalized_points,
    now_ms,
    numeric_param_value,
    summarize_metrics,
    unique_params,
)
from . import points as history
from .keys import KeyBatch
from .owners import Owner, is_gone, this_process

PointsByKey = dict[str, history.Columns]  # key -> its points, ``history.ordered``


def record_change(
    conn: sqlite3.Connection, kind: str, op: str, id: str, experiment_id: str | None
) -> None:
    """Append to the change feed, inside the transaction of the change itself."""
    conn.execute(
        "INSERT INTO changes (kind, op, id, experiment_id, time) VALUES (?, ?, ?, ?, ?)",
        (kind, op, id, experiment_id, now_ms()),
    )


def record_owner(conn: sqlite3.Connection, rid: int) -> None:
    """Note the calling process as the one that will end RUNNING run ``rid``."""
    owner = this_process()
    conn.execute(
        "INSERT OR REPLACE INTO run_owners (run, host, boot_id, pid, started) "
        "VALUES (?, ?, ?, ?, ?)",
        (rid, owner.host, owner.boot_id, owner.pid, owner.started),
    )


def kill_orphans(conn: sqlite3.Connection) -> list[str]:
    """Mark KILLED the RUNNING runs whose owner process is gone; returns their ids.

    The end time is the run's last sign of life (its latest metric point, else its start).
    CROSS JOIN keeps SQLite's planner walking the few owned runs, not every run (at 1M runs
    a plain JOIN scanned runs under the write lock for 190-300 ms at each server start).
    """
    rows = conn.execute(
        "SELECT o.run, r.id, r.experiment_id, r.status, o.host, o.boot_id, o.pid, o.started "
        "FROM run_owners o CROSS JOIN runs r ON r.rid = o.run"
    ).fetchall()
    killed = []
    for rid, run_id, experiment_id, status, *owner in rows:
        if status == "RUNNING" and not is_gone(Owner(*owner)):
            continue
        conn.execute("DELETE FROM run_owners WHERE run = ?", (rid,))
        if status != "RUNNING":
            continue  # ended by a writer that predates this table's upkeep
        conn.execute(
            "UPDATE runs SET status = 'KILLED', end_time = max(start_time, coalesce("
            "(SELECT max(max_time) FROM metric_blocks WHERE run = ?), start_time)) "
            "WHERE rid = ?",
            (rid, rid),
        )
        record_change(conn, "run", "updated", run_id, experiment_id)
        killed.append(run_id)
    return killed


def created_run(
    run_id: str, version: int, checked: CheckedRun, metrics: dict[str, MetricSummary]
) -> Run:
    """The Run that create_run just wrote, built without reading it back."""
    new = checked.run
    return Run(
        id=run_id,
        experiment_id=new.experiment_id,
        version=version,
        name=new.name or f"v{version}",
        status=new.status,
        source=new.source,
        start_time=new.start_time,
        end_time=new.end_time,
        notebook_path=new.notebook_path,
        cell_id=new.cell_id,
        execution_count=new.execution_count,
        kernel_name=new.kernel_name,
        language=new.language,
        code=new.code,
        code_hash=checked.code_hash,
        git_commit=new.git_commit,
        user=new.user,
        note=new.note,
        parent_run_id=new.parent_run_id,
        error=new.error,
        context=new.context,
        params={p.key: p for p in checked.params},
        metrics=metrics,
        tags=checked.tags,
    )


def _stored(value: float) -> float | None:
    """A metric number as SQLite keeps it: NaN becomes NULL (explicitly, not by accident)."""
    return None if math.isnan(value) else value


def _insert_params(
    conn: sqlite3.Connection, rid: int, ids: Mapping[str, int], params: Sequence[Param]
) -> None:
    conn.executemany(
        "INSERT INTO params (run, key_id, value, type, num_value, source) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(rid, ids[p.key], p.value, p.type, numeric_param_value(p), p.source) for p in params],
    )


def points_by_key(points: Iterable[MetricInput]) -> tuple[PointsByKey, dict[str, str]]:
    """Normal points as sorted columns per key (``history.ordered``), and each key's source
    (its last point's); done before the write transaction, so the lock is held less.

    Keeps no point object: a kernel flush hands thousands over one at a time, and objects
    alive for a whole write outlive garbage collections and so set off full ones (B2's
    longest pauses); tuples of numbers are not tracked by the collector.
    """
    grouped: dict[str, list[tuple[int, int, float]]] = {}
    sources: dict[str, str] = {}
    for p in points:
        grouped.setdefault(p.key, []).append((p.step, p.timestamp, p.value))
        sources[p.key] = p.source
    by_key = {key: history.ordered(_transposed(group)) for key, group in grouped.items()}
    return by_key, sources


def checked_points(
    metrics: Iterable[MetricInput], default_timestamp: int
) -> tuple[PointsByKey, dict[str, str]]:
    """A batch's points checked (``normalized_points``) and arranged by ``points_by_key``; the
    keys of a MetricColumns batch in normal form already are checked a column at a time."""
    batch = metrics if isinstance(metrics, MetricColumns) else None
    if batch is not None:
        normal, metrics = normal_columns(batch)
    by_key, sources = points_by_key(normalized_points(metrics, default_timestamp))
    if batch is not None:
        for key, column in normal.items():
            if key in by_key:  # another key of the batch that only normalizing made this one
                column = tuple(a + b for a, b in zip(column, by_key[key], strict=True))
            by_key[key] = history.ordered(column)
            sources.setdefault(key, batch.sources[key])
    return by_key, sources


def checked_batch(
    params: Iterable[ParamInput], metrics: Iterable[MetricInput], tags: Mapping[str, str] | None
) -> tuple[list[Param], PointsByKey, dict[str, str], dict[str, str]]:
    """A batch checked and arranged for ``merge_values`` before its transaction begins:
    params, points by key with each key's source, tags."""
    checked_params = unique_params(params)
    points, sources = checked_points(metrics, now_ms())
    return checked_params, points, sources, normalize_tags(tags)


def _transposed(points: list[tuple[int, int, float]]) -> history.Columns:
    steps, stamps, values = (list(column) for column in zip(*points, strict=True))
    return steps, stamps, values


def _write_summaries(
    conn: sqlite3.Connection, rid: int, ids: Mapping[str, int], summaries: Sequence[MetricSummary]
) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO latest_metrics "
        "(run, key_id, value, step, timestamp, min, max, count, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                rid,
                ids[s.key],
                _stored(s.value),
                s.step,
                s.timestamp,
                _stored(s.min),
                _stored(s.max),
                s.count,
                s.source,
            )
            for s in summaries
        ],
    )


def _upsert_tags(
    conn: sqlite3.Connection, batch: KeyBatch, rid: int, tags: Mapping[str, str]
) -> dict[str, int]:
    ids = batch.intern("tag", tags)
    conn.executemany(
        "INSERT INTO tags (run, key_id, value) VALUES (?, ?, ?) "
        "ON CONFLICT (run, key_id) DO UPDATE SET value = excluded.value",
        [(rid, ids[key], value) for key, value in tags.items()],
    )
    return ids


def insert_values(
    conn: sqlite3.Connection, batch: KeyBatch, rid: int, experiment_id: str, run: CheckedRun
) -> dict[str, MetricSummary]:
    """Write everything of a new run; returns its metric summaries."""
    param_ids = batch.intern("param", (p.key for p in run.params))
    _insert_params(conn, rid, param_ids, run.params)
    metric_ids = batch.intern("metric", (p.key for p in run.metrics))
    for key, columns in points_by_key(run.metrics)[0].items():
        history.create(conn, rid, metric_ids[key], columns)
    summaries = summarize_metrics(run.metrics)
    _write_summaries(conn, rid, metric_ids, list(summaries.values()))
    tag_ids = _upsert_tags(conn, batch, rid, run.tags)
    batch.link(experiment_id, [*param_ids.values(), *metric_ids.values(), *tag_ids.values()])
    return summaries


def merge_values(
    conn: sqlite3.Connection,
    batch: KeyBatch,
    rid: int,
    experiment_id: str,
    params: Sequence[Param],
    points: PointsByKey,
    sources: Mapping[str, str],
    tags: Mapping[str, str],
    packed: Mapping[str, list[history.Block]] | None = None,
) -> None:
    """Add to an existing run: new params (same value again is fine), points (by key, with
    each key's source: ``points_by_key``) and tags; ``packed``: each key's points packed
    before the write (``history.blocks``), used for the keys whose history is new."""
    param_ids = batch.intern("param", (p.key for p in params))
    existing = dict(
        conn.execute(
            "SELECT key_id, value FROM params WHERE run = ? AND key_id IN "
            "(SELECT value FROM json_each(?))",
            (rid, json.dumps(list(param_ids.values()))),
        ).fetchall()
        if param_ids
        else ()
    )
    for param in params:
        logged = existing.get(param_ids[param.key])
        if logged is not None and logged != param.value:
            raise Conflict(
                f"param {param.key!r} is already {logged!r}; params cannot change once logged "
                f"(got {param.value!r})"
            )
    _insert_params(conn, rid, param_ids, [p for p in params if param_ids[p.key] not in existing])
    metric_ids = batch.intern("metric", points)
    if points:
        _merge_points(conn, rid, metric_ids, points, sources, packed or {})
    tag_ids = _upsert_tags(conn, batch, rid, tags) if tags else {}
    batch.link(experiment_id, [*param_ids.values(), *metric_ids.values(), *tag_ids.values()])


def _merge_points(
    conn: sqlite3.Connection,
    rid: int,
    ids: Mapping[str, int],
    points: PointsByKey,
    sources: Mapping[str, str],
    packed: Mapping[str, list[history.Block]],
) -> None:
    """Merge each key's points into its history and rewrite the key's summary."""
    last = history.last_blocks(conn, rid, ids.values())
    summaries = []
    for key, columns in points.items():
        key_id = ids[key]
        latest = history.merge(conn, rid, key_id, columns, last.get(key_id), packed.get(key))
        # A new history's totals are its points'; an older one's are read from its blocks.
        if key_id in last:
            totals = history.totals(conn, rid, key_id)
        else:
            totals = (len(columns[2]), *history.bounds(columns[2]))
        summaries.append(_summary(key, sources[key], latest, totals))
    _write_summaries(conn, rid, ids, summaries)


def _summary(
    key: str,
    source: str,
    latest: tuple[int, int, float],
    totals: tuple[int, float | None, float | None],
) -> MetricSummary:
    """A metric's summary from its latest point and its history's totals (``history.totals``)."""
    count, low, high = totals
    step, timestamp, value = latest
    nan = math.nan
    return MetricSummary(
        key,
        value,
        step,
        timestamp,
        nan if low is None else low,
        nan if high is None else high,
        count,
        source,
    )
