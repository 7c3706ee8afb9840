"""Our data model ↔ MLflow's: which tags hold which run fields, and JSON to dataclasses.

MLflow's own system tags carry what MLflow has a place for (``mlflow.runName``,
``mlflow.user``, ``mlflow.source.name`` = notebook path, ``mlflow.source.git.commit``,
``mlflow.note.content`` = note, ``mlflow.parentRunId``), so our runs look right in the MLflow
UI; everything else sits under the ``jupyterlab_runs.`` prefix. Param types and param/metric
sources live in JSON tags, and only where they differ from what a plain ``mlflow`` run implies
(type inferred from the text, source ``explicit``), so most runs carry none.
"""

from __future__ import annotations

import hashlib
import json
import math
import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..base import (
    MAX_TAG_VALUE_LENGTH,
    Experiment,
    InvalidArgument,
    MetricInput,
    MetricSummary,
    Param,
    Run,
)
from ..values import CheckedRun, json_float, truncate

PREFIX = "jupyterlab_runs."
TAG_VERSION = PREFIX + "version"
# The version zero-padded, so MLflow's text sort of the tag orders runs by version and an
# equality search finds v7 without reading the ledger.
TAG_VERSION_ORDER = PREFIX + "version_order"
TAG_SOURCE = PREFIX + "source"
TAG_NOTEBOOK = PREFIX + "notebook_path"
TAG_CELL = PREFIX + "cell_id"
TAG_EXECUTION_COUNT = PREFIX + "execution_count"
TAG_KERNEL = PREFIX + "kernel_name"
TAG_LANGUAGE = PREFIX + "language"
TAG_CODE = PREFIX + "code"
TAG_CODE_HASH = PREFIX + "code_hash"
TAG_ERROR = PREFIX + "error"
TAG_CONTEXT = PREFIX + "context"
TAG_PARAM_META = PREFIX + "params"
TAG_METRIC_META = PREFIX + "metrics"
TAG_DELETED = PREFIX + "deleted_time"
TAG_IMPORTED_FROM = PREFIX + "imported_from"
# The outbox's idempotency key: sent with runs/create, so a delivery cut short after the
# create finds its run instead of making a second one (store/outbox/delivery.py).
TAG_OUTBOX_ID = PREFIX + "outbox_id"
RUN_NAME = "mlflow.runName"
USER = "mlflow.user"
SOURCE_NAME = "mlflow.source.name"
SOURCE_TYPE = "mlflow.source.type"
GIT_COMMIT = "mlflow.source.git.commit"
NOTE = "mlflow.note.content"
PARENT = "mlflow.parentRunId"
CODE_ARTIFACT = "jupyterlab_runs/code.py"
CONTEXT_ARTIFACT = "jupyterlab_runs/context.json"
ARTIFACT_MARK = "@artifact:"

# Tags that become run fields; other jupyterlab_runs.* tags (imported_from) stay visible.
_FIELD_TAGS = {
    TAG_VERSION,
    TAG_VERSION_ORDER,
    TAG_SOURCE,
    TAG_NOTEBOOK,
    TAG_CELL,
    TAG_EXECUTION_COUNT,
    TAG_KERNEL,
    TAG_LANGUAGE,
    TAG_CODE,
    TAG_CODE_HASH,
    TAG_ERROR,
    TAG_CONTEXT,
    TAG_DELETED,
    TAG_OUTBOX_ID,
}
_META = re.compile(rf"^{re.escape(PREFIX)}(params|metrics)(\.\d+)?$")
_MLFLOW_NAME = re.compile(r"^[/\w.\- :]*$")
_INT = re.compile(r"[+-]?\d+")
# MLflow's SQL stores keep ±Inf as ±DBL_MAX.
_DBL_MAX = 1.7976931348623157e308
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def check_mlflow_key(key: str, what: str) -> str:
    """``key`` if MLflow accepts it as a param, metric or tag name, else InvalidArgument."""
    normalized = posixpath.normpath(key)
    if not _MLFLOW_NAME.match(key) or normalized != key or normalized.startswith(("..", "/")):
        raise InvalidArgument(
            f"{what} {key!r} is not a valid MLflow name: names may only contain letters, digits, "
            "underscores, dashes, periods, spaces, colons and slashes, and must not look like "
            "a path with '.', '..', '//' or a leading or trailing '/'"
        )
    return key


def infer_type(text: str) -> str:
    """The type a plain MLflow param's text most likely had (MLflow keeps only ``str(value)``)."""
    if text in ("True", "False"):
        return "bool"
    if text == "None":
        return "none"
    if _INT.fullmatch(text):
        return "int"
    try:
        float(text)
        return "float"
    except ValueError:
        pass
    if text[:1] in "[{":
        try:
            json.loads(text)
            return "json"
        except ValueError:
            pass
    return "str"


