"""The experiment half of MlflowStore: MLflow experiments, with notebook path and description
as experiment tags (``mlflow.note.content`` is the description the MLflow UI shows).

``run_count`` stays 0: MLflow cannot count runs without fetching them all.
"""

from __future__ import annotations

from typing import Any

from ..base import (
    MAX_CODE_LENGTH,
    VIEWS,
    Conflict,
    Experiment,
    InvalidArgument,
    NotFound,
    StoreError,
    ViewType,
)
from ..values import check_name, optional_text, truncate
from .changes import ChangeFeed
from .mapping import NOTE, TAG_NOTEBOOK, experiment_from_mlflow, tags_of
from .rest import RestClient
from .search import RUN_VIEWS
from .versions import LEDGER_EXPERIMENT

MAX_EXPERIMENT_TAG_LENGTH = 20_000  # mlflow/utils/validation.py MAX_EXPERIMENT_TAG_VAL_LENGTH


def internal(experiment: dict[str, Any]) -> bool:
    """Whether an MLflow experiment is one of our version-ledger experiments."""
    return experiment["name"].startswith(LEDGER_EXPERIMENT)


class ExperimentMethods:
    """RunStore's experiment methods over ``self.rest``; mixed into MlflowStore."""

    rest: RestClient
    feed: ChangeFeed

    def _experiment_json(self, experiment_id: str) -> dict[str, Any]:
        try:
            experiment = self.rest.get("experiments/get", experiment_id=experiment_id)
        except (NotFound, InvalidArgument):  # MLflow ids are integers; others are just absent
            raise NotFound(f"no experiment with id {experiment_id!r}") from None
        if internal(experiment["experiment"]):
            raise NotFound(f"no experiment with id {experiment_id!r}")
        return experiment["experiment"]

    def _experiment_named(self, name: str) -> dict[str, Any]:
        found = self.rest.get("experiments/get-by-name", experiment_name=name)["experiment"]
        if internal(found):
            raise NotFound(f"no experiment named {name!r}")
        return found

    def create_experiment(
        self, name: str, notebook_path: str | None = None, description: str = ""
    ) -> Experiment:
        """Create an experiment; ``Conflict`` if the name is taken (deleted ones included)."""
        name = check_name(name, "experiment name")
        notebook_path = optional_text(notebook_path, "notebook_path")
        description = optional_text(description, "description", MAX_CODE_LENGTH) or ""
        if name.startswith(LEDGER_EXPERIMENT):
            raise InvalidArgument(f"the experiment name {name!r} is reserved for jupyterlab-runs")
        tags = {TAG_NOTEBOOK: notebook_path, NOTE: description or None}
        body = {
            "name": name,
            "tags": [
                {"key": key, "value": truncate(value, MAX_EXPERIMENT_TAG_LENGTH)}
                for key, value in tags.items()
                if value is not None
            ],
        }
        try:
            experiment_id = self.rest.post("experiments/create", body)["experiment_id"]
        except Conflict:
            raise Conflict(f"an experiment named {name!r} already exists") from None
        self.feed.record("experiment", "created", experiment_id, experiment_id)
        return self.get_experiment(experiment_id)

    def get_or_create_experiment(self, name: str, notebook_path: str | None = None) -> Experiment:
        """The experiment with this name, created (or restored, if deleted) when needed."""
        name = check_name(name, "experiment name")
        try:
            found = self._experiment_named(name)
        except NotFound:
            try:
                return self.create_experiment(name, notebook_path)
            except Conflict:  # another writer created it meanwhile
                found = self._experiment_named(name)
        if found.get("lifecycle_stage") == "deleted":
            self.rest.post("experiments/restore", {"experiment_id": found["experiment_id"]})
            self.feed.record(
                "experiment", "updated", found["experiment_id"], found["experiment_id"]
            )
            found = self._experiment_json(found["experiment_id"])
        return experiment_from_mlflow(found)

    def get_experiment(self, experiment_id: str) -> Experiment:
        """One experiment by id; ``NotFound`` if absent."""
        return experiment_from_mlflow(self._experiment_json(experiment_id))

    def get_experiment_by_name(self, name: str) -> Experiment:
        """One experiment by name; ``NotFound`` if absent."""
        try:
            return experiment_from_mlflow(self._experiment_named(name))
        except NotFound:
            raise NotFound(f"no experiment named {name!r}") from None

    def experiments_json(self, view: str = "all") -> list[dict[str, Any]]:
        """Every MLflow experiment in the view except ours, as the server returns them."""
        body: dict[str, Any] = {
            "view_type": RUN_VIEWS[view],
            "max_results": 1000,
            "order_by": ["creation_time DESC"],
        }
        found = []
        while True:
            reply = self.rest.post("experiments/search", body)
            found += [e for e in reply.get("experiments", []) if not internal(e)]
            if not reply.get("next_page_token"):
                return found
            body["page_token"] = reply["next_page_token"]

    def list_experiments(self, view: ViewType = "active") -> list[Experiment]:
        """All experiments, most recently created first."""
        if view not in VIEWS:
            raise InvalidArgument(f"view must be one of active, deleted, all, got {view!r}")
        experiments = [experiment_from_mlflow(e) for e in self.experiments_json(view)]
        experiments.sort(key=lambda e: (e.created, e.id.zfill(20)), reverse=True)
        return experiments

    def update_experiment(
        self, experiment_id: str, name: str | None = None, description: str | None = None
    ) -> Experiment:
        """Rename or re-describe an experiment; ``Conflict`` if the new name is taken."""
        name = None if name is None else check_name(name, "experiment name")
        description = optional_text(description, "description", MAX_CODE_LENGTH)
        current = self._experiment_json(experiment_id)
        if name is not None and name != current["name"]:
            try:
                self._experiment_named(name)
                taken = True
            except NotFound:
                taken = name.startswith(LEDGER_EXPERIMENT)
            if taken:
                raise Conflict(f"an experiment named {name!r} already exists")
            try:
                self.rest.post(
                    "experiments/update", {"experiment_id": experiment_id, "new_name": name}
                )
            except InvalidArgument as error:  # a concurrent rename took the name first
                if "UNIQUE" not in str(error):
                    raise
                raise Conflict(f"an experiment named {name!r} already exists") from None
        if description is not None and description != tags_of(current).get(NOTE, ""):
            self.rest.post(
                "experiments/set-experiment-tag",
                {
                    "experiment_id": experiment_id,
                    "key": NOTE,
                    "value": truncate(description, MAX_EXPERIMENT_TAG_LENGTH),
                },
            )
        self.feed.record("experiment", "updated", experiment_id, experiment_id)
        return self.get_experiment(experiment_id)

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment; MLflow soft-deletes its runs with it."""
        current = self._experiment_json(experiment_id)
        if current.get("lifecycle_stage") == "deleted":
            return
        try:
            self.rest.post("experiments/delete", {"experiment_id": experiment_id})
        except StoreError:
            if self._experiment_json(experiment_id).get("lifecycle_stage") != "deleted":
                raise
        self.feed.record("experiment", "deleted", experiment_id, experiment_id)
