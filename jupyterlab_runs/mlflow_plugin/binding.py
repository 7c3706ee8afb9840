"""Where a kernel's own tracking meets MLflow's, without importing MLflow.

A kernel where jupyterlab-runs is active registers a ``CellRuns`` here. The tracking store
asks it, when MLflow starts a run, whether a Log run or ``%%track`` cell is executing: then
MLflow's run *is* that cell's run (one run per execution), and what MLflow logs is collected
with the cell's own params and metrics.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

SOURCE = "mlflow"  # the source recorded with each value MLflow logged


class CellRuns(Protocol):
    """What the kernel offers the tracking store."""

    def cell_run(self) -> Any | None:
        """The run of the Log run or ``%%track`` cell executing now, if any (an ActiveRun)."""

    def start_child(self, parent: Any, name: str | None) -> Any | None:
        """A child run under ``parent`` (a cell run), or None when that cannot be nested."""

    def add_artifact(self, run: Any, path: str, data: bytes) -> None:
        """Store a file with a cell run (written when the run is saved)."""

    def context(self) -> dict[str, Any]:
        """Notebook path, cell id, execution count, kernel, code, user, git commit of now."""

    def experiment_name(self) -> str:
        """The experiment runs of this kernel go to by default (the notebook's)."""


_provider: CellRuns | None = None


def register(provider: CellRuns | None) -> None:
    """Install (or with None remove) the kernel's hooks."""
    global _provider
    _provider = provider


def provider() -> CellRuns | None:
    """The kernel's hooks: registered by ``%load_ext`` or Log run, else found when this
    process is an IPython kernel (so plain ``mlflow`` in any notebook gets its context)."""
    ipython = sys.modules.get("IPython")
    if _provider is None and ipython is not None:
        if ipython.get_ipython() is not None:
            from ..kernel.mlflow_bridge import activate

            activate(set_uri=False)
    return _provider
