"""What a cell means for a run, decided by CPython's own parser (DESIGN §2).

The server scans for the toolbar's Log run (``server/scan.py``), the kernel for ``%%track``
and for a cell the front end claimed; both import this package, which needs only the stdlib.
"""

from .cell import CellScan, scan_cell
from .params import ScannedParam, scan_assigned_names, scan_params
from .printed_metrics import extract_metrics, extract_printed

__all__ = [
    "CellScan",
    "ScannedParam",
    "extract_metrics",
    "extract_printed",
    "scan_assigned_names",
    "scan_cell",
    "scan_params",
]
