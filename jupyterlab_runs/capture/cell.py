"""One scan of a cell's code for Log run: its params and the names to read back."""

from __future__ import annotations

from dataclasses import dataclass

from .params import ScannedParam, scan_assigned_names, scan_params


@dataclass(frozen=True)
class CellScan:
    """What a cell's code gives a run."""

    params: tuple[ScannedParam, ...]
    #: Names whose numeric values the kernel should be asked for after the cell.
    names: tuple[str, ...]


def scan_cell(code: str, language: str) -> CellScan:
    """Scan ``code`` with Python's grammar whatever the kernel's language (Julia's and R's
    ``x = 5`` read alike); only a Python kernel can be asked for the values of names."""
    names = scan_assigned_names(code) if language.lower() == "python" else []
    return CellScan(tuple(scan_params(code)), tuple(names))