def metric_value(value: Any) -> float:
    """A metric value as MLflow's JSON spells it, back to a float (±DBL_MAX is ±Inf)."""
    number = _SPECIAL[value] if isinstance(value, str) else float(value)
    if abs(number) == _DBL_MAX:
        return math.copysign(math.inf, number)
    return number


def metric_json(point: MetricInput) -> dict[str, Any]:
    """One metric point as log-batch takes it (NaN and ±Inf as protobuf JSON strings)."""
    return {
        "key": point.key,
        "value": json_float(point.value),
        "timestamp": point.timestamp,
        "step": point.step,
    }


def tags_of(entity: Mapping[str, Any]) -> dict[str, str]:
    """The ``[{key, value}]`` tag list of an MLflow run's data or experiment as a dict."""
    return {tag["key"]: tag.get("value", "") for tag in entity.get("tags", [])}


def read_meta(tags: Mapping[str, str], name: str) -> dict[str, Any]:
    """The merged JSON object of the meta tags ``jupyterlab_runs.<name>[.N]``."""
    merged: dict[str, Any] = {}
    for key, value in tags.items():
        match = _META.match(key)
        if match and match.group(1) == name:
            try:
                chunk = json.loads(value)
            except ValueError:
                continue  # a hand-edited tag; its entries fall back to defaults
            if isinstance(chunk, dict):
                merged.update(chunk)
    return merged


def meta_tags(name: str, entries: Mapping[str, Any]) -> dict[str, str]:
    """``entries`` as JSON tags ``jupyterlab_runs.<name>``, ``.2``, … each within MLflow's limit."""
    tags: dict[str, str] = {}
    chunk: dict[str, Any] = {}
    for key, value in entries.items():
        if chunk and len(json.dumps({**chunk, key: value})) > MAX_TAG_VALUE_LENGTH:
            tags[_meta_key(name, len(tags))] = json.dumps(chunk)
            chunk = {}
        chunk[key] = value
    if chunk:
        tags[_meta_key(name, len(tags))] = json.dumps(chunk)
    return tags


def _meta_key(name: str, index: int) -> str:
    return PREFIX + name + ("" if index == 0 else f".{index + 1}")


def param_meta(params: Iterable[Param]) -> dict[str, list[str]]:
    """``{key: [type, source]}`` for params whose type or source a plain run would not imply."""
    return {
        p.key: [p.type, p.source]
        for p in params
        if p.type != infer_type(p.value) or p.source != "explicit"
    }


def metric_meta(points: Iterable[MetricInput]) -> dict[str, str]:
    """``{key: source}`` for metrics whose source is not ``explicit`` (the last point wins)."""
    return {p.key: p.source for p in points if p.source != "explicit"}


def code_hash(code: str) -> str:
    """The sha256 of a run's code, as the embedded store computes it."""
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def run_tags(checked: CheckedRun) -> dict[str, str]:
    """Every tag of a new run except its version and name (known once the version is claimed)."""
    new = checked.run
    fields = {
        USER: new.user,
        SOURCE_NAME: new.notebook_path,
        SOURCE_TYPE: "NOTEBOOK" if new.notebook_path else None,
        GIT_COMMIT: new.git_commit,
        NOTE: truncate(new.note, MAX_TAG_VALUE_LENGTH) if new.note else None,
        PARENT: new.parent_run_id,
        TAG_SOURCE: new.source,
        TAG_NOTEBOOK: new.notebook_path,
        TAG_CELL: new.cell_id,
        TAG_EXECUTION_COUNT: None if new.execution_count is None else str(new.execution_count),
        TAG_KERNEL: new.kernel_name,
        TAG_LANGUAGE: new.language,
        TAG_CODE: truncate(new.code, MAX_TAG_VALUE_LENGTH) if new.code else None,
        TAG_CODE_HASH: checked.code_hash,
        TAG_ERROR: None if new.error is None else error_tag(new.error),
        TAG_CONTEXT: context_tag(new.context) if new.context else None,
    }
    tags = {key: value for key, value in fields.items() if value is not None}
    tags.update(meta_tags("params", param_meta(checked.params)))
    tags.update(meta_tags("metrics", metric_meta(checked.metrics)))
    tags.update(checked.tags)
    return {key: truncate(value, MAX_TAG_VALUE_LENGTH) for key, value in tags.items()}


def error_tag(error: Mapping[str, str]) -> str:
    """A run's error as a JSON tag, its message shortened until the JSON fits."""
    name, message = error.get("name", ""), error.get("message", "")
    text = json.dumps({"name": name, "message": message}, ensure_ascii=False)
    while len(text) > MAX_TAG_VALUE_LENGTH:
        message = truncate(message, len(message) - (len(text) - MAX_TAG_VALUE_LENGTH) - 20)
        text = json.dumps({"name": name[:500], "message": message}, ensure_ascii=False)
    return text


def context_tag(context: Mapping[str, Any]) -> str:
    """The context as a JSON tag, or a pointer to its artifact when it is too long for one."""
    text = json.dumps(context, ensure_ascii=False)
    return text if len(text) <= MAX_TAG_VALUE_LENGTH else ARTIFACT_MARK + CONTEXT_ARTIFACT


