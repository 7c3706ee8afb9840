"""MLflow in a kernel where jupyterlab-runs is active.

``activate()`` (run by ``%load_ext jupyterlab_runs``; the server does the same for the
kernels it starts) points MLflow at the store the Runs panel shows, unless the user chose a
tracking URI or turned it off (see ``mlflow_plugin.environment``). It also lends the
tracking store the kernel's cell runs, so what MLflow logs in a Log run or ``%%track`` cell
lands in that cell's run.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ..mlflow_plugin import binding, environment
from . import context as ctx
from .display import warn
from .session import STORE_ERRORS, get_session


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
        return get_session().cell_run()

    def start_child(self, parent: Any, name: str | None) -> Any | None:
        """A child saved right after its ``%%track`` parent; Log run cells have none."""
        session = get_session()
        if parent.kind == "claim" or not session.stack or session.stack[-1] is not parent:
            return None
        return session.start(name=name, nested=True)

    def add_artifact(self, run: Any, path: str, data: bytes) -> None:
        """Keep a file with a cell run: written when ``%%track`` saves it, or handed to the
        run the front end saves for a Log run cell."""
        if run.kind != "claim":
            get_session().add_artifact(run, path, data, None)
            return
        if not run.artifacts:
            ClaimArtifacts(run).watch()
        run.artifacts.append((path, data, None))

    def context(self) -> dict[str, Any]:
        """Where the code runs now: notebook, cell, kernel, user, git commit."""
        return get_session().context_now()

    def experiment_name(self) -> str:
        """The notebook's experiment."""
        return get_session().experiment_name()


class ClaimArtifacts:
    """Files MLflow logged in a Log run cell, written to the run the front end posts.

    The front end saves that run after the cell ends, with the cell's id and execution count;
    a short-lived thread follows the store's change feed until it appears, then stores the
    files with it (the panel shows them as they land)."""

    TIMEOUT = 120.0  # seconds to wait for the front end's run

    def __init__(self, run: Any) -> None:
        session = get_session()
        self.run = run
        self.store = session.store()
        self.cell_id = session.claimed_cell_id
        self.since = self.store.changes(limit=1)[0]
        self.shell = ctx.get_shell()

    def watch(self) -> None:
        """Start when the cell has ended (its execution count is then known)."""
        self.shell.events.register("post_run_cell", self._after_cell)

    def _after_cell(self, result: Any) -> None:
        self.shell.events.unregister("post_run_cell", self._after_cell)
        count = getattr(result, "execution_count", None)
        thread = threading.Thread(target=self._deliver, args=(count,), daemon=True)
        thread.start()

    def _deliver(self, count: int | None) -> None:
        deadline = time.monotonic() + self.TIMEOUT
        since = self.since
        while time.monotonic() < deadline:
            since, changes = self.store.changes(since)
            for change in changes:
                if change.kind == "run" and change.op == "created":
                    run = self.store.get_run(change.id)
                    if run.cell_id == self.cell_id and run.execution_count == count:
                        self._write(run.id)
                        return
            time.sleep(0.1)
        warn(
            f"{len(self.run.artifacts)} MLflow artifact(s) of a Log run cell were not saved: "
            "its run did not appear in the store"
        )

    def _write(self, run_id: str) -> None:
        for path, data, media_type in self.run.artifacts:
            try:
                self.store.log_artifact(run_id, path, data, media_type)
            except STORE_ERRORS as error:
                warn(f"artifact {path!r} was not saved: {error}")
