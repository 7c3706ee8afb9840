"""Our runs and experiments as MLflow entities: our fields become MLflow's system tags
(run name, user, notebook as source name, git commit, note, parent) or ``jupyterlab_runs.*``."""

from __future__ import annotations

import json
from typing import Any

from mlflow.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    ExperimentTag,
    InputTag,
    LifecycleStage,
    LoggedModelOutput,
    Metric,
    Param,
    RunData,
    RunInfo,
    RunInputs,
    RunOutputs,
    RunTag,
)
from mlflow.entities import Run as MlflowRun
from mlflow.utils.mlflow_tags import (
    MLFLOW_GIT_COMMIT,
    MLFLOW_PARENT_RUN_ID,
    MLFLOW_RUN_NAME,
    MLFLOW_RUN_NOTE,
    MLFLOW_SOURCE_NAME,
    MLFLOW_USER,
)

from .. import store as s
from .locations import artifact_uri

PREFIX = "jupyterlab_runs."
DATASETS_TAG = PREFIX + "mlflow.datasets"
MODEL_TAG_PREFIX = PREFIX + "mlflow.model."
NOTEBOOK_TAG = PREFIX + "notebook_path"
# Run fields shown to MLflow as tags (the same names the MLflow backend writes).
_FIELD_TAGS = {
    "version": PREFIX + "version",
    "source": PREFIX + "source",
    "cell_id": PREFIX + "cell_id",
    "execution_count": PREFIX + "execution_count",
    "kernel_name": PREFIX + "kernel_name",
    "language": PREFIX + "language",
    "notebook_path": NOTEBOOK_TAG,
}


def lifecycle(deleted_time: int | None) -> str:
    """MLflow's lifecycle stage of something soft-deleted at ``deleted_time`` (or not)."""
    return LifecycleStage.ACTIVE if deleted_time is None else LifecycleStage.DELETED


def experiment(exp: s.Experiment, artifact_root: str) -> Experiment:
    """An MLflow experiment; notebook path and description as tags."""
    tags = {}
    if exp.description:
        tags[MLFLOW_RUN_NOTE] = exp.description
    if exp.notebook_path:
        tags[NOTEBOOK_TAG] = exp.notebook_path
    return Experiment(
        experiment_id=exp.id,
        name=exp.name,
        artifact_location=artifact_root,
        lifecycle_stage=lifecycle(exp.deleted_time),
        tags=[ExperimentTag(k, v) for k, v in tags.items()],
        creation_time=exp.created,
        last_update_time=exp.created,
    )


def field_tags(run: s.Run) -> dict[str, str]:
    """Our run fields as MLflow tags."""
    tags = {MLFLOW_RUN_NAME: run.name}
    system = {
        MLFLOW_USER: run.user,
        MLFLOW_SOURCE_NAME: run.notebook_path,
        MLFLOW_GIT_COMMIT: run.git_commit,
        MLFLOW_RUN_NOTE: run.note or None,
        MLFLOW_PARENT_RUN_ID: run.parent_run_id,
    }
    tags.update({k: v for k, v in system.items() if v is not None})
    for field, tag in _FIELD_TAGS.items():
        value = getattr(run, field)
        if value is not None and (field != "version" or value):  # 0: a cell run not saved yet
            tags[tag] = str(value)
    return tags


def _datasets(text: str | None) -> list[DatasetInput]:
    inputs = []
    for entry in json.loads(text) if text else []:
        dataset = Dataset(**entry["dataset"])
        tags = [InputTag(k, v) for k, v in entry.get("tags", {}).items()]
        inputs.append(DatasetInput(dataset, tags))
    return inputs


def _outputs(tags: dict[str, str]) -> list[LoggedModelOutput]:
    outputs = []
    for key, value in tags.items():
        if key.startswith(MODEL_TAG_PREFIX):
            model = json.loads(value)
            outputs.append(LoggedModelOutput(key[len(MODEL_TAG_PREFIX) :], model.get("step", 0)))
    return outputs


def run(stored: s.Run, db_path: str, run_id: str | None = None) -> MlflowRun:
    """An MLflow run: latest metric values, params as text, our fields as tags.

    ``run_id`` replaces the stored id (a cell's run seen by MLflow before it is saved)."""
    run_id = run_id or stored.id
    own = {k: v for k, v in stored.tags.items() if k != DATASETS_TAG}
    tags = {**{k: v for k, v in own.items() if not k.startswith(MODEL_TAG_PREFIX)}}
    tags.update(field_tags(stored))
    metrics = [
        Metric(m.key, m.value, m.timestamp, m.step, run_id=run_id) for m in stored.metrics.values()
    ]
    info = RunInfo(
        run_id=run_id,
        experiment_id=stored.experiment_id,
        user_id=stored.user or "",
        status=stored.status,
        start_time=stored.start_time,
        end_time=stored.end_time,
        lifecycle_stage=lifecycle(stored.deleted_time),
        artifact_uri=artifact_uri(db_path, run_id),
        run_name=stored.name,
    )
    data = RunData(
        metrics=metrics,
        params=[Param(p.key, p.value) for p in stored.params.values()],
        tags=[RunTag(k, v) for k, v in tags.items()],
    )
    inputs = RunInputs(dataset_inputs=_datasets(stored.tags.get(DATASETS_TAG)), model_inputs=[])
    return MlflowRun(info, data, inputs, RunOutputs(_outputs(stored.tags)))


def dataset_entry(dataset_input: DatasetInput) -> dict[str, Any]:
    """One dataset input as JSON (what ``DATASETS_TAG`` keeps)."""
    d = dataset_input.dataset
    dataset = {
        "name": d.name,
        "digest": d.digest,
        "source_type": d.source_type,
        "source": d.source,
        "schema": d.schema,
        "profile": d.profile,
    }
    return {"dataset": dataset, "tags": {t.key: t.value for t in dataset_input.tags}}
