"""One SQLite database opened once per thread: pragmas, the write transaction and retries."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from ..base import StoreUnavailable
from .migrations import migrate, refuse_newer_file

MEMORY = ":memory:"
_BUSY = ("database is locked", "database is busy", "database table is locked")
_UNAVAILABLE = ("readonly", "unable to open", "disk i/o", "disk is full", "not a database")


def is_busy(error: sqlite3.Error) -> bool:
    """Whether ``error`` is SQLite saying another connection holds the lock."""
    return isinstance(error, sqlite3.OperationalError) and str(error).lower().startswith(_BUSY)


class Database:
    """A SQLite file (or ``:memory:``) with WAL, a busy timeout and one connection per thread.

    An in-memory database lives in one connection, so it is shared by all threads behind a lock.
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float = 30.0):
        self.path = str(path)
        self.timeout = timeout
        self.memory = self.path == MEMORY
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        if not self.memory:
            self._make_directory()
            refuse_newer_file(self.path)
        try:
            self.connection()
            migrate(self)
        except sqlite3.Error as error:
            self.close()
            raise self.unavailable(error) from error
        except StoreUnavailable:
            self.close()
            raise

    def _make_directory(self) -> None:
        directory = Path(self.path).parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the store directory {directory}: {error.strerror or error}"
            ) from error

    def unavailable(self, error: sqlite3.Error) -> StoreUnavailable:
        """The StoreUnavailable that explains an SQLite error about the file itself."""
        reason = str(error)
        if "unable to open" in reason and not self.memory:
            # SQLite does not say why; the operating system does.
            try:
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644))
            except OSError as os_error:
                reason = f"{reason} ({os_error.strerror})"
        return StoreUnavailable(f"cannot use the store at {self.path}: {reason}")

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (the shared one for ``:memory:``), opened on first use."""
        if self._closed:
            raise StoreUnavailable(f"the store at {self.path} is closed")
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        with self._lock:
            if self.memory and self._connections:
                conn = self._connections[0]
            else:
                conn = self._open()
                self._connections.append(conn)
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves; check_same_thread=False only
        # so that close() may close every thread's connection.
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")
        if not self.memory:
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            # NORMAL is durable in WAL mode except for the last commits on power loss.
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _retry(self, action):
        """Run ``action`` again while SQLite reports the database locked, up to the timeout,
        every millisecond or so: a write transaction here holds the lock for about that long,
        while SQLite's own busy handler sleeps 25-100 ms between tries once it has waited a
        little, so with several writing processes the lock sat free most of the time (B4)."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return action()
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreUnavailable(
                        f"the store at {self.path} stayed locked for {self.timeout:g} s"
                    ) from error
            # Jitter, so that waiting processes do not retry in step.
            time.sleep(random.uniform(0.0005, 0.002))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on error."""
        with self._lock if self.memory else nullcontext():
            conn = self.connection()
            if conn.in_transaction:
                raise RuntimeError("transactions do not nest")
            try:
                self._begin(conn)
            except sqlite3.OperationalError as error:
                raise self._mapped(error) from error
            try:
                yield conn
                self._retry(lambda: conn.execute("COMMIT"))
            except BaseException as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.OperationalError):
                    raise self._mapped(error) from error
                raise

    def _begin(self, conn: sqlite3.Connection) -> None:
        """``BEGIN IMMEDIATE``, tried by ``_retry`` instead of SQLite's busy handler."""
        if self.memory:  # one shared connection: never busy
            conn.execute("BEGIN IMMEDIATE")
            return
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            self._retry(lambda: conn.execute("BEGIN IMMEDIATE"))
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        with self._lock if self.memory else nullcontext():
            conn = self.connection()
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _mapped(self, error: sqlite3.OperationalError) -> Exception:
        message = str(error).lower()
        if any(part in message for part in _UNAVAILABLE):
            return self.unavailable(error)
        return error

    def close(self) -> None:
        """Close every connection this database opened (from any thread)."""
        with self._lock:
            self._closed = True
            for conn in self._connections:
                try:
                    if not self.memory:
                        conn.execute("PRAGMA optimize")
                except sqlite3.Error:
                    pass  # optimize is advisory; closing must not fail because of it
                conn.close()
            self._connections.clear()