def _json_tag(text: str | None, default: Any) -> Any:
    if not text or text.startswith(ARTIFACT_MARK):
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _int_tag(text: str | None) -> int | None:
    return int(text) if text and _INT.fullmatch(text) else None


def version_order(version: int) -> str:
    """The value of a run's TAG_VERSION_ORDER tag: its version, zero-padded."""
    return f"{version:012d}"


def version_tags(version: int) -> dict[str, str]:
    """The tags that show and index a claimed version."""
    return {TAG_VERSION: str(version), TAG_VERSION_ORDER: version_order(version)}


def run_version(run: Mapping[str, Any]) -> int | None:
    """The version a run's tag records, if it has one."""
    for tag in run.get("data", {}).get("tags", []):
        if tag["key"] == TAG_VERSION:
            return _int_tag(tag.get("value"))
    return None


def run_from_mlflow(run: Mapping[str, Any], version: int) -> Run:
    """Our Run for an MLflow run (REST JSON); plain MLflow runs get sensible defaults."""
    info, data = run["info"], run.get("data", {})
    tags = tags_of(data)
    start_time = int(info.get("start_time") or 0)
    end_time = None if info.get("end_time") is None else int(info["end_time"])
    deleted_time = None
    if info.get("lifecycle_stage") == "deleted":
        deleted_time = _int_tag(tags.get(TAG_DELETED)) or end_time or start_time
    notebook_path = tags.get(TAG_NOTEBOOK)
    if notebook_path is None and tags.get(SOURCE_TYPE) == "NOTEBOOK":
        notebook_path = tags.get(SOURCE_NAME)
    status = info.get("status", "FINISHED")
    return Run(
        id=info["run_id"],
        experiment_id=info["experiment_id"],
        version=version,
        name=info.get("run_name") or tags.get(RUN_NAME) or f"v{version}",
        status="RUNNING" if status == "SCHEDULED" else status,
        source=tags.get(TAG_SOURCE, "import"),
        start_time=start_time,
        end_time=end_time,
        notebook_path=notebook_path,
        cell_id=tags.get(TAG_CELL),
        execution_count=_int_tag(tags.get(TAG_EXECUTION_COUNT)),
        kernel_name=tags.get(TAG_KERNEL),
        language=tags.get(TAG_LANGUAGE),
        code=tags.get(TAG_CODE, ""),
        code_hash=tags.get(TAG_CODE_HASH) or code_hash(""),
        git_commit=tags.get(GIT_COMMIT),
        user=tags.get(USER) or info.get("user_id") or None,
        note=tags.get(NOTE, ""),
        parent_run_id=tags.get(PARENT),
        deleted_time=deleted_time,
        error=_json_tag(tags.get(TAG_ERROR), None),
        context=_json_tag(tags.get(TAG_CONTEXT), {}),
        params=_params(data, tags),
        metrics=_metrics(data, tags),
        tags={k: v for k, v in tags.items() if not hidden_tag(k)},
    )


def hidden_tag(key: str) -> bool:
    """Whether a tag is MLflow's or holds one of our fields, so is not a user tag."""
    return key.startswith("mlflow.") or key in _FIELD_TAGS or bool(_META.match(key))


def _params(data: Mapping[str, Any], tags: Mapping[str, str]) -> dict[str, Param]:
    meta = read_meta(tags, "params")
    params = {}
    for item in data.get("params", []):
        key, value = item["key"], item.get("value", "")
        type_, source = meta.get(key) or (infer_type(value), "explicit")
        params[key] = Param(key, value, type_, source)
    return params


def _metrics(data: Mapping[str, Any], tags: Mapping[str, str]) -> dict[str, MetricSummary]:
    """Latest values as summaries; searches return no history, so min = max = the value."""
    meta = read_meta(tags, "metrics")
    metrics = {}
    for item in data.get("metrics", []):
        key, value = item["key"], metric_value(item.get("value", 0.0))
        step, timestamp = int(item.get("step", 0)), int(item.get("timestamp", 0))
        source = meta.get(key, "explicit")
        metrics[key] = MetricSummary(key, value, step, timestamp, value, value, 1, source)
    return metrics


def experiment_from_mlflow(experiment: Mapping[str, Any], run_count: int = 0) -> Experiment:
    """Our Experiment for an MLflow experiment (REST JSON)."""
    tags = tags_of(experiment)
    deleted = experiment.get("lifecycle_stage") == "deleted"
    return Experiment(
        id=experiment["experiment_id"],
        name=experiment["name"],
        created=int(experiment.get("creation_time") or 0),
        notebook_path=tags.get(TAG_NOTEBOOK),
        description=tags.get(NOTE, ""),
        deleted_time=int(experiment.get("last_update_time") or 0) if deleted else None,
        run_count=run_count,
    )
