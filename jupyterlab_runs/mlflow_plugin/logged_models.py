"""MLflow 3's logged models, kept with their source run.

A model's record is a JSON tag of its run (``jupyterlab_runs.mlflow.model.<model id>``) and
its files are artifacts of that run under the model's name, so ``mlflow.sklearn.log_model``
shows ``model/MLmodel``, ``model/model.pkl``… in the Runs panel. Its params are the run's,
plus those the model was logged with that the run does not hold (yet: autolog writes the run's
params in the background while it logs the model).
A model without a run has nowhere to live here and is refused.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from mlflow.entities import LoggedModel, LoggedModelStatus, LoggedModelTag
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST
from mlflow.store.entities.paged_list import PagedList
from mlflow.utils.search_utils import SearchLoggedModelsUtils

from ..store.base import MAX_RESULTS_LIMIT, MAX_TAG_VALUE_LENGTH
from ..store.values import now_ms
from . import entities
from .errors import translated, unsupported
from .locations import artifact_uri


def _model_tag(model_id: str) -> str:
    return entities.MODEL_TAG_PREFIX + model_id


class LoggedModels:
    """The logged-model half of the tracking store (mixed into ``JupyterLabRunsStore``)."""

    db_path: str
    _model_runs: dict[str, str]

    def _set_tag(self, run_id: str, key: str, value: Any) -> None:
        """Set one JSON tag on an MLflow run id (a cell's run keeps it in memory until saved)."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if len(text) > MAX_TAG_VALUE_LENGTH:
            raise unsupported(
                f"{key} of {len(text)} characters", f"the limit is {MAX_TAG_VALUE_LENGTH}"
            )
        active = self._cell(run_id)
        if active is not None:
            active.set_tag(key, text)
        else:
            self.store.update_run(self._run_id(run_id), set_tags={key: text})

    def _set_json_tag(self, run_id: str, key: str, entries: list[dict[str, Any]]) -> None:
        """Set a JSON list tag; bulky dataset schemas and profiles go first if it is too long."""
        if len(json.dumps(entries)) > MAX_TAG_VALUE_LENGTH:
            for entry in entries:
                entry["dataset"].update(schema=None, profile=None)
        self._set_tag(run_id, key, entries)

    def _find_model(self, model_id: str) -> tuple[str, dict[str, Any]]:
        """The MLflow run id holding model ``model_id`` and the model's record."""
        if not isinstance(model_id, str) or not model_id.startswith("m-"):
            raise MlflowException(f"no logged model with id {model_id!r}", RESOURCE_DOES_NOT_EXIST)
        key = _model_tag(model_id)
        run_id = self._model_runs.get(model_id)
        if run_id is None:
            page = self.store.search_runs([], filter=f"tags.`{key}` != ''", view="all")
            run_id = page.items[0].id if page.items else None
        if run_id is None:
            raise MlflowException(f"no logged model with id {model_id!r}", RESOURCE_DOES_NOT_EXIST)
        record = self._cell_tags(run_id).get(key)
        if record is None:
            raise MlflowException(f"no logged model with id {model_id!r}", RESOURCE_DOES_NOT_EXIST)
        return run_id, json.loads(record)

    def _cell_tags(self, run_id: str) -> dict[str, str]:
        active = self._cell(run_id)
        return active.tags if active is not None else self.store.get_run(self._run_id(run_id)).tags

    def _logged_model(self, model_id: str, run_id: str, record: dict[str, Any]) -> LoggedModel:
        run = self.get_run(run_id)
        return LoggedModel(
            experiment_id=run.info.experiment_id,
            model_id=model_id,
            name=record["name"],
            artifact_location=artifact_uri(self.db_path, run_id, record["path"]),
            creation_timestamp=record["created"],
            last_updated_timestamp=record.get("updated", record["created"]),
            model_type=record.get("model_type"),
            source_run_id=run_id,
            status=LoggedModelStatus(record.get("status", "PENDING")),
            tags=record.get("tags", {}),
            params={**run.data.params, **record.get("params", {})},
        )

    @translated
    def create_logged_model(
        self, experiment_id, name=None, source_run_id=None, tags=None, params=None, model_type=None
    ):
        """Record a model of ``source_run_id``; its files go under ``<name>/`` of the run."""
        if source_run_id is None:
            raise unsupported(
                "a logged model without a run", "log it inside mlflow.start_run() (or a cell run)"
            )
        run = self.get_run(source_run_id)
        taken = {
            json.loads(v)["path"]
            for k, v in self._cell_tags(source_run_id).items()
            if k.startswith(entities.MODEL_TAG_PREFIX)
        }
        name = name or "model"
        path, n = name, 1
        while path in taken:
            n += 1
            path = f"{name}-{n}"
        model_id = "m-" + uuid.uuid4().hex
        now = now_ms()
        record = {
            "name": name,
            "path": path,
            "created": now,
            "model_type": model_type,
            "status": str(LoggedModelStatus.PENDING),
            "tags": {t.key: t.value for t in tags or []},
        }
        differing = {p.key: p.value for p in params or [] if run.data.params.get(p.key) != p.value}
        if differing:
            record["params"] = differing
        self._set_tag(source_run_id, _model_tag(model_id), record)
        self._model_runs[model_id] = source_run_id
        return self._logged_model(model_id, source_run_id, record)

    @translated
    def get_logged_model(self, model_id, allow_deleted=False):
        """One logged model by id."""
        run_id, record = self._find_model(model_id)
        if record.get("deleted") and not allow_deleted:
            raise MlflowException(f"logged model {model_id} is deleted", RESOURCE_DOES_NOT_EXIST)
        return self._logged_model(model_id, run_id, record)

    def _update_model(self, model_id: str, **changes: Any) -> LoggedModel:
        run_id, record = self._find_model(model_id)
        record.update(changes, updated=now_ms())
        self._set_tag(run_id, _model_tag(model_id), record)
        return self._logged_model(model_id, run_id, record)

    @translated
    def finalize_logged_model(self, model_id, status):
        """Mark a model READY (or FAILED)."""
        return self._update_model(model_id, status=str(LoggedModelStatus(status)))

    @translated
    def set_logged_model_tags(self, model_id, tags: list[LoggedModelTag]):
        """Add or replace tags of a model."""
        _, record = self._find_model(model_id)
        self._update_model(model_id, tags={**record["tags"], **{t.key: t.value for t in tags}})

    @translated
    def delete_logged_model_tag(self, model_id, key):
        """Remove one tag of a model."""
        _, record = self._find_model(model_id)
        if key not in record["tags"]:
            raise MlflowException(f"model {model_id} has no tag {key!r}", RESOURCE_DOES_NOT_EXIST)
        self._update_model(model_id, tags={k: v for k, v in record["tags"].items() if k != key})

    @translated
    def delete_logged_model(self, model_id):
        """Soft-delete a model (its files stay with the run)."""
        self._update_model(model_id, deleted=True)

    @translated
    def log_outputs(self, run_id, models):
        """A run produced these models (at a step): recorded in each model's record."""
        for output in models:
            found_run, _ = self._find_model(output.model_id)
            if found_run != run_id and self._run_id(found_run) != self._run_id(run_id):
                raise unsupported(
                    "a model as the output of a run other than its source run",
                    f"model {output.model_id} belongs to run {found_run}",
                )
            self._update_model(output.model_id, step=output.step)

    @translated
    def search_logged_models(
        self,
        experiment_ids,
        filter_string=None,
        datasets=None,
        max_results=None,
        order_by=None,
        page_token=None,
    ):
        """The models of runs in these experiments, filtered, sorted and paged by MLflow's own
        search utilities (as its file store does)."""
        found = []
        for run in self.store.search_runs(
            [self._experiment_id(e) for e in experiment_ids], max_results=MAX_RESULTS_LIMIT
        ).items:
            for key, value in run.tags.items():
                record = json.loads(value) if key.startswith(entities.MODEL_TAG_PREFIX) else None
                if record and not record.get("deleted"):
                    model_id = key[len(entities.MODEL_TAG_PREFIX) :]
                    found.append(self._logged_model(model_id, run.id, record))
        found = SearchLoggedModelsUtils.filter_logged_models(found, filter_string, datasets)
        found = SearchLoggedModelsUtils.sort(found, order_by)
        page, token = SearchLoggedModelsUtils.paginate(found, page_token, max_results or 100)
        return PagedList(page, token)
