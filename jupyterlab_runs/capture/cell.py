"""One scan of a cell for Log run: its params, the names to read back, its printed metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .params import ScannedParam, scan_assigned_names, scan_params
from .printed_metrics import extract_printed


@dataclass(frozen=True)
class CellScan:
    """What a cell's code and printed outputs give a run."""

    params: tuple[ScannedParam, ...]
    #: Names whose numeric values the kernel should be asked for after the cell.
    names: tuple[str, ...]
    metrics: tuple[tuple[str, float], ...]


def scan_cell(code: str, outputs: Sequence[str], language: str) -> CellScan:
    """Scan ``code`` with Python's grammar whatever the kernel's language (Julia's and R's
    ``x = 5`` read alike); only a Python kernel can be asked for the values of names."""
    names = scan_assigned_names(code) if language.lower() == "python" else []
    return CellScan(tuple(scan_params(code)), tuple(names), tuple(extract_printed(outputs)))
