"""Bulk REST routes: one request for many runs (DESIGN §5, issue 14).

- ``POST runs/export`` streams every run matching a search as CSV or JSON;
- ``POST runs/metrics`` returns many metric histories at once (charts refresh);
- ``POST runs/delete`` and ``POST runs/restore`` soft-delete or restore N runs.

Every verb is authenticated and authorized like the rest of the API (``RunsAPIHandler``).
"""

from __future__ import annotations

from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized
from tornado.iostream import StreamClosedError

from ..store import InvalidArgument, RunStore, StoreError, serialize
from .export import MEDIA_TYPES, ExportWriter, parse_columns
from .handlers import API, ApiError, RunsAPIHandler

#: Most runs one bulk delete/restore names, and most (run, key) pairs one history request asks.
MAX_BULK_RUNS = 10_000
MAX_HISTORIES = 10_000
#: Runs read from the store per page of an export.
EXPORT_PAGE = 1000


def _strings(body: dict[str, Any], name: str, limit: int) -> list[str]:
    """``body[name]`` as a list of distinct non-empty strings, in order; 400 otherwise."""
    values = body.get(name)
    if not isinstance(values, list) or not values:
        raise ApiError(400, "invalid_argument", f"{name} must be a non-empty list of strings")
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value:
            raise ApiError(400, "invalid_argument", f"{name}[{index}] must be a non-empty string")
    if len(values) > limit:
        raise ApiError(400, "invalid_argument", f"{name} may hold at most {limit} items")
    return list(dict.fromkeys(values))


#: Steps are stored as signed 64-bit integers.
_STEP_LIMIT = 2**63


def _step_range(body: dict[str, Any]) -> tuple[int, int] | None:
    """``body["step_range"]``: ``[first, last]``, two integer steps with first ≤ last; 400
    otherwise (a zoomed chart asks for the points of the steps it shows)."""
    value = body.get("step_range")
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ApiError(400, "invalid_argument", "step_range must be [first, last], two integers")
    first, last = value
    if not all(-_STEP_LIMIT <= v < _STEP_LIMIT for v in value):
        raise ApiError(400, "invalid_argument", "step_range steps must be 64-bit integers")
    if first > last:
        raise ApiError(
            400, "invalid_argument", f"step_range first step {first} is after last step {last}"
        )
    return first, last


def _max_points(body: dict[str, Any]) -> int | None:
    value = body.get("max_points")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ApiError(400, "invalid_argument", "max_points must be an integer of at least 2")
    return value


class MetricHistoriesHandler(RunsAPIHandler):
    """``POST runs/metrics {run_ids, keys, max_points?, step_range?}`` →
    ``{histories: {run: {key: [...]}}}``; ``max_points`` thins what ``step_range`` keeps."""

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.body()
        run_ids = _strings(body, "run_ids", MAX_HISTORIES)
        keys = _strings(body, "keys", MAX_HISTORIES)
        if len(run_ids) * len(keys) > MAX_HISTORIES:
            raise ApiError(
                400, "invalid_argument", f"run_ids × keys may be at most {MAX_HISTORIES} histories"
            )
        max_points = _max_points(body)
        steps = _step_range(body)

        def shown(store: RunStore, run_id: str, key: str) -> list[dict[str, Any]]:
            if max_points is None:
                points = store.metric_history(run_id, key, steps)
            else:
                points = store.metric_extremes(run_id, key, max_points, steps)
            return [serialize.metric_point_to_json(p) for p in points]

        def read(store: RunStore):
            return {run_id: {key: shown(store, run_id, key) for key in keys} for run_id in run_ids}

        self.send({"histories": await self.call(read)})


class _BulkRunsHandler(RunsAPIHandler):
    """Applies one store call to each named run; reports which ones failed and why."""

    def apply(self, store: RunStore, run_id: str) -> Any:
        raise NotImplementedError

    async def bulk(self, done_key: str) -> None:
        run_ids = _strings(self.body(), "run_ids", MAX_BULK_RUNS)

        def run_all(store: RunStore):
            done, errors = [], []
            for run_id in run_ids:
                try:
                    done.append(self.apply(store, run_id))
                except StoreError as error:
                    errors.append({"run_id": run_id, "error": error.error, "message": str(error)})
            return done, errors

        done, errors = await self.call(run_all)
        self.send({done_key: done, "errors": errors})


class BulkDeleteHandler(_BulkRunsHandler):
    """``POST runs/delete {run_ids}`` → ``{deleted: [ids], errors: [{run_id, error, message}]}``."""

    def apply(self, store: RunStore, run_id: str) -> str:
        store.delete_run(run_id)
        return run_id

    @tornado.web.authenticated
    @authorized
    async def post(self):
        await self.bulk("deleted")


class BulkRestoreHandler(_BulkRunsHandler):
    """``POST runs/restore {run_ids}`` → ``{runs: [summaries], errors: [...]}``."""

    def apply(self, store: RunStore, run_id: str) -> dict[str, Any]:
        return serialize.run_to_json(store.restore_run(run_id), summary=True)

    @tornado.web.authenticated
    @authorized
    async def post(self):
        await self.bulk("runs")


class ExportHandler(RunsAPIHandler):
    """``POST runs/export {format, columns, metric_values?, experiment_ids?, filter?, order_by?,
    view?}`` streams every matching run, ``EXPORT_PAGE`` runs per write."""

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.body()
        fmt = body.get("format")
        if fmt not in MEDIA_TYPES:
            raise ApiError(400, "invalid_argument", "format must be 'csv' or 'json'")
        try:
            columns = parse_columns(body.get("columns"), body.get("metric_values"))
            search = _search_args(body)
        except InvalidArgument as error:
            raise ApiError(400, error.error, str(error)) from error

        def first_page(store: RunStore):
            names = {e.id: e.name for e in store.list_experiments(view="all")}
            return names, store.search_runs(**search, max_results=EXPORT_PAGE, summary=True)

        names, page = await self.call(first_page)
        writer = ExportWriter(fmt, columns, names)
        # Errors up to here are JSON replies; from here on the status line is sent.
        self.set_header("Content-Type", MEDIA_TYPES[writer.format])
        self.set_header("X-Total-Count", str(page.total))
        try:
            self.write(writer.start())
            while True:
                self.write(writer.runs(page.items))
                await self.flush()
                token = page.next_page_token
                if not token:
                    break
                page = await self.call(
                    lambda s, t=token: s.search_runs(
                        **search, max_results=EXPORT_PAGE, page_token=t, summary=True
                    )
                )
            self.finish(writer.end())
        except StreamClosedError:
            self.log.info("jupyterlab_runs: export cancelled after %d runs", writer.count)


def _search_args(body: dict[str, Any]) -> dict[str, Any]:
    experiment_ids = body.get("experiment_ids") or []
    order_by = body.get("order_by") or []
    text = body.get("filter") or ""
    view = body.get("view") or "active"
    for name, value in (("experiment_ids", experiment_ids), ("order_by", order_by)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidArgument(f"{name} must be a list of strings")
    if not isinstance(text, str) or not isinstance(view, str):
        raise InvalidArgument("filter and view must be strings")
    return {"experiment_ids": experiment_ids, "filter": text, "order_by": order_by, "view": view}


def bulk_routes() -> list[tuple[str, type]]:
    """The bulk routes; they go before ``runs/{run_id}``, whose pattern would match them."""
    return [
        (f"{API}/runs/export", ExportHandler),
        (f"{API}/runs/metrics", MetricHistoriesHandler),
        (f"{API}/runs/delete", BulkDeleteHandler),
        (f"{API}/runs/restore", BulkRestoreHandler),
    ]
