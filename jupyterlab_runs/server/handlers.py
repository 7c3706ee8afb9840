"""REST handlers under ``<base_url>/jupyterlab-runs/api/`` (DESIGN §5).

Handlers stay thin: parse the request, call the store off the event loop, serialize.
Every verb is ``@tornado.web.authenticated`` and ``@authorized`` on the
``jupyterlab_runs`` resource (read for GET, write for the rest).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import orjson
import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from ..gitinfo import head_commit
from ..identity import person
from ..store import InvalidArgument, RunStore, StoreError, serialize
from ..store.redact import redact
from ..store.values import MAX_EXPERIMENT_IDS
from . import history, inputs
from .pending import run_json
from .printed import add_printed_metrics, printed_outputs

T = TypeVar("T")
API = "jupyterlab-runs/api"
MAX_BODY_BYTES = 64 * 1024 * 1024
DOWNLOAD_CHUNK_BYTES = 256 * 1024


def dumps(payload: Any) -> bytes:
    """Compact JSON. orjson writes a 100-run page (~400 KiB) in about a millisecond where
    json.dumps took ten; what orjson refuses (integers past 64 bits, nesting past 254 levels)
    goes through the stdlib. Non-finite floats never get here: the store's JSON shapes spell
    them as strings (serialize), where orjson would write null."""
    try:
        return orjson.dumps(payload)
    except orjson.JSONEncodeError:
        return json.dumps(payload, allow_nan=False, separators=(",", ":")).encode()


class ApiError(tornado.web.HTTPError):
    """An HTTP error with a machine-readable ``error`` code and a human message (credentials
    in URIs masked: it goes to the panel and the server log)."""

    def __init__(self, status: int, error: str, message: str):
        message = redact(message)
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.error = error
        self.message = message


class RunsAPIHandler(ExtensionHandlerMixin, APIHandler):
    """Base of every handler: store access, JSON in/out, error mapping."""

    auth_resource = "jupyterlab_runs"

    async def prepare(self):
        self._started = time.perf_counter()
        await super().prepare()
        self._json: dict[str, Any] | None = None
        # Only authenticated bodies are parsed; megabytes of JSON must not stall every other
        # request on the event loop (parse_json_body says how).
        if self.request.body and self.current_user and len(self.request.body) <= MAX_BODY_BYTES:
            try:
                self._json = await inputs.parse_json_body(self.request.body)
            except InvalidArgument as error:
                raise ApiError(400, "invalid_json", str(error)) from error

    @property
    def store_holder(self):
        return self.settings["jupyterlab_runs_store"]

    async def call(self, fn: Callable[[RunStore], T]) -> T:
        """Run ``fn(store)`` in a worker thread; store errors become JSON HTTP errors."""
        try:
            return await asyncio.to_thread(lambda: fn(self.store_holder.get()))
        except StoreError as error:
            raise ApiError(error.http_status, error.error, str(error)) from error

    def body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 that says what is wrong."""
        if len(self.request.body) > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", f"request body over {MAX_BODY_BYTES} bytes")
        return self._json if self._json is not None else {}

    def send(self, payload: Any, status: int = 200) -> None:
        body = dumps(payload)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        # Time spent in the handler, for the browser's resource timing (bench/).
        elapsed = (time.perf_counter() - self._started) * 1000
        self.set_header("Server-Timing", f"app;dur={elapsed:.2f}")
        self.finish(body)

    def int_arg(self, name: str, default: int) -> int:
        raw = self.get_argument(name, None)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError as error:
            raise ApiError(400, "invalid_argument", f"{name} must be an integer") from error
        if not inputs.INT64_MIN <= value <= inputs.INT64_MAX:
            raise ApiError(400, "invalid_argument", f"{name} is out of range (64-bit integer)")
        return value

    def list_arg(self, name: str) -> list[str]:
        """Repeated or comma-separated query values."""
        values: list[str] = []
        for raw in self.get_arguments(name):
            values.extend(v for v in raw.split(",") if v)
        if len(values) > MAX_EXPERIMENT_IDS:
            raise ApiError(400, "invalid_argument", f"{name}: at most {MAX_EXPERIMENT_IDS} values")
        return values

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, ApiError):
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"error": error.error, "message": error.message}))
            return
        super().write_error(status_code, **kwargs)


class ExperimentsHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        view = self.get_argument("view", "active")
        experiments = await self.call(lambda s: s.list_experiments(view=view))
        self.send({"experiments": [serialize.experiment_to_json(e) for e in experiments]})

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.body()
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "invalid_argument", "experiment name must be a non-empty string")
        notebook_path = body.get("notebook_path")
        if body.get("get_or_create"):
            exp = await self.call(lambda s: s.get_or_create_experiment(name, notebook_path))
            self.send(serialize.experiment_to_json(exp))
            return
        description = body.get("description") or ""
        exp = await self.call(lambda s: s.create_experiment(name, notebook_path, description))
        self.send(serialize.experiment_to_json(exp), 201)


class ExperimentHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, experiment_id: str):
        exp = await self.call(lambda s: s.get_experiment(experiment_id))
        self.send(serialize.experiment_to_json(exp))

    @tornado.web.authenticated
    @authorized
    async def patch(self, experiment_id: str):
        body = self.body()
        exp = await self.call(
            lambda s: s.update_experiment(
                experiment_id, name=body.get("name"), description=body.get("description")
            )
        )
        self.send(serialize.experiment_to_json(exp))

    @tornado.web.authenticated
    @authorized
    async def delete(self, experiment_id: str):
        await self.call(lambda s: s.delete_experiment(experiment_id))
        self.set_status(204)
        self.finish()


class RunsHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        experiment_ids = self.list_arg("experiment_ids")
        filter_text = self.get_argument("filter", "")
        order_by = self.get_arguments("order_by")
        max_results = self.int_arg("max_results", 100)
        page_token = self.get_argument("page_token", None) or None
        offset = self.int_arg("offset", 0)
        view = self.get_argument("view", "active")
        fields = self.get_argument("fields", "all")
        if fields not in ("all", "summary"):
            raise ApiError(400, "invalid_argument", "fields must be 'all' or 'summary'")
        summary = fields == "summary"
        if not summary and max_results > inputs.MAX_FULL_RUNS:
            raise ApiError(
                400,
                "invalid_argument",
                f"max_results is at most {inputs.MAX_FULL_RUNS} for full runs; "
                "ask for fields=summary to page through more at once",
            )
        if page_token and len(page_token) > inputs.MAX_PAGE_TOKEN_LENGTH:
            raise ApiError(400, "invalid_argument", "page_token is not a token this store issued")
        page = await self.call(
            lambda s: s.search_runs(
                experiment_ids,
                filter_text,
                order_by,
                max_results,
                page_token,
                view,
                summary,
                offset,
            )
        )
        self.send(serialize.page_to_json(page, "runs", summary=summary))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.body()
        new_run, experiment_name, printed = _parse_new_run(body)
        try:
            inputs.check_notebook_path(new_run.notebook_path)
        except InvalidArgument as error:
            raise ApiError(400, error.error, str(error)) from error
        # Who logged a run is the server's to say, never the request body's.
        user = person(self.current_user)
        root_dir = self.serverapp.root_dir

        def save(store: RunStore):
            add_printed_metrics(new_run, printed)
            if not new_run.experiment_id:
                if not experiment_name:
                    raise InvalidArgument("a run needs experiment_id or experiment_name")
                exp = store.get_or_create_experiment(experiment_name, new_run.notebook_path)
                new_run.experiment_id = exp.id
            new_run.user = user
            if new_run.git_commit is None and new_run.notebook_path:
                folder = os.path.dirname(os.path.join(root_dir, new_run.notebook_path))
                new_run.git_commit = head_commit(folder)
            return run_json(store, store.create_run(new_run))

        run = await self.call(save)
        self.set_header("Location", self.request.path.rstrip("/") + "/" + quote(run["id"]))
        # 202: the MLflow server is unreachable and the run waits in the outbox (sync.py).
        self.send(run, 202 if run.get("pending") else 201)


def _parse_new_run(body: dict[str, Any]):
    """The run, the experiment name to resolve, and the printed text to read metrics from."""
    try:
        return (*serialize.new_run_from_json(body), printed_outputs(body))
    except StoreError as error:
        raise ApiError(error.http_status, error.error, str(error)) from error


class RunHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str):
        self.send(await self.call(lambda s: run_json(s, s.get_run(run_id))))

    @tornado.web.authenticated
    @authorized
    async def patch(self, run_id: str):
        body = self.body()
        set_tags = body.get("set_tags") or {}
        delete_tags = body.get("delete_tags") or []
        if not isinstance(set_tags, dict) or not isinstance(delete_tags, list):
            raise ApiError(400, "invalid_argument", "set_tags is an object, delete_tags a list")
        run = await self.call(
            lambda s: run_json(
                s,
                s.update_run(
                    run_id,
                    name=body.get("name"),
                    note=body.get("note"),
                    set_tags=set_tags,
                    delete_tags=delete_tags,
                ),
            )
        )
        self.send(run)

    @tornado.web.authenticated
    @authorized
    async def delete(self, run_id: str):
        await self.call(lambda s: s.delete_run(run_id))
        self.set_status(204)
        self.finish()


class RunRestoreHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, run_id: str):
        self.send(await self.call(lambda s: run_json(s, s.restore_run(run_id))))


class MetricHistoryHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str, key: str):
        limit = self.int_arg("max_results", history.DEFAULT_POINTS)
        try:
            after = history.parse_token(self.get_argument("page_token", None))
        except InvalidArgument as error:
            raise ApiError(400, error.error, str(error)) from error
        points, token = await self.call(
            lambda s: history.history_page(s.metric_history(run_id, key), after, limit)
        )
        self.send(
            {
                "key": key,
                "history": [serialize.metric_point_to_json(p) for p in points],
                "next_page_token": token,
            }
        )


class ArtifactsHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str):
        artifacts = await self.call(lambda s: s.list_artifacts(run_id))
        self.send({"artifacts": [serialize.artifact_to_json(a) for a in artifacts]})


class ArtifactHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str, path: str):
        artifacts = await self.call(lambda s: s.list_artifacts(run_id))
        meta = next((a for a in artifacts if a.path == path), None)
        file = await self.call(lambda s: s.open_artifact(run_id, path))
        media_type = inputs.safe_media_type(meta and meta.media_type)
        # Downloads only: never let the browser render an artifact inside Jupyter's origin.
        self.set_header("Content-Type", media_type)
        self.set_header("X-Content-Type-Options", "nosniff")
        filename = quote(os.path.basename(path))
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{filename}")
        # Chunk by chunk: a model of gigabytes never sits whole in the server's memory.
        with file:
            while chunk := await asyncio.to_thread(file.read, DOWNLOAD_CHUNK_BYTES):
                self.write(chunk)
                await self.flush()
        self.finish(set_content_type=media_type)


class KeysHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        experiment_ids = self.list_arg("experiment_ids")
        keys = await self.call(lambda s: s.list_keys(experiment_ids))
        self.send({"params": keys.params, "metrics": keys.metrics, "tags": keys.tags})


class ChangesHandler(RunsAPIHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        since = self.int_arg("since", 0)
        cursor, changes = await self.call(lambda s: s.changes(since))
        self.send({"cursor": cursor, "changes": [serialize.change_to_json(c) for c in changes]})


def route_table() -> list[tuple[str, type]]:
    """URL patterns (without base_url, which ExtensionApp prepends) and their handlers;
    the bulk routes (runs/export, runs/metrics, runs/delete, runs/restore) are in bulk.py."""
    run = r"(?P<run_id>[0-9a-zA-Z_-]+)"
    return [
        (f"{API}/experiments", ExperimentsHandler),
        (rf"{API}/experiments/(?P<experiment_id>[^/]+)", ExperimentHandler),
        (f"{API}/runs", RunsHandler),
        (rf"{API}/runs/{run}", RunHandler),
        (rf"{API}/runs/{run}/restore", RunRestoreHandler),
        (rf"{API}/runs/{run}/metrics/(?P<key>.+)", MetricHistoryHandler),
        (rf"{API}/runs/{run}/artifacts", ArtifactsHandler),
        (rf"{API}/runs/{run}/artifacts/(?P<path>.+)", ArtifactHandler),
        (f"{API}/keys", KeysHandler),
        (f"{API}/changes", ChangesHandler),
    ]
