"""Reading runs from the embedded store: bulk loading and keyset-paginated search.

A sort splits the runs into segments that follow one another — for ``metrics.acc``: runs with a
number, runs with NaN, runs without the metric — so that each segment is read in index order
and runs missing the sort key come last in both directions. The page token records the segment
and the last (sort value, run rowid) seen; within an experiment rowids grow with versions
(both are assigned in the same write transaction), so rowid is the version tie-breaker.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..base import InvalidArgument, MetricSummary, Page, Param, Run
from ..filter import ATTRIBUTES, OrderKey, parse_filter, parse_order_by
from ..values import check_offset, check_search_arguments
from .filter_sql import CompiledFilter, KeyRef, render_filter
from .keys import KeyRegistry

_RUN_HEAD = (
    "rid, id, experiment_id, version, name, status, source, start_time, end_time, "
    "notebook_path, cell_id, execution_count, kernel_name, language, code_hash, git_commit, "
    "user, parent_run_id, deleted_time, note, error, "
)
RUN_COLUMNS = _RUN_HEAD + "code, context"
# A summary's code and context are left empty (see RunStore.search_runs).
SUMMARY_COLUMNS = _RUN_HEAD + "'' AS code, '{}' AS context"
_IN_RIDS = "IN (SELECT value FROM json_each(?))"


def _float(value: float | None) -> float:
    """A stored metric number; NULL stands for NaN, which SQLite cannot store."""
    return math.nan if value is None else value


def load_runs(
    conn: sqlite3.Connection, keys: KeyRegistry, rids: Sequence[int], summary: bool = False
) -> list[Run]:
    """The runs with these rowids, in that order, with params, latest metrics and tags
    (``summary``: without their code and context)."""
    if not rids:
        return []
    bound = (json.dumps(list(rids)),)
    columns = SUMMARY_COLUMNS if summary else RUN_COLUMNS
    rows = conn.execute(f"SELECT {columns} FROM runs WHERE rid {_IN_RIDS}", bound).fetchall()
    params = conn.execute(
        f"SELECT run, key_id, value, type, source FROM params WHERE run {_IN_RIDS}", bound
    ).fetchall()
    metrics = conn.execute(
        "SELECT run, key_id, value, step, timestamp, min, max, count, source "
        f"FROM latest_metrics WHERE run {_IN_RIDS}",
        bound,
    ).fetchall()
    tags = conn.execute(
        f"SELECT run, key_id, value FROM tags WHERE run {_IN_RIDS}", bound
    ).fetchall()
    names = keys.names(conn, {row[1] for table in (params, metrics, tags) for row in table})
    by_run: dict[int, tuple[dict, dict, dict]] = {row[0]: ({}, {}, {}) for row in rows}
    for run, key_id, value, type_, source in params:
        key = names[key_id]
        by_run[run][0][key] = Param(key, value, type_, source)
    for run, key_id, value, step, timestamp, low, high, count, source in metrics:
        key = names[key_id]
        by_run[run][1][key] = MetricSummary(
            key, _float(value), step, timestamp, _float(low), _float(high), count, source
        )
    for run, key_id, value in tags:
        by_run[run][2][names[key_id]] = value
    runs = {row[0]: _run(row, *by_run[row[0]]) for row in rows}
    return [runs[rid] for rid in rids if rid in runs]


def _run(row: tuple, params: dict, metrics: dict, tags: dict) -> Run:
    (_, run_id, experiment_id, version, name, status, source, start_time, end_time) = row[:9]
    (notebook_path, cell_id, execution_count, kernel_name, language, code_hash) = row[9:15]
    (git_commit, user, parent_run_id, deleted_time, note, error, code, context) = row[15:]
    return Run(
        id=run_id,
        experiment_id=experiment_id,
        version=version,
        name=name,
        status=status,
        source=source,
        start_time=start_time,
        end_time=end_time,
        notebook_path=notebook_path,
        cell_id=cell_id,
        execution_count=execution_count,
        kernel_name=kernel_name,
        language=language,
        code=code,
        code_hash=code_hash,
        git_commit=git_commit,
        user=user,
        note=note,
        parent_run_id=parent_run_id,
        deleted_time=deleted_time,
        error=None if error is None else json.loads(error),
        context=json.loads(context),
        params=params,
        metrics=metrics,
        tags=tags,
    )


@dataclass(frozen=True)
class _Segment:
    """One slice of the sort order: extra join and condition, and the expression sorted on.

    Every ``?`` in ``join`` and ``where`` stands for the id of the key sorted on; ``table``
    is the key's table when the segment's rows are that key's rows.
    """

    join: str
    where: str
    sort: str | None
    tie: str
    table: str = ""


def _segments(order: OrderKey) -> list[_Segment]:
    if order.kind == "attribute":
        attribute = ATTRIBUTES[order.key]
        if not attribute.nullable:
            return [_Segment("", "", attribute.sql, "r.rid")]
        return [
            _Segment("", f"{attribute.sql} IS NOT NULL", attribute.sql, "r.rid"),
            _Segment("", f"{attribute.sql} IS NULL", None, "r.rid"),
        ]
    table = {"metric": "latest_metrics", "param": "params", "tag": "tags"}[order.kind]
    join = f"JOIN {table} s ON s.run = r.rid AND s.key_id = ?"
    missing = _Segment(
        "", f"r.rid NOT IN (SELECT run FROM {table} WHERE key_id = ?)", None, "r.rid"
    )
    if order.kind == "metric":
        present = [
            _Segment(join, "s.value IS NOT NULL", "s.value", "s.run", table),
            _Segment(join, "s.value IS NULL", None, "s.run", table),
        ]
    elif order.kind == "param":
        present = [
            _Segment(join, "s.num_value IS NOT NULL", "s.num_value", "s.run", table),
            _Segment(join, "s.num_value IS NULL", "s.value", "s.run", table),
        ]
    else:
        present = [_Segment(join, "", "s.value", "s.run", table)]
    return [*present, missing]


@dataclass(frozen=True)
class _Position:
    segment: int
    value: Any
    rid: int


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def encode_token(fingerprint: str, position: _Position) -> str:
    """An opaque page token for the page after ``position``."""
    raw = json.dumps([fingerprint, position.segment, position.value, position.rid])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, fingerprint: str) -> _Position:
    """The position a page token stands for; InvalidArgument if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        mark, segment, value, rid = json.loads(raw)
        valid = (
            isinstance(segment, int)
            and isinstance(rid, int)
            and (value is None or isinstance(value, (str, int, float)))
        )
    except (ValueError, TypeError, RecursionError, binascii.Error, UnicodeDecodeError):
        valid = False
    if not valid:
        raise InvalidArgument("page_token is not a token this store issued")
    if mark != fingerprint:
        raise InvalidArgument("page_token belongs to a different search; start from the first page")
    return _Position(segment, value, rid)


