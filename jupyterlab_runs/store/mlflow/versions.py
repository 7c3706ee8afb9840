"""Run versions on an MLflow server: unique and gapless per experiment, with several writers.

MLflow has no counter, but it has one atomic compare-and-set: a run's params are write-once
(the params table's primary key is (run, key), and logging a key again with another value is
refused). So each experiment E has a *ledger run* whose params are the claims ``"7" → run id``.
A writer creates its MLflow run first, then claims ``max + 1`` for it in one log-batch; if
another writer got there first the batch is refused, the writer re-reads the ledger and tries
again. Because a number is only claimed for a run that exists, because a claim attempt is
always ``max + 1`` of a ledger read, and because a run found in the ledger is never claimed
again, the claimed numbers stay 1…n with one number per run: unique and gapless however
writers interleave, and stable (a version never changes once claimed). The run also gets a
``jupyterlab_runs.version`` tag and the name ``v<version>`` so the MLflow UI shows it; the
ledger, not the tag, is the truth (a run copied to another server keeps its tag but not its
claim).

Runs logged by plain ``mlflow`` code have no claim: whoever sees one first claims numbers for
all unclaimed runs of that experiment, in start-time order. Two such readers racing are safe
for the same reasons (the same run id at the same number is accepted twice).

Where the ledgers live: one MLflow experiment ``jupyterlab_runs.ledger`` (hidden from our
experiment lists, visible in the MLflow UI) holds a *registry run* whose params map
``experiment id → ledger run id`` (a second compare-and-set, so two writers meeting a new
experiment agree on one ledger), plus the ledger runs. The registry run itself is elected once
per server by creating an experiment ``jupyterlab_runs.ledger.registry`` whose tag names it —
experiment names are unique even when deleted, and an experiment is created with its tags in
one transaction — and that pointer experiment is then deleted so it stays out of sight.

Limits: the compare-and-set needs a database-backed server (the file store's params are not
transactional); readers without write permission see provisional versions (next numbers in
start-time order) that are not stored; with a read replica a lost race may take a few
re-reads to see the winner; deleting the ledger experiment in the MLflow UI stops claims until
it is restored (we restore it when we find it deleted); a run deleted after a failed
``create_run`` keeps the version it claimed (versions stay gapless, counting deleted runs).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..base import NotFound, StoreError, StoreUnavailable
from .mapping import NOTE, PREFIX, tags_of, version_tags
from .rest import RestClient

LEDGER_EXPERIMENT = PREFIX + "ledger"
TAG_REGISTRY = PREFIX + "registry_run"
TAG_LEDGER_FOR = PREFIX + "ledger_for"
CLAIMS_PER_BATCH = 100
MAX_ATTEMPTS = 100
_DESCRIPTION = (
    "Internal to jupyterlab-runs: the params of these runs record which run holds which "
    "version number in each experiment. Do not delete."
)
_log = logging.getLogger(__name__)


@dataclass
class Claims:
    """The claims of one experiment's ledger: version → run id and back."""

    by_version: dict[int, str] = field(default_factory=dict)
    by_run: dict[str, int] = field(default_factory=dict)

    @property
    def top(self) -> int:
        return max(self.by_version, default=0)

    def add(self, version: int, run_id: str) -> None:
        self.by_version[version] = run_id
        self.by_run.setdefault(run_id, version)


def _answered(error: StoreError) -> bool:
    """Whether the server answered (a lost race), rather than being unreachable."""
    return bool(getattr(error, "error_code", "")) and not isinstance(error, NotFound)


