"""The embedded store: runs in one SQLite file, safe for several threads and processes."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .. import artifact_files
from ..base import (
    STATUSES,
    Artifact,
    Change,
    Conflict,
    InvalidArgument,
    Keys,
    MetricInput,
    MetricPoint,
    NewRun,
    NotFound,
    Page,
    ParamInput,
    Run,
    RunStore,
    ViewType,
    in_steps,
)
from ..values import (
    check_error,
    check_new_run,
    check_status,
    check_update_arguments,
    now_ms,
    optional_int,
)
from . import block_extremes
from . import points as history
from .db import Database
from .experiments import ExperimentMethods
from .keys import KeyBatch, KeyRegistry
from .queries import Search, Totals, load_runs
from .writes import (
    checked_batch,
    created_run,
    insert_values,
    kill_orphans,
    merge_values,
    record_change,
    record_owner,
)


class SqliteStore(ExperimentMethods, RunStore):
    """The default store: ``path`` is a SQLite file (created with its folder) or ``:memory:``.

    Artifacts live under ``<folder of the file>/artifacts/<run id>/`` unless ``artifact_root``
    says otherwise (a temporary folder for ``:memory:``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        artifact_root: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
    ):
        self.db = Database(path, timeout)
        self.keys = KeyRegistry()
        self.totals = Totals()
        self._temporary = None
        if artifact_root is None and self.db.memory:
            self._temporary = tempfile.TemporaryDirectory(prefix="jupyterlab-runs-artifacts-")
            artifact_root = self._temporary.name
        elif artifact_root is None:
            artifact_root = Path(self.db.path).parent / "artifacts"
        self.artifact_root = Path(artifact_root)

    def __repr__(self) -> str:
        return f"SqliteStore({self.db.path!r})"

    def close(self) -> None:
        """Close the connections (and drop the temporary artifact folder of ``:memory:``)."""
        self.db.close()
        if self._temporary is not None:
            self._temporary.cleanup()

    @contextmanager
    def _write(self) -> Iterator[tuple[sqlite3.Connection, KeyBatch]]:
        with self.db.transaction() as conn:
            batch = KeyBatch(self.keys, conn)
            yield conn, batch
        batch.commit()

    # -- runs ----------------------------------------------------------------------------
    def create_run(self, run: NewRun) -> Run:
        """Save a whole run atomically, assigning the experiment's next version."""
        checked = check_new_run(run)
        new = checked.run
        run_id = uuid.uuid4().hex
        with self._write() as (conn, batch):
            row = conn.execute(
                "UPDATE experiments SET next_version = next_version + 1 WHERE id = ? "
                "RETURNING next_version - 1",
                (new.experiment_id,),
            ).fetchone()
            if row is None:
                raise NotFound(f"no experiment with id {new.experiment_id!r}")
            version = row[0]
            try:
                rid = conn.execute(
                    "INSERT INTO runs (id, experiment_id, version, name, status, source, "
                    "start_time, end_time, notebook_path, cell_id, execution_count, kernel_name, "
                    "language, code_hash, git_commit, user, parent_run_id, note, error, code, "
                    "context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?)",
                    (
                        run_id,
                        new.experiment_id,
                        version,
                        new.name or f"v{version}",
                        new.status,
                        new.source,
                        new.start_time,
                        new.end_time,
                        new.notebook_path,
                        new.cell_id,
                        new.execution_count,
                        new.kernel_name,
                        new.language,
                        checked.code_hash,
                        new.git_commit,
                        new.user,
                        new.parent_run_id,
                        new.note,
                        None if new.error is None else json.dumps(new.error, ensure_ascii=False),
                        new.code,
                        json.dumps(new.context, ensure_ascii=False),
                    ),
                ).lastrowid
            except sqlite3.IntegrityError:
                if new.parent_run_id is None:
                    raise
                raise NotFound(f"no parent run with id {new.parent_run_id!r}") from None
            metrics = insert_values(conn, batch, rid, new.experiment_id, checked)
            if new.status == "RUNNING":
                record_owner(conn, rid)
            record_change(conn, "run", "created", run_id, new.experiment_id)
        return created_run(run_id, version, checked, metrics)

    def _run_row(self, conn: sqlite3.Connection, run_id: str) -> tuple[int, str, str]:
        row = conn.execute(
            "SELECT rid, experiment_id, status FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no run with id {run_id!r}")
        return row

    def log_batch(
        self,
        run_id: str,
        params: Iterable[ParamInput] = (),
        metrics: Iterable[MetricInput] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Add params, metric points and tags to an existing run in one transaction.

        Re-logging a param with the same value is fine; a different value is a ``Conflict``.
        """
        values = checked_batch(params, metrics, tags)
        with self._write() as (conn, batch):
            rid, experiment_id, _ = self._run_row(conn, run_id)
            merge_values(conn, batch, rid, experiment_id, *values)
            record_change(conn, "run", "updated", run_id, experiment_id)

    def end_run(
        self,
        run_id: str,
        status: str,
        end_time: int | None = None,
        error: Mapping[str, str] | None = None,
    ) -> Run:
        """Close a RUNNING run with its final status; ``Conflict`` if it has ended already."""
        return self.log_and_end_run(run_id, status, end_time, error)

    def log_and_end_run(
        self,
        run_id: str,
        status: str,
        end_time: int | None = None,
        error: Mapping[str, str] | None = None,
        params: Iterable[ParamInput] = (),
        metrics: Iterable[MetricInput] = (),
        tags: Mapping[str, str] | None = None,
    ) -> Run:
        """Add a RUNNING run's last values and close it, in one transaction: both or neither."""
        status = check_status(status, [s for s in STATUSES if s != "RUNNING"])
        end_time = optional_int(end_time, "end_time")
        end_time = now_ms() if end_time is None else end_time
        error_json = None if error is None else json.dumps(check_error(error), ensure_ascii=False)
        values = checked_batch(params, metrics, tags)
        # Packed before the lock: a run's last batch is most often its first (B4's runs).
        packed = {key: history.blocks(columns) for key, columns in values[1].items()}
        with self._write() as (conn, batch):
            rid, experiment_id, current = self._run_row(conn, run_id)
            if current != "RUNNING":
                raise Conflict(f"run {run_id} has ended already ({current})")
            if any(values):
                merge_values(conn, batch, rid, experiment_id, *values, packed)
            conn.execute(
                "UPDATE runs SET status = ?, end_time = ?, error = coalesce(?, error) "
                "WHERE rid = ?",
                (status, end_time, error_json, rid),
            )
            conn.execute("DELETE FROM run_owners WHERE run = ?", (rid,))
            record_change(conn, "run", "updated", run_id, experiment_id)
        return self.get_run(run_id)

    def kill_orphaned_runs(self) -> list[str]:
        """Mark KILLED the RUNNING runs whose writing process on this machine is gone."""
        with self._write() as (conn, _):
            return kill_orphans(conn)

    def get_run(self, run_id: str) -> Run:
        """One run with params, metric summaries and tags; ``NotFound`` if absent."""
        with self.db.snapshot() as conn:
            return load_runs(conn, self.keys, [self._run_row(conn, run_id)[0]])[0]

    def get_run_by_version(self, experiment_id: str, version: int) -> Run:
        """One run by its version within an experiment."""
        with self.db.snapshot() as conn:
            row = conn.execute(
                "SELECT rid FROM runs WHERE experiment_id = ? AND version = ?",
                (experiment_id, version),
            ).fetchone()
            if row is None:
                raise NotFound(f"no run v{version} in experiment {experiment_id!r}")
            return load_runs(conn, self.keys, [row[0]])[0]

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
        """Runs matching a filter, ordered, one keyset page at a time (no ids: every experiment);
        ``offset`` seeks to a row of the result by stepping over the order's index."""
        search = Search(
            self.keys,
            self.totals,
            experiment_ids,
            filter,
            order_by,
            max_results,
            page_token,
            view,
            summary,
            offset,
        )
        with self.db.snapshot() as conn:
            return search.run(conn)

    def update_run(
        self,
        run_id: str,
        name: str | None = None,
        note: str | None = None,
        set_tags: Mapping[str, str] | None = None,
        delete_tags: Sequence[str] = (),
    ) -> Run:
        """Rename, annotate or re-tag a run."""
        update = check_update_arguments(name, note, set_tags, delete_tags)
        with self._write() as (conn, batch):
            rid, experiment_id, _ = self._run_row(conn, run_id)
            conn.execute(
                "UPDATE runs SET name = coalesce(?, name), note = coalesce(?, note) WHERE rid = ?",
                (update.name, update.note, rid),
            )
            merge_values(conn, batch, rid, experiment_id, [], {}, {}, update.set_tags)
            conn.executemany(
                "DELETE FROM tags WHERE run = ? AND key_id = ?",
                [(rid, key_id) for key_id in batch.find("tag", update.delete_tags).values()],
            )
            record_change(conn, "run", "updated", run_id, experiment_id)
        return self.get_run(run_id)

    def _set_deleted(self, run_id: str, deleted_time: int | None, op: str) -> None:
        with self._write() as (conn, _):
            rid, experiment_id, _ = self._run_row(conn, run_id)
            changed = conn.execute(
                "UPDATE runs SET deleted_time = ? WHERE rid = ? AND deleted_time IS NOT ?",
                (deleted_time, rid, deleted_time),
            ).rowcount
            if changed:
                record_change(conn, "run", op, run_id, experiment_id)

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run (restorable)."""
        self._set_deleted(run_id, now_ms(), "deleted")

    def restore_run(self, run_id: str) -> Run:
        """Undo a soft delete."""
        self._set_deleted(run_id, None, "updated")
        return self.get_run(run_id)

    def metric_history(
        self, run_id: str, key: str, steps: tuple[int, int] | None = None
    ) -> list[MetricPoint]:
        """Every point of one metric of one run, by step then timestamp (``steps``: a range,
        read from the blocks it reaches only)."""
        with self.db.snapshot() as conn:
            rid, key_id = self._history_ids(conn, run_id, key)
            if key_id is None:
                return []
            points, stamps, values = history.read(conn, rid, key_id, steps)
        return in_steps(MetricPoint.series(key, values, points, stamps), steps)

    def metric_extremes(
        self, run_id: str, key: str, max_points: int, steps: tuple[int, int] | None = None
    ) -> list[MetricPoint]:
        """The history's extremes (``RunStore.metric_extremes``), from its blocks' summaries
        when the range holds many blocks (block_extremes.py), else from every point."""
        with self.db.snapshot() as conn:
            rid, key_id = self._history_ids(conn, run_id, key)
            if key_id is None:
                return []
            columns = block_extremes.read(conn, rid, key_id, max_points, steps)
        if columns is None:
            return super().metric_extremes(run_id, key, max_points, steps)
        points, stamps, values = columns
        return MetricPoint.series(key, values, points, stamps)

    def _history_ids(
        self, conn: sqlite3.Connection, run_id: str, key: str
    ) -> tuple[int, int | None]:
        """The run's row id and the metric key's id (None if no run ever logged it)."""
        rid = self._run_row(conn, run_id)[0]
        return rid, self.keys.lookup(conn, [("metric", key)]).get(("metric", key))

    def list_keys(self, experiment_ids: Sequence[str]) -> Keys:
        """Param, metric and tag keys used by runs of these experiments (no ids: all)."""
        ids = list(experiment_ids)
        condition = "1"
        if ids:
            condition = (
                "id IN (SELECT key_id FROM experiment_keys WHERE experiment_id IN ("
                + ", ".join("?" * len(ids))
                + "))"
            )
        with self.db.snapshot() as conn:
            rows = conn.execute(
                f"SELECT kind, name FROM keys WHERE {condition} ORDER BY name", ids
            ).fetchall()
        found: dict[str, list[str]] = {"param": [], "metric": [], "tag": []}
        for kind, name in rows:
            found[kind].append(name)
        return Keys(params=found["param"], metrics=found["metric"], tags=found["tag"])

    def changes(self, since: int = 0, limit: int = 1000) -> tuple[int, list[Change]]:
        """Changes after cursor ``since`` and the cursor to pass next time."""
        since = max(0, optional_int(since, "since") or 0)
        limit = min(max(1, optional_int(limit, "limit") or 1000), 10_000)
        with self.db.snapshot() as conn:
            rows = conn.execute(
                "SELECT cursor, kind, op, id, experiment_id, time FROM changes "
                "WHERE cursor > ? ORDER BY cursor LIMIT ?",
                (since, limit),
            ).fetchall()
            latest = conn.execute("SELECT coalesce(max(cursor), 0) FROM changes").fetchone()[0]
        entries = [Change(*row) for row in rows]
        # A cursor beyond the newest (a recreated database) restarts from the newest.
        return (entries[-1].cursor if entries else min(since, latest)), entries

    # -- artifacts -----------------------------------------------------------------------
    def log_artifact(
        self, run_id: str, path: str, data: bytes, media_type: str | None = None
    ) -> Artifact:
        """Store a file under the run; ``path`` is relative and confined to the run."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgument(f"artifact data must be bytes, got {type(data).__name__}")
        data = bytes(data)
        target = artifact_files.confined(self.artifact_root, run_id, path)
        media_type = media_type or artifact_files.media_type_of(path)
        with self.db.snapshot() as conn:
            self._run_row(conn, run_id)
        temporary, sha256 = artifact_files.write_temporary(target, data)
        try:
            with self._write() as (conn, _):
                rid, experiment_id, _ = self._run_row(conn, run_id)
                conn.execute(
                    "INSERT INTO artifacts (run, path, size, sha256, media_type, created) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run, path) DO UPDATE SET "
                    "size = excluded.size, sha256 = excluded.sha256, "
                    "media_type = excluded.media_type, created = excluded.created",
                    (rid, path, len(data), sha256, media_type, now_ms()),
                )
                record_change(conn, "run", "updated", run_id, experiment_id)
                os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return Artifact(path, len(data), sha256, media_type)

    def list_artifacts(self, run_id: str) -> list[Artifact]:
        """Files stored with a run, by path."""
        with self.db.snapshot() as conn:
            rid = self._run_row(conn, run_id)[0]
            rows = conn.execute(
                "SELECT path, size, sha256, media_type FROM artifacts WHERE run = ? ORDER BY path",
                (rid,),
            ).fetchall()
        return [Artifact(*row) for row in rows]

    def read_artifact(self, run_id: str, path: str) -> bytes:
        """The bytes of one artifact; ``NotFound`` if absent, ``InvalidArgument`` if unconfined."""
        return artifact_files.read_file(self._artifact_file(run_id, path), path)

    def open_artifact(self, run_id: str, path: str) -> BinaryIO:
        """One artifact's file opened for reading (downloads stream it in chunks)."""
        return artifact_files.open_file(self._artifact_file(run_id, path), path)

    def _artifact_file(self, run_id: str, path: str) -> Path:
        target = artifact_files.confined(self.artifact_root, run_id, path)
        with self.db.snapshot() as conn:
            rid = self._run_row(conn, run_id)[0]
            found = conn.execute(
                "SELECT 1 FROM artifacts WHERE run = ? AND path = ?", (rid, path)
            ).fetchone()
        if found is None:
            raise NotFound(f"run {run_id} has no artifact {path!r}")
        return target
