"""A background thread that writes buffered values of open runs every half second.

Logged points wait in memory so ``log_metric`` stays cheap; this thread bounds how many a
crashed kernel (``kill -9``, out of memory) can lose: the points of the last second at most.
A ``%%track`` cell or an implicit run that is still running after ``FLUSH_INTERVAL`` with
step points is created in the store as RUNNING and written as it goes from then on; a
shorter one is still saved whole by one write when it ends. The thread sleeps on an event
while no run is open, so cells that do not track pay nothing.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from .display import warn

FLUSH_INTERVAL = 0.5  # seconds; with the write itself, well within the one-second bound


class Flusher:
    """The session's writer thread and the lock every write of an open run holds."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.lock = threading.RLock()  # held while a run's values are written or it ends
        self._wake = threading.Event()
        self._now = threading.Event()  # a full buffer: write without waiting out the interval
        self._thread: threading.Thread | None = None

    def watch(self) -> None:
        """Make sure the thread runs; it goes back to sleep once no open run needs it."""
        with self.lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="jupyterlab-runs-flush", daemon=True
                )
                self._thread.start()
            self._wake.set()

    def nudge(self) -> None:
        """Ask the thread to write now; never blocks the logging thread on a write."""
        if self._thread is None:
            self.watch()
        self._now.set()
        self._wake.set()

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._now.wait(FLUSH_INTERVAL)
            self._now.clear()
            try:
                self.flush_due()
            except Exception as error:  # noqa: BLE001 - the thread must outlive one bad write
                warn(f"buffered values could not be written: {error!r}")

    def flush_due(self) -> None:
        """Write what open runs buffered; promote runs that have run long enough."""
        with self.lock:
            now_ms = time.time_ns() // 1_000_000
            open_runs = [r for r in self._session.stack if r.live or r.promotable]
            if not open_runs:
                self._wake.clear()
            for run in open_runs:
                if run.live or now_ms - run.start_time >= FLUSH_INTERVAL * 1000:
                    self._session.flush(run)
