"""Folders the tests may not write to, even when they run as root (as CI does).

Root ignores file permissions, so as root the check runs in a forked child that has given up
root (uid/gid ``nobody``): the modules it needs are already in memory, so it does not have to
read Python's files under /root, which nobody cannot.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

NOBODY = 65534
T = TypeVar("T")


@pytest.fixture
def locked_folder() -> Iterator[Path]:
    """An existing folder that the test's user (nobody, when running as root) cannot write to."""
    # tmp_path lives in a folder only its owner may enter; this one everybody may enter.
    parent = Path(tempfile.mkdtemp(prefix="jupyterlab-runs-locked-"))
    parent.chmod(0o755)
    folder = parent / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(parent)


def call_without_root(action: Callable[[], T]) -> T:
    """``action()`` where file permissions apply; its result must be picklable, and an
    exception it raises is re-raised here as an AssertionError with its type and message."""
    if os.geteuid() != 0:
        return action()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                outcome: tuple[bool, object] = (True, action())
            except BaseException as error:  # reported to the parent, which fails the test
                outcome = (False, f"{type(error).__name__}: {error}")
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(outcome, pipe)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        raise AssertionError("the unprivileged child died without reporting")
    ok, value = pickle.loads(data)
    if not ok:
        raise AssertionError(f"raised without root: {value}")
    return value
