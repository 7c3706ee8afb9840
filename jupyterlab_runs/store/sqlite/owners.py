"""Which process owns a RUNNING run, so a run whose owner died can be marked KILLED.

A process is named by host, boot id, pid and the pid's start time: a pid alone may be
reused after the owner died (or the machine rebooted), and a run owned by a process on
another host (a store on a shared folder) cannot be checked, so it is left alone.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

_BOOT_ID = "/proc/sys/kernel/random/boot_id"


@dataclass(frozen=True)
class Owner:
    """The process that writes a RUNNING run and is expected to end it."""

    host: str
    boot_id: str  # "" where the system does not say
    pid: int
    started: int  # clock ticks after boot when the process started; 0 if unknown


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as file:
            return file.read().strip()
    except OSError:
        return ""


def _stat(pid: int) -> tuple[str, int]:
    """State and start time of ``pid`` from /proc (fields 3 and 22 of stat); ("", 0) where
    there is no /proc."""
    stat = _read(f"/proc/{pid}/stat")
    # The command name (field 2) may hold spaces and parentheses; fields follow the last ")".
    fields = stat.rpartition(")")[2].split()
    if len(fields) > 19 and fields[19].isdigit():
        return fields[0], int(fields[19])
    return "", 0


_current: tuple[int, Owner] | None = None


def this_process() -> Owner:
    """The owner record of the calling process (recomputed after a fork)."""
    global _current
    pid = os.getpid()
    if _current is None or _current[0] != pid:
        _current = pid, Owner(socket.gethostname(), _read(_BOOT_ID), pid, _stat(pid)[1])
    return _current[1]


def is_gone(owner: Owner) -> bool:
    """Whether ``owner`` has certainly exited; unknown (another host) counts as alive."""
    here = this_process()
    if owner.host != here.host:
        return False
    if owner.boot_id and here.boot_id and owner.boot_id != here.boot_id:
        return True  # the machine rebooted since
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by another user
    state, started = _stat(owner.pid)
    if state in ("Z", "X"):
        return True  # killed, not yet reaped by its parent
    return bool(owner.started and started) and started != owner.started