class VersionLedger:
    """Claims and looks up versions; caches what it has read (claims never change).

    ``name`` is the ledger experiment's (tests use their own to elect a registry afresh).
    """

    def __init__(self, rest: RestClient, name: str = LEDGER_EXPERIMENT):
        self.rest = rest
        self.name = name
        self._lock = threading.RLock()
        self._experiment_id: str | None = None
        self._registry: str | None = None
        self._ledgers: dict[str, str] = {}
        self._claims: dict[str, Claims] = {}

    # -- where the ledgers live ----------------------------------------------------------
    @property
    def pointer(self) -> str:
        """The name of the (deleted) experiment whose tag names the registry run."""
        return self.name + ".registry"

    def experiment_id(self) -> str:
        """The id of the ledger experiment, created (or restored) when needed."""
        if self._experiment_id is None:
            self._experiment_id = self._ledger_experiment()["experiment_id"]
        return self._experiment_id

    def _ledger_experiment(self) -> dict[str, Any]:
        try:
            found = self.rest.get("experiments/get-by-name", experiment_name=self.name)
        except NotFound:
            tags = [{"key": NOTE, "value": _DESCRIPTION}]
            try:
                self.rest.post("experiments/create", {"name": self.name, "tags": tags})
            except StoreError as error:
                if getattr(error, "error_code", "") != "RESOURCE_ALREADY_EXISTS":
                    raise
            found = self.rest.get("experiments/get-by-name", experiment_name=self.name)
        experiment = found["experiment"]
        if experiment.get("lifecycle_stage") == "deleted":
            _log.warning("restoring the deleted MLflow experiment %s", self.name)
            self.rest.post("experiments/restore", {"experiment_id": experiment["experiment_id"]})
        return experiment

    def _registry_run(self) -> str:
        if self._registry is not None:
            return self._registry
        experiment_id = self.experiment_id()
        experiment = self.rest.get("experiments/get", experiment_id=experiment_id)["experiment"]
        registry = tags_of(experiment).get(TAG_REGISTRY)
        if registry is None:
            registry = self._elect_registry(experiment_id)
        self._registry = registry
        return registry

    def _elect_registry(self, experiment_id: str) -> str:
        candidate = self._new_run(experiment_id, "registry of version ledgers", {})
        tags = [{"key": TAG_REGISTRY, "value": candidate}]
        try:
            pointer = self.rest.post("experiments/create", {"name": self.pointer, "tags": tags})
            winner = candidate
        except StoreError as error:
            if getattr(error, "error_code", "") != "RESOURCE_ALREADY_EXISTS":
                raise
            pointer = self.rest.get("experiments/get-by-name", experiment_name=self.pointer)
            pointer = pointer["experiment"]
            winner = tags_of(pointer).get(TAG_REGISTRY, "")
            if not winner:
                raise StoreUnavailable(
                    f"the MLflow experiment {self.pointer!r} exists but names no registry "
                    "run; it was not made by jupyterlab-runs — rename or delete it permanently"
                ) from None
            self._forget_run(candidate)
        self.rest.post(
            "experiments/set-experiment-tag",
            {"experiment_id": experiment_id, "key": TAG_REGISTRY, "value": winner},
        )
        if winner == candidate:
            self._quietly("experiments/delete", {"experiment_id": pointer["experiment_id"]})
        return winner

    def _new_run(self, experiment_id: str, name: str, tags: Mapping[str, str]) -> str:
        body = {
            "experiment_id": experiment_id,
            "run_name": name,
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        }
        return self.rest.post("runs/create", body)["run"]["info"]["run_id"]

    def _forget_run(self, run_id: str) -> None:
        self._quietly("runs/delete", {"run_id": run_id})

    def _quietly(self, endpoint: str, body: dict[str, Any]) -> None:
        try:
            self.rest.post(endpoint, body)
        except StoreError as error:  # tidying up only; the protocol does not depend on it
            _log.info("jupyterlab_runs: %s failed: %s", endpoint, error)

    def _ledger_run(self, experiment_id: str) -> str:
        ledger = self._ledgers.get(experiment_id)
        if ledger is None:
            registry = self._registry_run()
            ledger = self._params(registry).get(experiment_id)
            if ledger is None:
                ledger = self._register_ledger(registry, experiment_id)
            self._ledgers[experiment_id] = ledger
        return ledger

    def _register_ledger(self, registry: str, experiment_id: str) -> str:
        candidate = self._new_run(
            self.experiment_id(),
            f"versions of experiment {experiment_id}",
            {TAG_LEDGER_FOR: experiment_id},
        )
        claim = {"run_id": registry, "params": [{"key": experiment_id, "value": candidate}]}
        try:
            self.rest.post("runs/log-batch", claim)
        except StoreError as error:
            if not _answered(error):
                raise
        winner = self._params(registry).get(experiment_id)
        if winner is None:
            raise StoreUnavailable(f"could not register a version ledger for {experiment_id}")
        if winner != candidate:
            self._forget_run(candidate)
        return winner

    def _params(self, run_id: str) -> dict[str, str]:
        run = self.rest.get("runs/get", run_id=run_id)["run"]
        return {p["key"]: p.get("value", "") for p in run.get("data", {}).get("params", [])}

    # -- claims --------------------------------------------------------------------------
    def read(self, experiment_id: str) -> Claims:
        """The experiment's claims as the server has them now."""
        with self._lock:
            ledger = self._ledger_run(experiment_id)
        claims = Claims()
        found = {int(k): run_id for k, run_id in self._params(ledger).items() if k.isdigit()}
        for version in sorted(found):
            claims.add(version, found[version])
        with self._lock:
            self._claims[experiment_id] = claims
        return claims

    def cached(self, experiment_id: str) -> Claims:
        """The claims read last (read now if never)."""
        claims = self._claims.get(experiment_id)
        return claims if claims is not None else self.read(experiment_id)

    def provisional_name(self, experiment_id: str) -> str:
        """A name for a run until its version is claimed: the likely one, without asking."""
        claims = self._claims.get(experiment_id)
        return "v?" if claims is None else f"v{claims.top + 1}"

    def claim(self, experiment_id: str, run_ids: Sequence[str]) -> dict[str, int]:
        """Versions for these runs, claiming the next numbers (in this order) for those
        that hold none yet."""
        claims = self.cached(experiment_id)
        pending = [r for r in dict.fromkeys(run_ids) if r not in claims.by_run]
        attempts = 0
        while pending:
            batch = pending[:CLAIMS_PER_BATCH]
            top = claims.top
            params = [{"key": str(top + 1 + i), "value": r} for i, r in enumerate(batch)]
            ledger = self._ledgers[experiment_id]
            try:
                self.rest.post("runs/log-batch", {"run_id": ledger, "params": params})
            except StoreError as error:
                attempts += 1
                if not _answered(error) or attempts >= MAX_ATTEMPTS:
                    raise
                if "active' state" in str(error):
                    self._experiment_id = None
                    self.experiment_id()  # restores the ledger experiment
                claims = self.read(experiment_id)
                pending = [r for r in pending if r not in claims.by_run]
                continue
            with self._lock:
                for i, run_id in enumerate(batch):
                    claims.add(top + 1 + i, run_id)
            pending = pending[len(batch) :]
        return {run_id: claims.by_run[run_id] for run_id in run_ids}

    def versions(self, experiment_id: str, run_ids: Iterable[str]) -> dict[str, int | None]:
        """The claimed versions of these runs (None where unclaimed), re-reading on a miss."""
        run_ids = list(run_ids)
        claims = self.cached(experiment_id)
        if any(r not in claims.by_run for r in run_ids):
            claims = self.read(experiment_id)
        return {r: claims.by_run.get(r) for r in run_ids}

    def run_of(self, experiment_id: str, version: int) -> str | None:
        """The run holding ``version``, re-reading the ledger on a miss."""
        found = self.cached(experiment_id).by_version.get(version)
        return found if found is not None else self.read(experiment_id).by_version.get(version)

    def tag_versions(self, versions: Mapping[str, int]) -> None:
        """Write the display tag on runs that were claimed for (deleted runs refuse tags)."""
        for run_id, version in versions.items():
            tags = [{"key": k, "value": v} for k, v in version_tags(version).items()]
            self._quietly("runs/log-batch", {"run_id": run_id, "tags": tags})
