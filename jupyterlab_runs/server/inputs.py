"""Checks on what a REST request carries, before it reaches the store: bodies, paths, bounds.

Each check raises ``InvalidArgument`` (a 400 with the reason) instead of letting a hostile or
oversized value turn into a 500 deeper down.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from ..store import InvalidArgument

#: A page token we issue holds a fingerprint, a segment, one sort value and a row id.
MAX_PAGE_TOKEN_LENGTH = 16_384
#: Full runs carry code and capture context (up to megabytes each): pages of them stay small.
MAX_FULL_RUNS = 1000
#: Values SQLite can hold in an INTEGER column (cursors, steps).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# type/subtype[; parameters] without control characters (a CR/LF would split the header).
_MEDIA_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(?:\s*;[\x20-\x7e]*)?", re.ASCII)
_DRIVE = re.compile(r"[A-Za-z]:")


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object, or ``InvalidArgument`` saying what is wrong."""
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        raise InvalidArgument(f"request body is not JSON: {reason}") from None
    if not isinstance(data, dict):
        raise InvalidArgument("request body must be a JSON object")
    return data


def check_notebook_path(path: Any) -> None:
    """A notebook path must be relative to the server root and stay inside it."""
    if path is None:
        return
    if not isinstance(path, str):
        raise InvalidArgument(f"notebook_path must be a string, got {type(path).__name__}")
    if "\\" in path or _DRIVE.match(path) or posixpath.isabs(path):
        raise InvalidArgument(
            f"notebook_path {path[:200]!r} must be relative to the server root, with '/' separators"
        )
    if posixpath.normpath(path).split("/")[0] == "..":
        raise InvalidArgument(f"notebook_path {path[:200]!r} climbs out of the server root")


def safe_media_type(media_type: str | None) -> str:
    """``media_type`` if it is a well-formed header value, else ``application/octet-stream``
    (whatever a store holds must never inject headers)."""
    if media_type and len(media_type) <= 255 and _MEDIA_TYPE.fullmatch(media_type):
        return media_type
    return "application/octet-stream"
