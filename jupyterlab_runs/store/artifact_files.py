"""Artifact files on disk: relative paths confined to their run's folder, written atomically."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from .base import InvalidArgument, NotFound

MAX_ARTIFACT_PATH_LENGTH = 1000
_DRIVE = re.compile(r"^[A-Za-z]:")


def check_artifact_path(path: object) -> str:
    """A relative POSIX path without ``..``, ``.``, empty parts, backslashes or NUL."""
    if not isinstance(path, str) or not path:
        raise InvalidArgument("artifact path must be a non-empty relative path")
    if len(path) > MAX_ARTIFACT_PATH_LENGTH:
        raise InvalidArgument(f"artifact path is longer than {MAX_ARTIFACT_PATH_LENGTH} characters")
    if "\x00" in path or "\\" in path:
        raise InvalidArgument(f"artifact path {path!r} must not contain NUL or backslashes")
    if path.startswith("/") or _DRIVE.match(path):
        raise InvalidArgument(f"artifact path {path!r} must be relative")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise InvalidArgument(f"artifact path {path!r} must not contain '.', '..' or '//'")
    return path


def confined(root: Path, run_id: str, path: str) -> Path:
    """The file of ``path`` under ``root/run_id``, checked to stay inside after resolving links."""
    run_root = (root / run_id).resolve()
    if run_root.parent != root.resolve():
        raise InvalidArgument(f"run id {run_id!r} cannot name an artifact folder")
    target = (run_root / check_artifact_path(path)).resolve()
    if not target.is_relative_to(run_root):
        raise InvalidArgument(f"artifact path {path!r} leaves the run's artifact folder")
    return target


def media_type_of(path: str) -> str:
    """The media type guessed from the file name, or application/octet-stream."""
    return mimetypes.guess_type(path, strict=False)[0] or "application/octet-stream"


def write_temporary(target: Path, data: bytes) -> tuple[Path, str]:
    """Write ``data`` beside ``target`` under a temporary name; returns it and the sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return Path(name), hashlib.sha256(data).hexdigest()


def open_file(target: Path, path: str) -> BinaryIO:
    """An artifact file opened for reading; NotFound if it is gone from disk."""
    try:
        return target.open("rb")
    except FileNotFoundError:
        raise NotFound(f"artifact {path!r} is recorded but its file is missing") from None


def read_file(target: Path, path: str) -> bytes:
    """The bytes of an artifact file; NotFound if it is gone from disk."""
    with open_file(target, path) as file:
        return file.read()
