"""The MLflow backend: the store contract over an MLflow tracking server's REST API.

``MlflowStore("http://host:5000")`` (or ``"mlflow"`` for ``$MLFLOW_TRACKING_URI``) needs only
``requests``, which ``pip install 'jupyterlab-runs[mlflow]'`` brings. The pieces:
``rest`` (HTTP, errors, timeouts), ``mapping`` (which MLflow tag holds which run field),
``versions`` (unique, gapless versions with several writers), ``filter``/``search`` (our
filter language, order and pages), ``changes`` (the change feed), ``artifacts`` (the
artifact proxy), ``experiments`` and ``runs``. Runs logged by plain ``mlflow`` code appear with
source ``import``, param types inferred from their text, and versions claimed when first seen.

Where MLflow differs from the embedded store: metric summaries in search results cover only
the latest point (``get_run`` reads the histories), a point logged twice at the same step and
time is kept twice, deleting an experiment deletes its runs, ``Experiment.run_count`` is 0,
keys must be names MLflow accepts (letters, digits, ``_-. :/``), and ``create_run`` is a
sequence of requests rather than one transaction (a failure part-way soft-deletes the
half-written run).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..artifact_files import check_artifact_path
from ..base import (
    Artifact,
    Change,
    InvalidArgument,
    Keys,
    NotFound,
    Page,
    Run,
    RunStore,
    StoreUnavailable,
    ViewType,
    walk_to_offset,
)
from ..filter import DEFAULT_ORDER
from ..values import check_offset, optional_int
from . import artifacts as mlflow_artifacts
from .blocks import block_condition, version_page
from .changes import ChangeFeed
from .experiments import ExperimentMethods
from .mapping import TAG_VERSION_ORDER, run_from_mlflow, run_version, version_order
from .pushdown import Fetch, pushed_page, server_order
from .rest import DEFAULT_TIMEOUT, RestClient, tracking_url
from .runs import RunMethods
from .search import MAX_FETCH, RUN_VIEWS, Query
from .versions import VersionLedger

SEARCH_PAGE = 5_000
CACHE_SIZE = 32
_UNTAGGED = f'tags."{TAG_VERSION_ORDER}" IS NULL'
KEYS_SAMPLE = 1000
_READ_ONLY = ("PERMISSION_DENIED", "UNAUTHENTICATED")


def _start_order(run: Mapping[str, Any]) -> tuple[int, str]:
    return int(run["info"].get("start_time") or 0), run["info"]["run_id"]


class MlflowStore(RunMethods, ExperimentMethods, RunStore):
    """Runs on an MLflow tracking server; ``uri`` is its http(s) URL or ``mlflow``.

    Searches fetch every run MLflow's share of the filter selects and keep them for
    ``cache_seconds`` (dropped at once on any change this store makes or its feed sees).
    """

    def __init__(
        self,
        uri: str = "mlflow",
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        poll_interval: float = 1.0,
        cache_seconds: float = 3.0,
    ):
        self.uri = uri
        self.rest = RestClient(tracking_url(uri), timeout)
        self.ledger = VersionLedger(self.rest)
        self.feed = ChangeFeed(self.rest, self.experiments_json, poll_interval, self._forget)
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple, tuple[float, list[Run]]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MlflowStore({self.rest.shown_url!r})"

    def close(self) -> None:
        """Close this thread's HTTP session."""
        self.rest.close()

    # -- helpers the run and experiment methods share ------------------------------------
    def _forget(self) -> None:
        with self._lock:
            self._cache.clear()
            self._generation += 1

    def _changed(self, op: str, run_id: str, experiment_id: str) -> None:
        self._forget()
        self.feed.record("run", op, run_id, experiment_id)

    def _run_json(self, run_id: str) -> dict[str, Any]:
        if not isinstance(run_id, str) or not run_id:
            raise NotFound(f"no run with id {run_id!r}")
        try:
            return self.rest.get("runs/get", run_id=run_id)["run"]
        except (NotFound, InvalidArgument):
            raise NotFound(f"no run with id {run_id!r}") from None

    def _versions(self, runs: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """The version of each run: its version tag, else its claim (claimed if it has none)."""
        versions: dict[str, int] = {}
        by_experiment: dict[str, list[Mapping[str, Any]]] = {}
        for run in runs:
            tagged = run_version(run)
            if tagged is not None:
                versions[run["info"]["run_id"]] = tagged
            else:
                by_experiment.setdefault(run["info"]["experiment_id"], []).append(run)
        for experiment_id, group in by_experiment.items():
            try:
                found = self.ledger.versions(experiment_id, [r["info"]["run_id"] for r in group])
            except StoreUnavailable as error:
                if getattr(error, "error_code", "") not in _READ_ONLY:
                    raise
                # No ledger, and no right to start one: rank by start time, never stored.
                ranked = sorted(group, key=_start_order)
                versions.update({r["info"]["run_id"]: i for i, r in enumerate(ranked, 1)})
                continue
            if any(version is None for version in found.values()):
                found.update(self._claim(experiment_id, [*group, *self._untagged([experiment_id])]))
            versions.update(found)  # type: ignore[arg-type]
        return versions

    def _claim(self, experiment_id: str, runs: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Versions for these runs, claimed by start time for those that hold none (so runs
        logged by plain mlflow get numbers in the order they ran), and their version tags."""
        candidates = {run["info"]["run_id"]: run for run in sorted(runs, key=_start_order)}
        run_ids = list(candidates)
        try:
            versions = self.ledger.claim(experiment_id, run_ids)
        except StoreUnavailable as error:
            if getattr(error, "error_code", "") not in _READ_ONLY:
                raise
            claimed = self.ledger.cached(experiment_id)  # the rest provisional, never stored
            fresh = [run_id for run_id in run_ids if run_id not in claimed.by_run]
            provisional = {run_id: claimed.top + 1 + i for i, run_id in enumerate(fresh)}
            return {**claimed.by_run, **provisional}
        active = {
            run_id: version
            for run_id, version in versions.items()
            if candidates[run_id]["info"].get("lifecycle_stage") != "deleted"
        }
        self.ledger.tag_versions(active)
        return versions

    def _claim_untagged(self, experiment_ids: Sequence[str], view: str) -> int:
        """Claim and tag the runs of these experiments that lack version tags (logged by plain
        mlflow, or before the order tag existed), so MLflow can sort and find by version;
        the number of such runs (one search for all the experiments when there are none)."""
        by_experiment: dict[str, list[dict[str, Any]]] = {}
        for run in self._untagged(experiment_ids, view):
            by_experiment.setdefault(run["info"]["experiment_id"], []).append(run)
        for experiment_id, untagged in by_experiment.items():
            self._claim(experiment_id, untagged)
        return sum(map(len, by_experiment.values()))

    def _untagged(self, experiment_ids: Sequence[str], view: str = "all") -> list[dict[str, Any]]:
        try:
            return self._fetch_json(experiment_ids, _UNTAGGED, view)
        except InvalidArgument:  # servers before IS NULL support: look at every run
            return [
                run
                for run in self._fetch_json(experiment_ids, "", view)
                if not any(t["key"] == TAG_VERSION_ORDER for t in run["data"].get("tags", []))
            ]

    def _experiment_ids(self, experiment_ids: Sequence[str]) -> list[str]:
        """These ids, or every visible experiment's when there are none."""
        return list(experiment_ids) or [e["experiment_id"] for e in self.experiments_json()]

    def _search_json(
        self,
        experiment_ids: Sequence[str],
        condition: str,
        order_by: Sequence[str],
        token: str | None,
        size: int,
        view: str,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One MLflow page of runs/search and MLflow's token for the next (None: last)."""
        ids = list(experiment_ids)
        body: dict[str, Any] = {
            "experiment_ids": ids,
            "filter": condition,
            "run_view_type": RUN_VIEWS[view],
            "max_results": size,
            "order_by": list(order_by),
        }
        if token:
            body["page_token"] = token
        while ids:
            try:
                reply = self.rest.post("runs/search", body)
            except InvalidArgument as error:
                if "Experiment ID" not in str(error) or ids == [i for i in ids if i.isdigit()]:
                    raise
                ids = body["experiment_ids"] = [i for i in ids if i.isdigit()]  # others: absent
                continue
            return reply.get("runs", []), reply.get("next_page_token") or None
        return [], None

    def _fetch_json(self, experiment_ids: Sequence[str], condition: str, view: str) -> list[dict]:
        """Every run MLflow selects (up to MAX_FETCH), newest first, each once."""
        ids = self._experiment_ids(experiment_ids)
        found: dict[str, dict] = {}
        token = None
        while len(found) < MAX_FETCH:
            runs, token = self._search_json(
                ids, condition, ["attributes.start_time DESC"], token, SEARCH_PAGE, view
            )
            # MLflow pages by offset, so a run inserted meanwhile may come twice.
            found.update((run["info"]["run_id"], run) for run in runs)
            if token is None:
                break
        return list(found.values())

    def _fetcher(self, experiment_ids: Sequence[str], view: str) -> Fetch:
        """MLflow pages of runs as ours, for the pushed-down search."""

        def fetch(condition: str, order_by: list[str], token: str | None, size: int):
            found, next_token = self._search_json(
                experiment_ids, condition, order_by, token, size, view
            )
            versions = self._versions(found)
            return [run_from_mlflow(r, versions[r["info"]["run_id"]]) for r in found], next_token

        return fetch

    def _newest_version(self, experiment_id: str, view: str) -> int | None:
        """The version of the run that started last (a hint of the newest; None: no runs),
        once the experiment's untagged runs are claimed: both searches are sent at once."""
        order = ["attributes.start_time DESC"]
        _, (found, _) = self.rest.concurrently(
            [
                lambda: self._claim_untagged([experiment_id], view),
                lambda: self._search_json([experiment_id], "", order, None, 1, view),
            ]
        )
        return self._versions(found)[found[0]["info"]["run_id"]] if found else None

    def _occupied(self, experiment_id: str, block: int) -> bool:
        """Whether any run of the experiment, deleted or not, has a version in ``block``."""
        found, _ = self._search_json([experiment_id], block_condition(block), (), None, 1, "all")
        return bool(found)

    def _find_version(self, experiment_id: str, version: int) -> str | None:
        """The run holding ``version``, found by its order tag (the ledger only decides
        between several runs carrying it, or for a deleted run that could not be tagged)."""
        condition = f"tags.`{TAG_VERSION_ORDER}` = '{version_order(version)}'"
        for attempt in range(2):
            found, _ = self._search_json([experiment_id], condition, (), None, 2, "all")
            if len(found) == 1:
                return found[0]["info"]["run_id"]
            if found or attempt or not self._claim_untagged([experiment_id], "all"):
                break
        return self.ledger.run_of(experiment_id, version)

    def _runs(self, experiment_ids: Sequence[str], condition: str, view: str) -> list[Run]:
        """The selected runs as ours, from the cache while it is fresh."""
        key = (tuple(experiment_ids), condition, view)
        with self._lock:
            hit = self._cache.get(key)
            generation = self._generation
        if hit is not None and time.monotonic() - hit[0] < self.cache_seconds:
            return hit[1]
        fetched = self._fetch_json(experiment_ids, condition, view)
        versions = self._versions(fetched)
        runs = [run_from_mlflow(run, versions[run["info"]["run_id"]]) for run in fetched]
        with self._lock:
            if generation == self._generation:  # nothing changed while we fetched
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.clear()
                self._cache[key] = (time.monotonic(), runs)
        return runs

    # -- queries -------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter: str = "",
        order_by: Sequence[str] = (),
        max_results: int = 100,
        page_token: str | None = None,
        view: ViewType = "active",
        summary: bool = False,
        offset: int = 0,
    ) -> Page:
        """Runs matching a filter, ordered, one keyset page at a time (no ids: every experiment).
        ``summary`` changes nothing here: code and context come with the run's tags anyway.
        MLflow has no offset: one is reached by walking its pages (O(offset) runs read)."""
        if check_offset(offset, page_token):
            return walk_to_offset(
                lambda size, token: self.search_runs(
                    experiment_ids, filter, order_by, size, token, view, summary
                ),
                offset,
                max_results,
            )
        query = Query(experiment_ids, filter, order_by, max_results, page_token, view)
        order_by = server_order(query.order)
        if order_by is None:
            return query.page(self._runs(query.experiment_ids, query.server_filter, query.view))
        ids = self._experiment_ids(query.experiment_ids)
        fetch = self._fetcher(ids, query.view)
        by_version = query.order.kind == "attribute" and query.order.key == "version"
        if len(ids) == 1 and query.order == DEFAULT_ORDER:
            return version_page(
                query,
                fetch,
                lambda: self._newest_version(ids[0], query.view),
                lambda block: self._occupied(ids[0], block),
                self.rest.concurrently,
            )
        if by_version and not page_token:
            self._claim_untagged(ids, query.view)  # MLflow sorts runs without the tag last
        # Other orders claim a run without a version when MLflow returns it (_versions).
        return pushed_page(query, order_by, fetch, self.rest.concurrently)

    def list_keys(self, experiment_ids: Sequence[str]) -> Keys:
        """Param, metric and tag keys used by the newest KEYS_SAMPLE runs of these
        experiments (no ids: all): MLflow has no list of keys, and reading every run of a
        large experiment to make one would cost the server O(runs) each time."""
        params: set[str] = set()
        metrics: set[str] = set()
        tags: set[str] = set()
        ids = self._experiment_ids(list(dict.fromkeys(experiment_ids)))
        order = ["attributes.start_time DESC"]
        found, _ = self._search_json(ids, "", order, None, KEYS_SAMPLE, "all")
        for run in (run_from_mlflow(run, 0) for run in found):
            params.update(run.params)
            metrics.update(run.metrics)
            tags.update(run.tags)
        return Keys(params=sorted(params), metrics=sorted(metrics), tags=sorted(tags))

    def changes(self, since: int = 0, limit: int = 1000) -> tuple[int, list[Change]]:
        """Changes after cursor ``since`` and the cursor to pass next time (see mlflow.changes)."""
        since = max(0, optional_int(since, "since") or 0)
        limit = optional_int(limit, "limit") or 1000
        return self.feed.changes(since, limit)

    # -- artifacts -----------------------------------------------------------------------
    def log_artifact(
        self, run_id: str, path: str, data: bytes, media_type: str | None = None
    ) -> Artifact:
        """Upload a file under the run through the server's artifact proxy."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgument(f"artifact data must be bytes, got {type(data).__name__}")
        check_artifact_path(path)
        info = self._run_json(run_id)["info"]
        artifact = mlflow_artifacts.upload(
            self.rest, info["artifact_uri"], path, bytes(data), media_type
        )
        self._changed("updated", run_id, info["experiment_id"])
        return artifact

    def list_artifacts(self, run_id: str) -> list[Artifact]:
        """Files stored with a run, by path (sha256 empty: MLflow keeps none)."""
        self._run_json(run_id)
        return mlflow_artifacts.listing(self.rest, run_id)

    def read_artifact(self, run_id: str, path: str) -> bytes:
        """The bytes of one artifact; ``NotFound`` if absent, ``InvalidArgument`` if unconfined."""
        check_artifact_path(path)
        info = self._run_json(run_id)["info"]
        try:
            return mlflow_artifacts.download(self.rest, info["artifact_uri"], path)
        except NotFound:
            raise NotFound(f"run {run_id} has no artifact {path!r}") from None
