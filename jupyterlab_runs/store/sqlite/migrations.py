"""Schema of the embedded store and the migrations that build it, recorded in the database.

Each migration runs once, inside one ``BEGIN IMMEDIATE`` transaction that also bumps
``PRAGMA user_version`` and records itself in ``schema_migrations``; a process that opens the
file while another migrates waits for the lock, then finds nothing left to do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from itertools import groupby, islice
from typing import TYPE_CHECKING

from ..base import StoreUnavailable
from ..values import now_ms
from . import points

if TYPE_CHECKING:
    from .db import Database

_INITIAL = (
    """CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied INTEGER NOT NULL
    )""",
    """CREATE TABLE experiments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL,
        notebook_path TEXT,
        description TEXT NOT NULL DEFAULT '',
        deleted_time INTEGER,
        next_version INTEGER NOT NULL DEFAULT 1
    )""",
    # The large columns (error, code, context) come last: SQLite reads a row's columns in
    # order, so scans that stop before them never touch their overflow pages.
    """CREATE TABLE runs (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        experiment_id TEXT NOT NULL REFERENCES experiments(id),
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER,
        notebook_path TEXT,
        cell_id TEXT,
        execution_count INTEGER,
        kernel_name TEXT,
        language TEXT,
        code_hash TEXT NOT NULL,
        git_commit TEXT,
        user TEXT,
        parent_run_id TEXT REFERENCES runs(id),
        deleted_time INTEGER,
        note TEXT NOT NULL DEFAULT '',
        error TEXT,
        code TEXT NOT NULL DEFAULT '',
        context TEXT NOT NULL DEFAULT '{}',
        UNIQUE (experiment_id, version)
    )""",
    "CREATE INDEX runs_experiment_deleted ON runs(experiment_id, deleted_time)",
    "CREATE INDEX runs_experiment_start ON runs(experiment_id, start_time)",
    "CREATE INDEX runs_experiment_name ON runs(experiment_id, name)",
    "CREATE INDEX runs_experiment_status ON runs(experiment_id, status)",
    # The exact expression the filter and the sort use for the duration attribute.
    "CREATE INDEX runs_experiment_duration ON runs(experiment_id, (end_time - start_time))",
    """CREATE TABLE keys (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('param', 'metric', 'tag')),
        name TEXT NOT NULL,
        UNIQUE (kind, name)
    )""",
    """CREATE TABLE experiment_keys (
        experiment_id TEXT NOT NULL REFERENCES experiments(id),
        key_id INTEGER NOT NULL REFERENCES keys(id),
        PRIMARY KEY (experiment_id, key_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE params (
        run INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,
        key_id INTEGER NOT NULL REFERENCES keys(id),
        value TEXT NOT NULL,
        type TEXT NOT NULL,
        num_value REAL,
        source TEXT NOT NULL,
        PRIMARY KEY (run, key_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX params_key_value ON params(key_id, value)",
    "CREATE INDEX params_key_number ON params(key_id, num_value) WHERE num_value IS NOT NULL",
    # value, min and max are NULL for NaN: SQLite cannot store NaN, and a row exists only for
    # a logged metric, so NULL is unambiguous.
    """CREATE TABLE latest_metrics (
        run INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,
        key_id INTEGER NOT NULL REFERENCES keys(id),
        value REAL,
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        min REAL,
        max REAL,
        count INTEGER NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (run, key_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX latest_metrics_key_value ON latest_metrics(key_id, value)",
    """CREATE TABLE metric_history (
        run INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,
        key_id INTEGER NOT NULL REFERENCES keys(id),
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        value REAL,
        PRIMARY KEY (run, key_id, step, timestamp)
    ) WITHOUT ROWID""",
    """CREATE TABLE tags (
        run INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,
        key_id INTEGER NOT NULL REFERENCES keys(id),
        value TEXT NOT NULL,
        PRIMARY KEY (run, key_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX tags_key_value ON tags(key_id, value)",
    """CREATE TABLE artifacts (
        run INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        media_type TEXT NOT NULL,
        created INTEGER NOT NULL,
        PRIMARY KEY (run, path)
    ) WITHOUT ROWID""",
    """CREATE TABLE changes (
        cursor INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        op TEXT NOT NULL,
        id TEXT NOT NULL,
        experiment_id TEXT,
        time INTEGER NOT NULL
    )""",
)

# The process that writes each RUNNING run (owners.py), so that runs whose process died are
# marked KILLED when a server starts; the row goes when the run ends.
_RUN_OWNERS = (
    """CREATE TABLE run_owners (
        run INTEGER PRIMARY KEY REFERENCES runs(rid) ON DELETE CASCADE,
        host TEXT NOT NULL,
        boot_id TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started INTEGER NOT NULL
    )""",
)


def _pack_history(conn: sqlite3.Connection) -> None:
    """Move every point of metric_history into metric_blocks (points.py), run by run and key
    by key in the old table's (run, key, step, timestamp) order, then drop the old table."""
    rows = conn.execute(
        "SELECT run, key_id, step, timestamp, value FROM metric_history "
        "ORDER BY run, key_id, step, timestamp"
    )
    for (rid, key_id), group in groupby(rows, key=lambda row: row[:2]):
        block = 0
        while chunk := list(islice(group, points.BLOCK_POINTS)):
            values = [float("nan") if row[4] is None else row[4] for row in chunk]
            steps, stamps = [row[2] for row in chunk], [row[3] for row in chunk]
            points.insert_blocks(conn, rid, key_id, block, (steps, stamps, values))
            block += 1
    conn.execute("DROP TABLE metric_history")


# Metric points packed a block of up to 1,024 per row (29.9 -> ~10 bytes a point on disk).
_PACKED_HISTORY = (points.CREATE_TABLE, _pack_history)

# The default order (version) of an experiment's active runs, read from one index with no
# table lookups: a far scrollbar jump (search_runs offset) steps over 900,000 entries of it
# in tens of milliseconds instead of reading 900,000 runs rows.
_VERSION_ORDER = (
    "CREATE INDEX runs_experiment_deleted_version ON runs(experiment_id, deleted_time, version)",
    "DROP INDEX runs_experiment_deleted",
)

# Migration 4 dropped this index, but the orders that end on rowid (a sort key's missing
# runs, start time ties) walk it in rowid order: without it they sort in a temporary b-tree.
_ROWID_ORDER = (
    "CREATE INDEX IF NOT EXISTS runs_experiment_deleted ON runs(experiment_id, deleted_time)",
)

Statement = str | Callable[[sqlite3.Connection], None]

# (version, name, statements), in order; append new migrations, never edit applied ones.
MIGRATIONS: tuple[tuple[int, str, tuple[Statement, ...]], ...] = (
    (1, "initial schema", _INITIAL),
    (2, "owners of running runs", _RUN_OWNERS),
    (3, "metric history packed in blocks", _PACKED_HISTORY),
    (4, "covering index of the version order", _VERSION_ORDER),
    (5, "index of the rowid order back", _ROWID_ORDER),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(db: Database) -> int:
    """The schema version recorded in the database file (0 for a new file)."""
    return db.connection().execute("PRAGMA user_version").fetchone()[0]


def refuse_newer_file(path: str) -> None:
    """``StoreUnavailable`` if the file at ``path`` records a newer schema, read from its header
    before any connection could change it (switching it to WAL, creating ``-wal``/``-shm``)."""
    try:
        with open(path, "rb") as file:
            header = file.read(100)
    except OSError:
        return  # a new file, or one SQLite will explain better
    # Bytes 60-63 of the header hold PRAGMA user_version, big-endian.
    if len(header) == 100 and header.startswith(b"SQLite format 3\x00"):
        _checked(path, int.from_bytes(header[60:64], "big", signed=True))


def migrate(db: Database) -> int:
    """Apply the migrations the database lacks; returns how many were applied."""
    if _checked(db.path, schema_version(db)) == SCHEMA_VERSION:
        return 0
    with db.transaction() as conn:
        current = _checked(db.path, conn.execute("PRAGMA user_version").fetchone()[0])
        pending = [m for m in MIGRATIONS if m[0] > current]
        for version, name, statements in pending:
            for statement in statements:
                if callable(statement):
                    statement(conn)
                else:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)",
                (version, name, now_ms()),
            )
        # PRAGMA takes no bound parameters; SCHEMA_VERSION is a constant of this module.
        conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
    return len(pending)


def _checked(path: str, version: int) -> int:
    if version > SCHEMA_VERSION:
        raise StoreUnavailable(
            f"the store at {path} has schema version {version}, newer than this "
            f"jupyterlab-runs understands ({SCHEMA_VERSION}); upgrade jupyterlab-runs"
        )
    return version
