"""``POST scan``: what a cell's code means for Log run, decided by CPython's parser (DESIGN §2).

The front end sends a cell's code as the cell starts; the answer is the params and the names
whose numbers a kernel should be asked for, by ``jupyterlab_runs.capture``, the code
``%%track`` uses in the kernel. (Printed metrics ride ``POST runs``: see ``printed.py``.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized

from ..capture import CellScan, scan_cell
from .handlers import API, ApiError, RunsAPIHandler

#: Longest code scanned, in characters: far beyond any real cell, and parsed in well under 1 s.
MAX_CODE_CHARS = 2_000_000


class ScanHandler(RunsAPIHandler):
    """Scan a cell's code."""

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.body()
        code = _string(body, "code", "")
        language = _string(body, "language", "python")
        if len(code) > MAX_CODE_CHARS:
            raise ApiError(
                400,
                "too_large",
                f"code has {len(code):,} characters; the scan takes at most {MAX_CODE_CHARS:,}",
            )
        # ast.parse of a large cell takes a while: never on the event loop.
        scan = await asyncio.to_thread(scan_cell, code, language)
        self.send(scan_to_json(scan))


def scan_to_json(scan: CellScan) -> dict[str, Any]:
    """``{params: [{key, value, type, source}], names}``."""
    return {
        "params": [
            {"key": p.key, "value": p.value, "type": p.type, "source": p.source}
            for p in scan.params
        ],
        "names": list(scan.names),
    }


def _string(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        raise ApiError(400, "invalid_argument", f"{key} must be a string")
    return value


def scan_routes() -> list[tuple[str, type]]:
    """The scan's URL pattern (without base_url) and its handler."""
    return [(f"{API}/scan", ScanHandler)]