class Totals:
    """Counts of matching runs per search, valid while no change has been recorded since.

    Every write appends to the change feed in its own transaction, so an unchanged newest
    cursor means an unchanged count: the next page and a re-sort need not count again.
    A count asked for while another request takes it waits for that one: opening the runs
    table at a million runs asks for the same count three times at once (the panel's and
    the table's experiment lists, the table's first page), each a walk of a million index
    entries on a two-core machine.
    """

    def __init__(self, size: int = 256):
        self._entries: OrderedDict[tuple, tuple[int, int]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._taking: dict[tuple, threading.Lock] = {}  # (key, cursor) being counted

    def _get(self, key: tuple, cursor: int) -> int | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != cursor:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def count(self, key: tuple, cursor: int, take: Callable[[], int]) -> int:
        """The count for ``key`` at ``cursor``: cached, else ``take()`` once for every
        request asking at the same time."""
        total = self._get(key, cursor)
        if total is not None:
            return total
        with self._lock:
            taking = self._taking.setdefault((key, cursor), threading.Lock())
        try:
            with taking:
                total = self._get(key, cursor)  # taken while this request waited
                if total is None:
                    total = take()
                    with self._lock:
                        self._entries[key] = (cursor, total)
                        self._entries.move_to_end(key)
                        while len(self._entries) > self._size:
                            self._entries.popitem(last=False)
        finally:
            with self._lock:
                self._taking.pop((key, cursor), None)
        return total

    @staticmethod
    def key(experiment_ids: Sequence[str], filter: str, view: str) -> tuple:
        """The count a search's total is cached under."""
        return (tuple(experiment_ids), filter, view)

    @staticmethod
    def cursor(conn: sqlite3.Connection) -> int:
        """The newest change-feed cursor: counts taken at it are still valid."""
        return conn.execute("SELECT coalesce(max(cursor), 0) FROM changes").fetchone()[0]

    def active_runs(
        self, conn: sqlite3.Connection, experiment_ids: Sequence[str]
    ) -> dict[str, int]:
        """Each experiment's active runs, counted as the total of a search of that experiment
        alone: listing experiments and opening one's runs table count a million runs once
        between them, and not again until something changes."""
        cursor = self.cursor(conn)
        return {
            experiment_id: self.count(
                self.key([experiment_id], "", "active"),
                cursor,
                lambda e=experiment_id: conn.execute(
                    "SELECT count(*) FROM runs r WHERE r.experiment_id = ? "
                    "AND r.deleted_time IS NULL",
                    (e,),
                ).fetchone()[0],
            )
            for experiment_id in experiment_ids
        }


class Search:
    """One search_runs call: checks its arguments, then reads one page and the total."""

    def __init__(
        self,
        keys: KeyRegistry,
        totals: Totals,
        experiment_ids: Sequence[str],
        filter: str,
        order_by: Sequence[str],
        max_results: int,
        page_token: str | None,
        view: str,
        summary: bool = False,
        offset: int = 0,
    ):
        self.summary = summary
        self.offset = check_offset(offset, page_token)
        self.experiment_ids = check_search_arguments(experiment_ids, max_results, view)
        self.keys = keys
        self.totals = totals
        self.limit = max_results
        self.view = view
        tree = parse_filter(filter)
        self.probe = render_filter(tree, "probe")
        self.drive = render_filter(tree, "drive")
        self.order = parse_order_by(order_by)
        self.count_key = Totals.key(self.experiment_ids, filter, view)
        self.fingerprint = _fingerprint(self.experiment_ids, filter, self.order, view)
        self.start = decode_token(page_token, self.fingerprint) if page_token else None

    def _where(self, conn: sqlite3.Connection, compiled: CompiledFilter) -> tuple[list[str], list]:
        """The conditions every query shares, with their bound values (key ids resolved)."""
        where, bound = [], []
        if self.experiment_ids:
            where.append("r.experiment_id IN (" + ", ".join("?" * len(self.experiment_ids)) + ")")
            bound.extend(self.experiment_ids)
        if self.view != "all":
            where.append(f"r.deleted_time IS {'NOT ' if self.view == 'deleted' else ''}NULL")
        if compiled.sql:
            where.append(compiled.sql)
            refs = [(p.kind, p.name) for p in compiled.params if isinstance(p, KeyRef)]
            ids = self.keys.lookup(conn, refs)
            # -1 is no key's id: an unknown key matches nothing rather than failing.
            bound.extend(
                ids.get((p.kind, p.name), -1) if isinstance(p, KeyRef) else p
                for p in compiled.params
            )
        return where, bound

    def _total(self, conn: sqlite3.Connection) -> int:
        def take() -> int:
            where, bound = self._where(conn, self.drive)
            condition = " AND ".join(where) or "1"
            return conn.execute(f"SELECT count(*) FROM runs r WHERE {condition}", bound).fetchone()[
                0
            ]

        return self.totals.count(self.count_key, Totals.cursor(conn), take)

    def run(self, conn: sqlite3.Connection) -> Page:
        """The page and the total count, read inside the caller's snapshot."""
        total = self._total(conn)
        if total == 0 or self.offset >= total:
            return Page(items=[], next_page_token=None, total=total)
        # Walking an index and probing each run reads about (page size) × (runs / matches) runs:
        # cheap when matches are dense, a full walk when they are few. Then read them from the
        # key indexes instead, as the count did.
        dense = total >= 4 * (self.limit + 1)
        where, bound = self._where(conn, self.probe if dense else self.drive)
        order_key_id = -1
        if self.order.kind != "attribute":
            found = self.keys.lookup(conn, [(self.order.kind, self.order.key)])
            order_key_id = found.get((self.order.kind, self.order.key), -1)
        segments = _segments(self.order)
        if self.start and not 0 <= self.start.segment < len(segments):
            raise InvalidArgument("page_token is not a token this store issued")
        rows: list[_Position] = []
        first = self.start.segment if self.start else 0
        skip = self.offset
        for index in range(first, len(segments)):
            segment = segments[index]
            after = self.start if self.start and index == first else None
            if skip and segment.table and self._key_rows_match(conn, order_key_id):
                after, skip = self._seek_in_key_index(conn, index, segment, order_key_id, skip)
                if after is None:
                    continue
            need = self.limit + 1 - len(rows)
            query = self._segment_query(segment, where, bound, order_key_id, after)
            found = self._segment_rows(conn, index, query, need, skip)
            if skip and not found:
                # The offset lies past this segment: skip all of it, count what that was.
                skip -= conn.execute(f"SELECT count(*) FROM ({query[0]})", query[1]).fetchone()[0]
                continue
            rows += found
            skip = 0
            if len(rows) > self.limit:
                break
        token = None
        if len(rows) > self.limit:
            rows = rows[: self.limit]
            token = encode_token(self.fingerprint, rows[-1])
        runs = load_runs(conn, self.keys, [row.rid for row in rows], self.summary)
        return Page(items=runs, next_page_token=token, total=total)

    def _key_rows_match(self, conn: sqlite3.Connection, key_id: int) -> bool:
        """Whether every run holding key ``key_id`` is one this search matches (no filter,
        only its experiments use the key, none of their runs deleted unless it shows them):
        then the key's own index rows are the segment's rows, no run need be read."""
        if self.drive.sql or self.view == "deleted" or not self.experiment_ids:
            return False
        linked = conn.execute(
            "SELECT experiment_id FROM experiment_keys WHERE key_id = ?", (key_id,)
        ).fetchall()
        if not {row[0] for row in linked} <= set(self.experiment_ids):
            return False
        marks = ", ".join("?" * len(self.experiment_ids))
        deleted = conn.execute(
            f"SELECT 1 FROM runs WHERE experiment_id IN ({marks}) AND deleted_time IS NOT NULL "
            "LIMIT 1",
            self.experiment_ids,
        ).fetchone()
        return self.view == "all" or deleted is None

    def _seek_in_key_index(
        self, conn: sqlite3.Connection, index: int, segment: _Segment, key_id: int, skip: int
    ) -> tuple[_Position | None, int]:
        """The position just before row ``skip`` of a keyed segment, stepped to in the key's
        index alone (a million entries in tens of milliseconds, where probing each run would
        take seconds), and 0 left to skip; or None and what is left past the segment."""
        direction = "DESC" if self.order.descending else "ASC"
        order = f"{segment.tie} {direction}"
        if segment.sort is not None:
            order = f"{segment.sort} {direction}, {order}"
        where = " AND ".join(["s.key_id = ?", *([segment.where] if segment.where else [])])
        sql = f"SELECT {segment.tie}, {segment.sort or 'NULL'} FROM {segment.table} s WHERE {where}"
        row = conn.execute(
            f"{sql} ORDER BY {order} LIMIT 1 OFFSET ?", (key_id, skip - 1)
        ).fetchone()
        if row is not None:
            return _Position(index, row[1], row[0]), 0
        return None, skip - conn.execute(f"SELECT count(*) FROM ({sql})", (key_id,)).fetchone()[0]

    def _segment_query(
        self,
        segment: _Segment,
        where: list[str],
        bound: list[Any],
        key_id: int,
        after: _Position | None,
    ) -> tuple[str, list[Any]]:
        """The ordered positions of one segment (after ``after``), without a limit."""
        direction = "DESC" if self.order.descending else "ASC"
        comparison = "<" if self.order.descending else ">"
        conditions = list(where)
        values: list[Any] = [key_id] * segment.join.count("?") + bound
        if segment.where:
            conditions.append(segment.where)
            values += [key_id] * segment.where.count("?")
        if after is not None and segment.sort is not None:
            conditions.append(f"({segment.sort}, {segment.tie}) {comparison} (?, ?)")
            values.extend([after.value, after.rid])
        elif after is not None:
            conditions.append(f"{segment.tie} {comparison} ?")
            values.append(after.rid)
        order = f"{segment.tie} {direction}"
        if segment.sort is not None:
            order = f"{segment.sort} {direction}, {order}"
        sql = (
            f"SELECT {segment.tie}, {segment.sort or 'NULL'} FROM runs r {segment.join} "
            f"WHERE {' AND '.join(conditions) or '1'} ORDER BY {order}"
        )
        return sql, values

    @staticmethod
    def _segment_rows(
        conn: sqlite3.Connection, index: int, query: tuple[str, list[Any]], limit: int, skip: int
    ) -> list[_Position]:
        """Up to ``limit`` positions of a segment's query, the first ``skip`` skipped: SQLite
        steps over skipped rows in the order's index without building them."""
        sql, values = query
        if skip:
            rows = conn.execute(f"{sql} LIMIT ? OFFSET ?", [*values, limit, skip]).fetchall()
        else:
            rows = conn.execute(f"{sql} LIMIT ?", [*values, limit]).fetchall()
        return [_Position(index, value, rid) for rid, value in rows]
