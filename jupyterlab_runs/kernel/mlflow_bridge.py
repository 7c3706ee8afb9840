"""MLflow in a kernel where jupyterlab-runs is active.

``activate()`` (run by ``%load_ext jupyterlab_runs``; the server does the same for the
kernels it starts) points MLflow at the store the Runs panel shows, unless the user chose a
tracking URI or turned it off (see ``mlflow_plugin.environment``). It also lends the
tracking store the kernel's cell runs, so what MLflow logs in a Log run or ``%%track`` cell
lands in that cell's run.
"""

from __future__ import annotations

from typing import Any

from ..mlflow_plugin import binding, environment
from . import context as ctx
from .session import get_session


def activate(set_uri: bool = True) -> None:
    """Register the kernel's cell runs with the plugin and, if asked, set MLflow's URI."""
    if not environment.enabled():
        return
    binding.register(KernelCellRuns())
    if set_uri:
        from ..store import resolve_uri

        environment.point_mlflow(resolve_uri())


class KernelCellRuns:
    """The kernel's side of ``binding.CellRuns``."""

    def cell_run(self) -> Any | None:
        """The Log run or ``%%track`` run of the cell executing now."""
        session = get_session()
        if session.stack:
            top = session.stack[-1]
            return top if top.kind in ("track", "claim") else None
        return session.current() if session._claimed_cell else None

    def start_child(self, parent: Any, name: str | None) -> Any | None:
        """A child saved right after its ``%%track`` parent; Log run cells have none."""
        session = get_session()
        if parent.kind == "claim" or not session.stack or session.stack[-1] is not parent:
            return None
        return session.start(name=name, nested=True)

    def add_artifact(self, run: Any, path: str, data: bytes) -> None:
        """Keep a file with a cell run (written when it is saved)."""
        get_session().add_artifact(run, path, data, None)

    def context(self) -> dict[str, Any]:
        """Where the code runs now: notebook, cell, kernel, user, git commit."""
        return get_session()._context(ctx.get_shell(), None)

    def experiment_name(self) -> str:
        """The notebook's experiment."""
        return get_session().experiment_name()
