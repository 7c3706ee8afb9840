"""Checks on what a REST request carries, before it reaches the store: bodies, paths, bounds.

Each check raises ``InvalidArgument`` (a 400 with the reason) instead of letting a hostile or
oversized value turn into a 500 deeper down.
"""

from __future__ import annotations

import asyncio
import json
import json.decoder
import json.scanner
import posixpath
import re
from collections.abc import Callable
from typing import Any

from ..store import InvalidArgument

#: A page token we issue holds a fingerprint, a segment, one sort value and a row id.
MAX_PAGE_TOKEN_LENGTH = 16_384
#: Bodies up to this size are parsed on the event loop (see parse_json_body).
INLINE_JSON_BYTES = 256 * 1024
#: Full runs carry code and capture context (up to megabytes each): pages of them stay small.
MAX_FULL_RUNS = 1000
#: Values SQLite can hold in an INTEGER column (cursors, steps).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# type/subtype[; parameters] without control characters (a CR/LF would split the header).
_MEDIA_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(?:\s*;[\x20-\x7e]*)?", re.ASCII)
_DRIVE = re.compile(r"[A-Za-z]:")


async def parse_json_body(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object, or ``InvalidArgument`` saying what is wrong.

    Small bodies parse at once (well under a millisecond). CPython's C decoder holds the GIL
    for a whole body (a 2 MB run stalled every other request 180 ms), so larger bodies parse in
    a worker thread with the pure-Python decoder, which lets the event loop run in between.
    """
    if len(raw) <= INLINE_JSON_BYTES:
        return _json_object(lambda: json.loads(raw or b"{}"))
    return await asyncio.to_thread(_json_object, lambda: _yielding_decoder().decode(_text(raw)))


def _text(raw: bytes) -> str:
    try:
        return raw.decode(json.detect_encoding(raw))
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid text: {error}") from None


def _yielding_decoder() -> json.JSONDecoder:
    """A decoder that runs as Python bytecode (one per request: its scanner keeps state)."""
    decoder = json.JSONDecoder()
    decoder.parse_object = json.decoder.JSONObject
    decoder.parse_array = json.decoder.JSONArray
    decoder.parse_string = json.decoder.py_scanstring
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder


def _json_object(parse: Callable[[], Any]) -> dict[str, Any]:
    try:
        data = parse()
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
