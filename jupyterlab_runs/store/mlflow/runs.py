"""The run half of MlflowStore: creating, reading, changing and deleting one run."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..base import (
    MAX_TAG_VALUE_LENGTH,
    STATUSES,
    Conflict,
    InvalidArgument,
    MetricInput,
    MetricPoint,
    NewRun,
    NotFound,
    Param,
    ParamInput,
    Run,
    StoreError,
    StoreUnavailable,
    in_steps,
)
from ..sqlite.writes import created_run
from ..values import (
    check_error,
    check_new_run,
    check_status,
    check_update_arguments,
    normalize_tags,
    now_ms,
    optional_int,
    summarize_metrics,
    truncate,
    unique_params,
    unique_points,
)
from . import artifacts as mlflow_artifacts
from .batch import log_batches
from .mapping import (
    ARTIFACT_MARK,
    CODE_ARTIFACT,
    CONTEXT_ARTIFACT,
    GIT_COMMIT,
    NOTE,
    PARENT,
    RUN_NAME,
    SOURCE_NAME,
    SOURCE_TYPE,
    TAG_CODE_HASH,
    TAG_CONTEXT,
    TAG_DELETED,
    TAG_ERROR,
    TAG_OUTBOX_ID,
    USER,
    check_mlflow_key,
    code_hash,
    error_tag,
    hidden_tag,
    meta_tags,
    metric_json,
    metric_value,
    param_meta,
    read_meta,
    run_from_mlflow,
    run_tags,
    tags_of,
    version_tags,
)
from .rest import RestClient
from .versions import VersionLedger

# Tags MLflow's UI reads at once, and the outbox's idempotency key: sent with runs/create,
# the rest follow in log-batch.
_CREATE_TAGS = (USER, SOURCE_NAME, SOURCE_TYPE, GIT_COMMIT, PARENT, TAG_OUTBOX_ID)
HISTORY_PAGE = 25_000


def check_mlflow_keys(
    params: Iterable[Param], points: Iterable[MetricInput], tags: Iterable[str]
) -> None:
    """InvalidArgument, before anything is written, for a key MLflow would refuse."""
    for param in params:
        check_mlflow_key(param.key, "param key")
    for point in points:
        check_mlflow_key(point.key, "metric key")
    for key in tags:
        check_mlflow_key(key, "tag key")


class RunMethods:
    """RunStore's single-run methods; mixed into MlflowStore, which provides ``_run_json``,
    ``_experiment_json``, ``_versions``, ``_find_version`` and ``_changed``."""

    rest: RestClient
    ledger: VersionLedger

    def _post_batches(self, run_id: str, params=(), metrics=(), tags=None) -> None:
        for body in log_batches(run_id, params, metrics, tags):
            self.rest.post("runs/log-batch", body)

    def create_run(self, run: NewRun) -> Run:
        """Create the MLflow run, claim its version, then log everything in batches."""
        checked = check_new_run(run)
        new = checked.run
        check_mlflow_keys(checked.params, checked.metrics, checked.tags)
        experiment_id = new.experiment_id
        if new.parent_run_id is not None:
            try:
                self._run_json(new.parent_run_id)
            except NotFound:
                raise NotFound(f"no parent run with id {new.parent_run_id!r}") from None
        tags = run_tags(checked)
        body = {
            "experiment_id": experiment_id,
            "run_name": new.name or self.ledger.provisional_name(experiment_id),
            "start_time": new.start_time,
            "user_id": new.user or "",
            "tags": [{"key": k, "value": tags[k]} for k in _CREATE_TAGS if k in tags],
        }
        try:
            info = self.rest.post("runs/create", body)["run"]["info"]
        except (NotFound, InvalidArgument) as error:
            if isinstance(error, InvalidArgument) and "Invalid experiment ID" not in str(error):
                raise
            raise NotFound(f"no experiment with id {experiment_id!r}") from None
        run_id = info["run_id"]
        try:
            version = self.ledger.claim(experiment_id, [run_id])[run_id]
            tags.update(version_tags(version))
            if not new.name:
                tags[RUN_NAME] = f"v{version}"
            params = [{"key": p.key, "value": p.value} for p in checked.params]
            self._post_batches(run_id, params, [metric_json(p) for p in checked.metrics], tags)
            if new.status != "RUNNING":
                update = {"run_id": run_id, "status": new.status, "end_time": new.end_time}
                self.rest.post("runs/update", update)
            self._upload_fields(info["artifact_uri"], new.code, new.context, tags)
        except BaseException:
            try:
                self.rest.post("runs/delete", {"run_id": run_id})
            except StoreError:
                pass  # the original error is what matters
            raise
        self._changed("created", run_id, experiment_id)
        shown = {k: v for k, v in checked.tags.items() if not hidden_tag(k)}
        checked = dataclasses.replace(checked, tags=shown)
        return created_run(run_id, version, checked, summarize_metrics(checked.metrics))

    def _upload_fields(
        self, artifact_uri: str, code: str, context: Mapping[str, Any], tags: Mapping[str, str]
    ) -> None:
        """The code as ``jupyterlab_runs/code.py`` (the MLflow UI shows it), and the context
        when it is too long for its tag."""
        files = []
        if code:
            files.append((CODE_ARTIFACT, code.encode("utf-8", "surrogatepass")))
        if tags.get(TAG_CONTEXT, "").startswith(ARTIFACT_MARK):
            files.append((CONTEXT_ARTIFACT, json.dumps(context, ensure_ascii=False).encode()))
        for path, data in files:
            try:
                mlflow_artifacts.upload(self.rest, artifact_uri, path, data, None)
            except StoreUnavailable:
                if not artifact_uri.startswith("mlflow-artifacts:"):
                    continue  # no artifact proxy: the tags keep what fits
                raise

    def get_run(self, run_id: str) -> Run:
        """One run; code, context and metric summaries complete (artifacts and histories read)."""
        payload = self._run_json(run_id)
        run = run_from_mlflow(payload, self._versions([payload])[run_id])
        return self._complete(run, payload["info"]["artifact_uri"], tags_of(payload["data"]))

    def _complete(self, run: Run, artifact_uri: str, tags: Mapping[str, str]) -> Run:
        changes: dict[str, Any] = {}
        if TAG_CODE_HASH in tags and code_hash(run.code) != run.code_hash:
            data = self._artifact_or_none(artifact_uri, CODE_ARTIFACT)
            if data is not None:
                changes["code"] = data.decode("utf-8", "replace")
        if tags.get(TAG_CONTEXT, "").startswith(ARTIFACT_MARK):
            data = self._artifact_or_none(artifact_uri, CONTEXT_ARTIFACT)
            if data is not None:
                changes["context"] = json.loads(data)
        metrics = {}
        for key, latest in run.metrics.items():
            values = [p.value for p in self._history(run.id, key)]
            numbers = [v for v in values if not math.isnan(v)]
            metrics[key] = dataclasses.replace(
                latest,
                min=min(numbers) if numbers else math.nan,
                max=max(numbers) if numbers else math.nan,
                count=max(len(values), 1),
            )
        return dataclasses.replace(run, metrics=metrics, **changes)

    def _artifact_or_none(self, artifact_uri: str, path: str) -> bytes | None:
        try:
            return mlflow_artifacts.download(self.rest, artifact_uri, path)
        except (NotFound, StoreUnavailable):
            return None  # the tag's shortened copy is the best we have

    def get_run_by_version(self, experiment_id: str, version: int) -> Run:
        """One run by its version within an experiment (found by its tag, not by a scan)."""
        if not isinstance(version, int) or isinstance(version, bool):
            raise InvalidArgument(f"version must be an integer, got {version!r}")
        run_id = self._find_version(experiment_id, version)
        if run_id is None:
            raise NotFound(f"no run v{version} in experiment {experiment_id!r}")
        return self.get_run(run_id)

    def log_batch(
        self,
        run_id: str,
        params: Iterable[ParamInput] = (),
        metrics: Iterable[MetricInput] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Add params, points and tags; a param logged again with another value is a Conflict,
        checked before anything is written."""
        checked_params = unique_params(params)
        points = unique_points(metrics, now_ms())
        checked_tags = normalize_tags(tags)
        check_mlflow_keys(checked_params, points, checked_tags)
        current = self._run_json(run_id)
        logged = {p["key"]: p.get("value", "") for p in current["data"].get("params", [])}
        for param in checked_params:
            if logged.get(param.key, param.value) != param.value:
                raise Conflict(
                    f"param {param.key!r} is already {logged[param.key]!r}; params cannot change "
                    f"once logged (got {param.value!r})"
                )
        existing = tags_of(current["data"])
        new_params = [p for p in checked_params if p.key not in logged]
        types = {**read_meta(existing, "params"), **param_meta(new_params)}
        sources = read_meta(existing, "metrics")
        for point in points:
            sources.pop(point.key, None)
            if point.source != "explicit":
                sources[point.key] = point.source
        all_tags = {**checked_tags, **meta_tags("params", types), **meta_tags("metrics", sources)}
        all_tags = {k: v for k, v in all_tags.items() if existing.get(k) != v}
        params_json = [{"key": p.key, "value": p.value} for p in new_params]
        self._post_batches(run_id, params_json, [metric_json(p) for p in points], all_tags)
        self._changed("updated", run_id, current["info"]["experiment_id"])

    def end_run(
        self,
        run_id: str,
        status: str,
        end_time: int | None = None,
        error: Mapping[str, str] | None = None,
    ) -> Run:
        """Close a RUNNING run with its final status; ``Conflict`` if it has ended already."""
        status = check_status(status, [s for s in STATUSES if s != "RUNNING"])
        end_time = optional_int(end_time, "end_time")
        checked_error = check_error(error)
        current = self._run_json(run_id)
        if current["info"].get("status") != "RUNNING":
            raise Conflict(f"run {run_id} has ended already ({current['info'].get('status')})")
        if checked_error is not None:
            self._post_batches(run_id, tags={TAG_ERROR: error_tag(checked_error)})
        end_time = now_ms() if end_time is None else end_time
        self.rest.post("runs/update", {"run_id": run_id, "status": status, "end_time": end_time})
        self._changed("updated", run_id, current["info"]["experiment_id"])
        return self.get_run(run_id)

    def update_run(
        self,
        run_id: str,
        name: str | None = None,
        note: str | None = None,
        set_tags: Mapping[str, str] | None = None,
        delete_tags: Sequence[str] = (),
    ) -> Run:
        """Rename (``mlflow.runName``), annotate (``mlflow.note.content``) or re-tag a run."""
        update = check_update_arguments(name, note, set_tags, delete_tags)
        tags = dict(update.set_tags)
        check_mlflow_keys((), (), tags)
        current = self._run_json(run_id)
        if update.name is not None:
            tags[RUN_NAME] = update.name
        if update.note is not None:
            tags[NOTE] = truncate(update.note, MAX_TAG_VALUE_LENGTH)
        self._post_batches(run_id, tags=tags)
        present = set(tags_of(current["data"])) | set(tags)
        for key in dict.fromkeys(update.delete_tags):
            if key in present and not hidden_tag(key):
                self.rest.post("runs/delete-tag", {"run_id": run_id, "key": key})
        self._changed("updated", run_id, current["info"]["experiment_id"])
        return self.get_run(run_id)

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run (restorable); the time goes into a tag, as MLflow keeps none."""
        current = self._run_json(run_id)
        if current["info"].get("lifecycle_stage") == "deleted":
            return
        self.rest.post(
            "runs/set-tag", {"run_id": run_id, "key": TAG_DELETED, "value": str(now_ms())}
        )
        self.rest.post("runs/delete", {"run_id": run_id})
        self._changed("deleted", run_id, current["info"]["experiment_id"])

    def restore_run(self, run_id: str) -> Run:
        """Undo a soft delete."""
        current = self._run_json(run_id)
        if current["info"].get("lifecycle_stage") == "deleted":
            self.rest.post("runs/restore", {"run_id": run_id})
            self._changed("updated", run_id, current["info"]["experiment_id"])
        return self.get_run(run_id)

    def metric_history(
        self, run_id: str, key: str, steps: tuple[int, int] | None = None
    ) -> list[MetricPoint]:
        """Every point of one metric of one run, by step then timestamp (``steps``: a range)."""
        self._run_json(run_id)  # MLflow answers an unknown run's history with nothing
        return in_steps(self._history(run_id, key), steps)

    def _history(self, run_id: str, key: str) -> list[MetricPoint]:
        query: dict[str, Any] = {"run_id": run_id, "metric_key": key, "max_results": HISTORY_PAGE}
        points = []
        while True:
            reply = self.rest.get("metrics/get-history", **query)
            for item in reply.get("metrics", []):
                value = metric_value(item.get("value", 0.0))
                step, timestamp = int(item.get("step", 0)), int(item.get("timestamp", 0))
                points.append(MetricPoint(key, value, step, timestamp))
            if not reply.get("next_page_token"):
                return sorted(points, key=lambda p: (p.step, p.timestamp))
            query["page_token"] = reply["next_page_token"]
