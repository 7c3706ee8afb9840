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
)
from ..values import optional_int
from . import artifacts as mlflow_artifacts
from .changes import ChangeFeed
from .experiments import ExperimentMethods
from .mapping import TAG_VERSION, run_from_mlflow
from .rest import DEFAULT_TIMEOUT, RestClient, tracking_url
from .runs import RunMethods
from .search import MAX_FETCH, RUN_VIEWS, Query
from .versions import VersionLedger

SEARCH_PAGE = 5_000
CACHE_SIZE = 32
_UNTAGGED = f'tags."{TAG_VERSION}" IS NULL'
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
        return f"MlflowStore({self.rest.base_url!r})"

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
        """The version of each run, claiming versions for runs that hold none yet."""
        by_experiment: dict[str, list[Mapping[str, Any]]] = {}
        for run in runs:
            by_experiment.setdefault(run["info"]["experiment_id"], []).append(run)
        versions: dict[str, int] = {}
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
            missing = [r for r in group if found[r["info"]["run_id"]] is None]
            if missing:
                found.update(self._claim_unclaimed(experiment_id, missing))
            versions.update(found)  # type: ignore[arg-type]
        return versions

    def _claim_unclaimed(
        self, experiment_id: str, seen: Sequence[Mapping[str, Any]]
    ) -> dict[str, int]:
        """Claim versions for every unclaimed run of the experiment, by start time, so runs
        logged by plain mlflow get numbers in the order they ran."""
        candidates = {run["info"]["run_id"]: run for run in seen}
        for run in self._untagged(experiment_id):
            candidates.setdefault(run["info"]["run_id"], run)
        claimed = self.ledger.cached(experiment_id).by_run
        order = sorted(
            (run for run_id, run in candidates.items() if run_id not in claimed), key=_start_order
        )
        run_ids = [run["info"]["run_id"] for run in order]
        try:
            versions = self.ledger.claim(experiment_id, run_ids)
        except StoreUnavailable as error:
            if getattr(error, "error_code", "") not in _READ_ONLY:
                raise
            top = self.ledger.cached(experiment_id).top  # provisional, never stored
            return {run_id: top + 1 + i for i, run_id in enumerate(run_ids)}
        active = {
            run_id: version
            for run_id, version in versions.items()
            if candidates[run_id]["info"].get("lifecycle_stage") != "deleted"
        }
        self.ledger.tag_versions(active)
        return versions

    def _untagged(self, experiment_id: str) -> list[dict[str, Any]]:
        try:
            return self._fetch_json([experiment_id], _UNTAGGED, "all")
        except InvalidArgument:  # servers before IS NULL support: look at every run
            return [
                run
                for run in self._fetch_json([experiment_id], "", "all")
                if not any(t["key"] == TAG_VERSION for t in run["data"].get("tags", []))
            ]

    def _fetch_json(self, experiment_ids: Sequence[str], condition: str, view: str) -> list[dict]:
        """Every run MLflow selects (up to MAX_FETCH), newest first, each once."""
        ids = list(experiment_ids) or [e["experiment_id"] for e in self.experiments_json()]
        body: dict[str, Any] = {
            "experiment_ids": ids,
            "filter": condition,
            "run_view_type": RUN_VIEWS[view],
            "max_results": SEARCH_PAGE,
            "order_by": ["attributes.start_time DESC"],
        }
        found: dict[str, dict] = {}
        while ids and len(found) < MAX_FETCH:
            try:
                reply = self.rest.post("runs/search", body)
            except InvalidArgument as error:
                if "Experiment ID" not in str(error) or ids == [i for i in ids if i.isdigit()]:
                    raise
                ids = body["experiment_ids"] = [i for i in ids if i.isdigit()]  # others: absent
                continue
            # MLflow pages by offset, so a run inserted meanwhile may come twice.
            found.update((run["info"]["run_id"], run) for run in reply.get("runs", []))
            if not reply.get("next_page_token"):
                break
            body["page_token"] = reply["next_page_token"]
        return list(found.values())

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
    ) -> Page:
        """Runs matching a filter, ordered, one keyset page at a time (no ids: every experiment).
        ``summary`` changes nothing here: code and context come with the run's tags anyway."""
        query = Query(experiment_ids, filter, order_by, max_results, page_token, view)
        return query.page(self._runs(query.experiment_ids, query.server_filter, query.view))

    def list_keys(self, experiment_ids: Sequence[str]) -> Keys:
        """Param, metric and tag keys used by runs of these experiments (no ids: all)."""
        params: set[str] = set()
        metrics: set[str] = set()
        tags: set[str] = set()
        for run in self._runs(list(dict.fromkeys(experiment_ids)), "", "all"):
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
