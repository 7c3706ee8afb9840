"""The outbox's op log: the writes that still have to reach the MLflow server, in order.

It lives in the outbox file itself (beside the embedded store's tables, which hold the runs
created offline), in tables of its own. Every change is one short ``BEGIN IMMEDIATE``
transaction, so several processes (the Jupyter server, kernels, a papermill job) can append
and deliver at once: delivery *claims* the oldest queued op in a write transaction, and an op
claimed by a live process is left to it, which keeps the order strict.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..base import StoreUnavailable
from ..redact import redact
from ..values import now_ms

BUSY_TIMEOUT_MS = 10_000
LEASE_MS = 10 * 60 * 1000  # a claim older than this is taken over even if its holder lives
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_ops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    run_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_at INTEGER,
    created INTEGER NOT NULL,
    done_at INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_ops_state ON outbox_ops (state, seq);
CREATE INDEX IF NOT EXISTS outbox_ops_run ON outbox_ops (run_id, kind);
CREATE TABLE IF NOT EXISTS outbox_runs (
    local_id TEXT PRIMARY KEY,
    outbox_id TEXT NOT NULL UNIQUE,
    experiment_id TEXT,
    experiment_name TEXT NOT NULL,
    remote_id TEXT
);
CREATE TABLE IF NOT EXISTS outbox_experiments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    notebook_path TEXT,
    created INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS outbox_status (key TEXT PRIMARY KEY, value INTEGER, text TEXT);
"""


@dataclass(frozen=True)
class Op:
    """One queued write: ``kind`` is a RunStore method, ``run_id`` local or MLflow's."""

    seq: int
    kind: str
    run_id: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class PendingRun:
    """A run created while the server was unreachable and not delivered yet."""

    local_id: str
    outbox_id: str
    experiment_id: str | None
    experiment_name: str


def holder_id() -> str:
    """Who claims an op: this thread of this process on this machine."""
    return f"{os.getpid()}@{socket.gethostname()}/{threading.get_ident()}"


