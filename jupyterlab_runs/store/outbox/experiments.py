"""The experiment half of OutboxStore: MLflow's experiments, remembered (in memory, and in
the outbox file once there is one) so a run logged while the server is down can name its
experiment; one never seen goes to a local experiment, matched by name on delivery."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..base import Experiment, NotFound, StoreUnavailable, ViewType
from ..mlflow.store import MlflowStore
from .delivery import PANEL_TIMEOUT, WRITE_TIMEOUT, unreachable
from .log import OpLog

if TYPE_CHECKING:
    from ..sqlite import SqliteStore


class ExperimentMethods:
    """RunStore's experiment methods for OutboxStore, which provides ``remote``, ``log``,
    ``local`` and ``_remembered``."""

    remote: MlflowStore
    log: OpLog
    local: SqliteStore
    _remembered: dict[str, tuple]

    def _remember(self, experiments: Iterable[Experiment]) -> None:
        """Keep MLflow's experiments in memory, and on disk once the outbox file exists (a
        server that is never down never gets one)."""
        rows = [(e.id, e.name, e.notebook_path, e.created, e.description) for e in experiments]
        fresh = [row for row in rows if self._remembered.get(row[0]) != row]
        self._remembered.update((row[0], row) for row in fresh)
        if fresh and self.log.exists():
            self.log.remember_experiments(fresh)

    def _recall(self, key: str, by: str = "id") -> tuple | None:
        """A remembered MLflow experiment by id or name: (id, name, path, created, description)."""
        column = 1 if by == "name" else 0
        found = [row for row in self._remembered.values() if row[column] == key]
        return found[-1] if found else self.log.experiment(key, by)

    def _recalled(self, key: str, by: str, error: StoreUnavailable) -> Experiment:
        row = self._recall(key, by)
        if row is None:
            raise error
        experiment_id, name, notebook_path, created, description = row
        return Experiment(experiment_id, name, created, notebook_path, description)

    def _experiment_call(self, call, *args: Any) -> Experiment:
        with self.remote.rest.bounded(WRITE_TIMEOUT):  # on the way to a write: never stall
            experiment = call(*args)
        self._remember([experiment])
        return experiment

    def create_experiment(
        self, name: str, notebook_path: str | None = None, description: str = ""
    ) -> Experiment:
        """Create an experiment on MLflow (not queued: there is no run to keep yet)."""
        return self._experiment_call(
            self.remote.create_experiment, name, notebook_path, description
        )

    def get_or_create_experiment(self, name: str, notebook_path: str | None = None) -> Experiment:
        """MLflow's experiment; while unreachable, the one last seen with this name, else a
        local one (its runs go to the experiment of that name on delivery)."""
        try:
            return self._experiment_call(self.remote.get_or_create_experiment, name, notebook_path)
        except StoreUnavailable as error:
            if not unreachable(error):
                raise
            self.log.note_error(str(error))
            try:
                return self._recalled(name, "name", error)
            except StoreUnavailable:
                return self.local.get_or_create_experiment(name, notebook_path)

    def get_experiment(self, experiment_id: str) -> Experiment:
        """One experiment; while MLflow is unreachable, as last seen (or a local one)."""
        try:
            return self._experiment_call(self.remote.get_experiment, experiment_id)
        except StoreUnavailable as error:
            if not unreachable(error):
                raise
            try:
                return self._recalled(experiment_id, "id", error)
            except StoreUnavailable:
                if self.log.exists() and self._local_experiment(experiment_id):
                    return self.local.get_experiment(experiment_id)
                raise error from None

    def get_experiment_by_name(self, name: str) -> Experiment:
        """One experiment by name; while MLflow is unreachable, as last seen."""
        try:
            return self._experiment_call(self.remote.get_experiment_by_name, name)
        except StoreUnavailable as error:
            if not unreachable(error):
                raise
            return self._recalled(name, "name", error)

    def list_experiments(self, view: ViewType = "active") -> list[Experiment]:
        """MLflow's experiments."""
        with self.remote.rest.bounded(PANEL_TIMEOUT):
            experiments = self.remote.list_experiments(view)
        self._remember(experiments)
        return experiments

    def update_experiment(
        self, experiment_id: str, name: str | None = None, description: str | None = None
    ) -> Experiment:
        """Rename or re-describe an experiment on MLflow."""
        return self._experiment_call(
            self.remote.update_experiment, experiment_id, name, description
        )

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment on MLflow."""
        self.remote.delete_experiment(experiment_id)

    def _local_experiment(self, experiment_id: str) -> Experiment | None:
        try:
            return self.local.get_experiment(experiment_id)
        except NotFound:
            return None

    def _server_experiment(self, experiment_id: str) -> str:
        """An id MLflow knows: a local experiment (handed out while the server was down)
        becomes the server's experiment of the same name."""
        if not self.log.exists() or self._recall(experiment_id) is not None:
            return experiment_id
        local = self._local_experiment(experiment_id)
        if local is None:
            return experiment_id
        return self.remote.get_or_create_experiment(local.name, local.notebook_path).id

    def _experiment_of(self, experiment_id: str) -> tuple[str, str | None]:
        """The name of a run's experiment and its MLflow id (None: only local so far)."""
        row = self._recall(experiment_id)
        if row is not None:
            self.log.remember_experiments([row])  # for a process that starts while it is down
            return row[1], row[0]
        local = self._local_experiment(experiment_id)
        if local is None:
            raise StoreUnavailable(
                f"the MLflow tracking server at {self.remote.rest.shown_url} cannot be reached "
                f"and experiment {experiment_id!r} was never seen here, so the run cannot be "
                "kept for later; name the experiment (get_or_create_experiment) instead"
            )
        remembered = self._recall(local.name, "name")
        return local.name, None if remembered is None else remembered[0]
