"""The jupyter_server extension: opens the store and serves the REST API."""

from __future__ import annotations

import os
import threading

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Unicode, default

from ..mlflow_plugin.environment import SWITCH_VARIABLE, point_mlflow
from ..store import RunStore, StoreUnavailable, open_store
from ..store.redact import redact
from .bulk import bulk_routes
from .handlers import route_table
from .scan import scan_routes
from .sync import sync_routes

URI_ENV = "JUPYTERLAB_RUNS_URI"
ROOT_ENV = "JUPYTERLAB_RUNS_ROOT"


class JupyterLabRuns(ExtensionApp):
    """Server side of jupyterlab-runs; configure it as ``c.JupyterLabRuns.<option>``."""

    name = "jupyterlab_runs"
    load_other_extensions = True

    tracking_uri = Unicode(
        help=(
            "Where runs are stored: sqlite:///path/runs.db (embedded, default under the "
            "server's root directory), an MLflow tracking URI (http://host:5000), or 'mlflow' "
            "for whatever MLFLOW_TRACKING_URI says. JUPYTERLAB_RUNS_URI overrides it."
        )
    ).tag(config=True)

    mlflow_tracking = Bool(
        True,
        help=(
            "Point plain mlflow code (and mlflow.autolog) in the kernels this server starts at "
            "the same store, unless MLFLOW_TRACKING_URI is set. JUPYTERLAB_RUNS_MLFLOW=0 also "
            "turns it off."
        ),
    ).tag(config=True)

    @default("tracking_uri")
    def _default_tracking_uri(self) -> str:
        root = os.path.abspath(os.path.expanduser(self.serverapp.root_dir))
        return "sqlite:///" + os.path.join(root, ".jupyterlab-runs", "runs.db")

    def initialize_settings(self) -> None:
        uri = os.environ.get(URI_ENV) or self.tracking_uri
        # Kernels started by this server inherit os.environ, so the magics write where we
        # read and can make notebook paths relative to the same root as the front end.
        os.environ[URI_ENV] = uri
        os.environ[ROOT_ENV] = os.path.abspath(os.path.expanduser(self.serverapp.root_dir))
        if not self.mlflow_tracking:
            os.environ[SWITCH_VARIABLE] = "0"  # so %load_ext in those kernels leaves it too
        point_mlflow(uri)
        holder = StoreHolder(uri, self.log)
        self.settings["jupyterlab_runs_store"] = holder
        self.log.info("jupyterlab_runs: tracking store %s", redact(uri))
        # Open the store (and end the runs a crash left RUNNING) now, not at the first request.
        threading.Thread(target=holder.open_quietly, name="jupyterlab-runs", daemon=True).start()

    def initialize_handlers(self) -> None:
        # Bulk routes first: the pattern of runs/{run_id} would match runs/export.
        self.handlers.extend([*bulk_routes(), *route_table(), *scan_routes(), *sync_routes()])

    async def stop_extension(self) -> None:
        holder = self.settings.get("jupyterlab_runs_store")
        if holder is not None:
            holder.close()


class StoreHolder:
    """Opens the store on first use and retries after a failure, so a fixed path recovers."""

    def __init__(self, uri: str, log):
        self.uri = uri
        self._log = log
        self._store: RunStore | None = None
        self._lock = threading.Lock()
        self._logged_failure: str | None = None

    def get(self) -> RunStore:
        """The open store, or ``StoreUnavailable`` with a message the panel can show."""
        with self._lock:
            if self._store is None:
                try:
                    store = open_store(self.uri)
                    killed = store.kill_orphaned_runs()
                except StoreUnavailable as error:
                    if self._logged_failure != str(error):
                        self._log.error(
                            "jupyterlab_runs: cannot open the store: %s", redact(str(error))
                        )
                        self._logged_failure = str(error)
                    raise
                if killed:
                    self._log.info(
                        "jupyterlab_runs: %d run(s) whose process died are now KILLED", len(killed)
                    )
                self._store = store
            return self._store

    def open_quietly(self) -> None:
        """Open the store; a failure is logged by ``get`` and retried by the next request."""
        try:
            self.get()
        except StoreUnavailable:
            pass

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
