"""The git commit of the repository holding a notebook, read from ``.git`` directly.

Used by the server (runs posted by the toolbar) and the kernel (``%%track``, the API).
No ``git`` subprocess: this runs on every saved run, and reading two small files is
a hundred times cheaper than spawning a process. Handles branches, detached HEADs,
packed refs and worktrees (a ``.git`` file pointing elsewhere).

The files it reads may come from anyone who can write the notebook's folder (a cloned
repository, an upload), so it reads only regular files, each under a size cap, and follows
``gitdir:``, ``commondir`` and ``ref:`` pointers only where git itself puts their targets:
a ``gitdir:`` must name a worktree or submodule folder inside some ``.git`` directory, and
a ref must be a plain ``refs/...`` name resolved inside the git directory.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
# What ``git check-ref-format`` allows, minus the exotic: no "..", no leading dots.
_REF = re.compile(r"refs/(?:[A-Za-z0-9_+@-][A-Za-z0-9_.+@-]*/)*[A-Za-z0-9_+@-][A-Za-z0-9_.+@-]*")
SMALL_FILE_BYTES = 4096
PACKED_REFS_BYTES = 32 * 1024 * 1024


def _read_small(path: Path, limit: int = SMALL_FILE_BYTES) -> str | None:
    """The text of a regular file of at most ``limit`` bytes, else None (FIFOs, devices and
    huge files are never read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        return file.read(limit).decode("utf-8", errors="replace")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _linked_git_dir(dot_git: Path) -> Path | None:
    """The folder a ``.git`` file points to, when git could have written that pointer: a
    ``worktrees/<name>`` or ``modules/<name>`` folder inside a ``.git`` directory."""
    text = (_read_small(dot_git) or "").strip()
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:") :].strip())
    target = (target if target.is_absolute() else dot_git.parent / target).resolve()
    parts = target.parts
    for i, part in enumerate(parts[:-2]):
        if part == ".git" and parts[i + 1] in ("worktrees", "modules"):
            return target if target.is_dir() else None
    return None


def _git_dir(directory: Path) -> Path | None:
    for folder in (directory, *directory.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git.resolve()
        if dot_git.is_file():
            return _linked_git_dir(dot_git)
    return None


def _common_dir(git_dir: Path) -> Path:
    """The main ``.git`` of a worktree (``commondir``), only when it encloses ``git_dir``."""
    pointer = _read_small(git_dir / "commondir")
    if pointer is None:
        return git_dir
    common = (git_dir / pointer.strip()).resolve()
    return common if _inside(git_dir, common) else git_dir


def _resolve_ref(git_dir: Path, ref: str) -> str | None:
    if not _REF.fullmatch(ref):
        return None
    common = _common_dir(git_dir)
    for base in (git_dir, common):
        loose = (base / ref).resolve()
        if not _inside(loose, base):
            continue  # a symlinked ref pointing out of the repository
        sha = _read_small(loose)
        if sha is not None:
            sha = sha.strip()
            return sha if _SHA.fullmatch(sha) else None
    packed = _read_small(common / "packed-refs", PACKED_REFS_BYTES)
    for line in (packed or "").splitlines():
        sha, _, name = line.partition(" ")
        if name == ref and _SHA.fullmatch(sha):
            return sha
    return None


def head_commit(directory: str) -> str | None:
    """``HEAD``'s sha of the git work tree containing ``directory``; None outside one or on
    a branch with no commit yet."""
    try:
        git_dir = _git_dir(Path(directory).resolve())
        if git_dir is None:
            return None
        head = (_read_small(git_dir / "HEAD") or "").strip()
        if head.startswith("ref:"):
            return _resolve_ref(git_dir, head[len("ref:") :].strip())
        return head if _SHA.fullmatch(head) else None
    except OSError:
        return None
