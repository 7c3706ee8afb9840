"""``POST scan``: what a cell means for Log run, decided by CPython's parser (DESIGN §2).

The front end sends a cell's code (while the cell runs) and its printed outputs (when it has
ended); the answer is the params, the names whose numbers a kernel should be asked for, and
the printed metrics, by ``jupyterlab_runs.capture``, the code ``%%track`` uses in the kernel.
"""

from __future__ import annotations

import asyncio
from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized

from ..capture import CellScan, scan_cell
from ..store.values import json_float
from .handlers import API, ApiError, RunsAPIHandler

#: Longest code scanned, in characters: far beyond any real cell, and parsed in well under 1 s.
MAX_CODE_CHARS = 2_000_000
#: Most printed characters scanned (the front end sends the tail of longer outputs).
MAX_OUTPUT_CHARS = 1_000_000


class ScanHandler(RunsAPIHandler):
    """Scan a cell's code and printed outputs."""

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.body()
        code = _string(body, "code", "")
        language = _string(body, "language", "python")
        outputs = body.get("outputs", [])
        if not isinstance(outputs, list) or not all(isinstance(t, str) for t in outputs):
            raise ApiError(400, "invalid_argument", "outputs must be a list of strings")
        _check_size("code", len(code), MAX_CODE_CHARS)
        _check_size("outputs", sum(len(text) for text in outputs), MAX_OUTPUT_CHARS)
        # ast.parse of a large cell takes a while: never on the event loop.
        scan = await asyncio.to_thread(scan_cell, code, outputs, language)
        self.send(scan_to_json(scan))


def scan_to_json(scan: CellScan) -> dict[str, Any]:
    """``{params: [{key, value, type, source}], names, metrics: [{key, value}]}``."""
    return {
        "params": [
            {"key": p.key, "value": p.value, "type": p.type, "source": p.source}
            for p in scan.params
        ],
        "names": list(scan.names),
        "metrics": [{"key": key, "value": json_float(value)} for key, value in scan.metrics],
    }


def _string(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        raise ApiError(400, "invalid_argument", f"{key} must be a string")
    return value


def _check_size(what: str, size: int, limit: int) -> None:
    if size > limit:
        raise ApiError(
            400,
            "too_large",
            f"{what} has {size:,} characters; the scan takes at most {limit:,}",
        )


def scan_routes() -> list[tuple[str, type]]:
    """The scan's URL pattern (without base_url) and its handler."""
    return [(f"{API}/scan", ScanHandler)]