def _alive(holder: str) -> bool:
    """Whether the process named by ``holder`` may still be running (another machine: yes)."""
    pid, _, where = holder.partition("@")
    host = where.rpartition("/")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OpLog:
    """The op log in the outbox file at ``path`` (created on first use)."""

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        self._ready = False

    def exists(self) -> bool:
        """Whether anything was ever queued here (no file: nothing to deliver)."""
        return os.path.exists(self.path)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            try:
                connection = sqlite3.connect(self.path, isolation_level=None, timeout=10)
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                connection.execute("PRAGMA journal_mode = WAL")
                if not self._ready:
                    connection.executescript(_SCHEMA)
                    self._ready = True
            except sqlite3.Error as error:
                raise StoreUnavailable(f"cannot open the outbox {self.path}: {error}") from error
            self._local.connection = connection
        return connection

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        if not self.exists():
            return []
        return self._connection().execute(sql, args).fetchall()

    # -- appending -----------------------------------------------------------------------
    def append(self, kind: str, run_id: str, payload: dict[str, Any]) -> int:
        """Queue one write; its sequence number."""
        text = json.dumps(payload, separators=(",", ":"))
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO outbox_ops (kind, run_id, payload, created) VALUES (?, ?, ?, ?)",
                (kind, run_id, text, now_ms()),
            )
            return int(cursor.lastrowid or 0)

    def append_create(self, run: PendingRun, payload: dict[str, Any]) -> int:
        """Queue the creation of a run saved locally, and remember it as pending."""
        text = json.dumps(payload, separators=(",", ":"))
        with self._write() as db:
            db.execute(
                "INSERT INTO outbox_runs (local_id, outbox_id, experiment_id, experiment_name)"
                " VALUES (?, ?, ?, ?)",
                (run.local_id, run.outbox_id, run.experiment_id, run.experiment_name),
            )
            cursor = db.execute(
                "INSERT INTO outbox_ops (kind, run_id, payload, created)"
                " VALUES ('create_run', ?, ?, ?)",
                (run.local_id, text, now_ms()),
            )
            return int(cursor.lastrowid or 0)

    # -- delivering ----------------------------------------------------------------------
    def claim(self, holder: str) -> Op | None:
        """The oldest queued op, now claimed by ``holder``; None when the queue is empty or
        its head is being delivered by another live process (order comes first)."""
        if not self.exists():
            return None
        with self._write() as db:
            row = db.execute(
                "SELECT seq, kind, run_id, payload, attempts, claimed_by, claimed_at"
                " FROM outbox_ops WHERE state = 'queued' ORDER BY seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            seq, kind, run_id, payload, attempts, claimed_by, claimed_at = row
            fresh = claimed_at is not None and now_ms() - claimed_at < LEASE_MS
            if claimed_by and claimed_by != holder and fresh and _alive(claimed_by):
                return None
            db.execute(
                "UPDATE outbox_ops SET claimed_by = ?, claimed_at = ?, attempts = attempts + 1"
                " WHERE seq = ?",
                (holder, now_ms(), seq),
            )
        return Op(seq, kind, run_id, json.loads(payload), attempts)

    def release(self, op: Op, error: str) -> None:
        """Give a claimed op back (the server is unreachable: it is tried again later)."""
        with self._write() as db:
            db.execute(
                "UPDATE outbox_ops SET claimed_by = NULL, claimed_at = NULL, error = ?"
                " WHERE seq = ?",
                (redact(error), op.seq),
            )
            _set_status(db, "last_error", now_ms(), redact(error))

    def done(self, op: Op, created: tuple[str, str] | None = None) -> None:
        """Mark an op delivered (a creation with its run's MLflow id and experiment id)."""
        now = now_ms()
        with self._write() as db:
            db.execute(
                "UPDATE outbox_ops SET state = 'done', claimed_by = NULL, done_at = ?"
                " WHERE seq = ?",
                (now, op.seq),
            )
            if created is not None:
                db.execute(
                    "UPDATE outbox_runs SET remote_id = ?, experiment_id = ? WHERE local_id = ?",
                    (*created, op.run_id),
                )
            _set_status(db, "last_delivered_at", now, None)
            clean = db.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM outbox_ops WHERE state != 'done')"
            ).fetchone()[0]
            if clean:  # drained with nothing refused: an old error would only mislead
                db.execute("DELETE FROM outbox_status WHERE key = 'last_error'")

    def fail(self, op: Op, error: str) -> None:
        """Mark an op refused by the server (a 4xx): kept for inspection, never retried."""
        with self._write() as db:
            db.execute(
                "UPDATE outbox_ops SET state = 'failed', claimed_by = NULL, done_at = ?,"
                " error = ? WHERE seq = ?",
                (now_ms(), redact(error), op.seq),
            )
            _set_status(db, "last_error", now_ms(), redact(error))

    def note_error(self, error: str) -> None:
        """Remember why a write could not reach the server (shown by GET sync)."""
        with self._write() as db:
            _set_status(db, "last_error", now_ms(), redact(error))

    # -- reading -------------------------------------------------------------------------
    def has_queued(self) -> bool:
        """Whether any write still waits (new writes then queue behind it, keeping order)."""
        return bool(self._read("SELECT 1 FROM outbox_ops WHERE state = 'queued' LIMIT 1"))

    def pending_run(self, run_id: str) -> PendingRun | None:
        """The run created offline under this local id, while its creation is queued (not
        delivered, nor refused by the server)."""
        rows = self._read(
            "SELECT r.local_id, r.outbox_id, r.experiment_id, r.experiment_name"
            " FROM outbox_runs r JOIN outbox_ops o ON o.run_id = r.local_id"
            " AND o.kind = 'create_run' WHERE r.local_id = ? AND o.state = 'queued'",
            (run_id,),
        )
        return PendingRun(*rows[0]) if rows else None

    def remote_id(self, run_id: str) -> str | None:
        """The MLflow id of a run created offline and since delivered."""
        rows = self._read("SELECT remote_id FROM outbox_runs WHERE local_id = ?", (run_id,))
        return rows[0][0] if rows else None

    def created_offline(self, run_id: str) -> bool:
        """Whether ``run_id`` is the local id of a run created offline (delivered or not)."""
        return bool(self._read("SELECT 1 FROM outbox_runs WHERE local_id = ?", (run_id,)))

    def created_any(self) -> bool:
        """Whether any run was ever created offline here."""
        return bool(self._read("SELECT 1 FROM outbox_runs LIMIT 1"))

    def pending_runs(self, limit: int) -> list[PendingRun]:
        """Runs created offline and still queued, newest first."""
        rows = self._read(
            "SELECT r.local_id, r.outbox_id, r.experiment_id, r.experiment_name"
            " FROM outbox_runs r JOIN outbox_ops o ON o.run_id = r.local_id"
            " AND o.kind = 'create_run' WHERE o.state = 'queued' ORDER BY o.seq DESC LIMIT ?",
            (limit,),
        )
        return [PendingRun(*row) for row in rows]

    def last_seq(self) -> int:
        """The newest op's sequence number (0: none)."""
        rows = self._read("SELECT MAX(seq) FROM outbox_ops")
        return (rows[0][0] or 0) if rows else 0

    def delivered_since(self, seq: int) -> list[tuple[int, str, str]]:
        """(seq, MLflow run id, experiment id) of the runs delivered by ops after ``seq``."""
        return self._read(
            "SELECT o.seq, r.remote_id, r.experiment_id FROM outbox_ops o"
            " JOIN outbox_runs r ON r.local_id = o.run_id WHERE o.seq > ?"
            " AND o.kind = 'create_run' AND o.state = 'done' ORDER BY o.seq",
            (seq,),
        )

    def counts(self) -> tuple[int, int]:
        """How many runs have writes waiting, and how many ops the server refused."""
        rows = self._read(
            "SELECT COUNT(DISTINCT CASE WHEN state = 'queued' THEN run_id END),"
            " COUNT(CASE WHEN state = 'failed' THEN 1 END) FROM outbox_ops"
        )
        return (rows[0][0], rows[0][1]) if rows else (0, 0)

    def status(self) -> dict[str, tuple[int | None, str | None]]:
        """``last_error`` and ``last_delivered_at``: (time in ms, text)."""
        return {key: (value, text) for key, value, text in self._read(
            "SELECT key, value, text FROM outbox_status"
        )}  # fmt: skip

    # -- experiments seen on the server, so runs can name them while it is down -----------
    def remember_experiments(self, experiments: list[tuple]) -> None:
        """Record (id, name, notebook path, created, description) of MLflow experiments."""
        if not experiments:
            return
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO outbox_experiments"
                " (id, name, notebook_path, created, description) VALUES (?, ?, ?, ?, ?)",
                experiments,
            )

    def experiment(self, key: str, by: str = "id") -> tuple | None:
        """A remembered experiment by id or name: (id, name, path, created, description)."""
        column = "name" if by == "name" else "id"
        rows = self._read(
            "SELECT id, name, notebook_path, created, description FROM outbox_experiments"
            f" WHERE {column} = ? ORDER BY created DESC LIMIT 1",
            (key,),
        )
        return rows[0] if rows else None

    def close(self) -> None:
        """Close this thread's connection."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _set_status(db: sqlite3.Connection, key: str, value: int, text: str | None) -> None:
    db.execute(
        "INSERT OR REPLACE INTO outbox_status (key, value, text) VALUES (?, ?, ?)",
        (key, value, text),
    )
