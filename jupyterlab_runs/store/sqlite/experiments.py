"""The experiment half of SqliteStore: create, find, list, rename and soft-delete."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence

from ..base import MAX_CODE_LENGTH, Conflict, Experiment, InvalidArgument, NotFound, ViewType
from ..values import check_name, now_ms, optional_text
from .db import Database
from .queries import Totals
from .writes import record_change

_EXPERIMENT_COLUMNS = "e.id, e.name, e.created, e.notebook_path, e.description, e.deleted_time"
_VIEW_CONDITIONS = {
    "active": "e.deleted_time IS NULL",
    "deleted": "e.deleted_time IS NOT NULL",
    "all": "1",
}


class ExperimentMethods:
    """RunStore's experiment methods over ``self.db``; mixed into SqliteStore."""

    db: Database
    totals: Totals

    def _experiments(self, condition: str, bound: Sequence[object]) -> list[Experiment]:
        with self.db.snapshot() as conn:
            rows = conn.execute(
                f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments e WHERE {condition} "
                "ORDER BY e.created DESC, e.rowid DESC",
                bound,
            ).fetchall()
            counts = self.totals.active_runs(conn, [row[0] for row in rows])
        return [Experiment(*row, run_count=counts[row[0]]) for row in rows]

    def _experiment(self, condition: str, bound: Sequence[object], what: str) -> Experiment:
        found = self._experiments(condition, bound)
        if not found:
            raise NotFound(f"no experiment {what}")
        return found[0]

    def create_experiment(
        self, name: str, notebook_path: str | None = None, description: str = ""
    ) -> Experiment:
        """Create an experiment; ``Conflict`` if the name is taken."""
        name = check_name(name, "experiment name")
        notebook_path = optional_text(notebook_path, "notebook_path")
        description = optional_text(description, "description", MAX_CODE_LENGTH) or ""
        experiment_id = uuid.uuid4().hex
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO experiments (id, name, created, notebook_path, description) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        experiment_id,
                        name,
                        now_ms(),
                        notebook_path,
                        description,
                    ),
                )
                record_change(conn, "experiment", "created", experiment_id, experiment_id)
        except sqlite3.IntegrityError:
            raise Conflict(f"an experiment named {name!r} already exists") from None
        return self.get_experiment(experiment_id)

    def get_or_create_experiment(self, name: str, notebook_path: str | None = None) -> Experiment:
        """The experiment with this name, created (or restored, if deleted) when needed."""
        name = check_name(name, "experiment name")
        notebook_path = optional_text(notebook_path, "notebook_path")
        found = self._experiments("e.name = ?", (name,))
        if found and found[0].deleted_time is None:
            return found[0]
        with self.db.transaction() as conn:
            experiment_id = uuid.uuid4().hex
            created = conn.execute(
                "INSERT INTO experiments (id, name, created, notebook_path) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (experiment_id, name, now_ms(), notebook_path),
            ).rowcount
            if created:
                record_change(conn, "experiment", "created", experiment_id, experiment_id)
            else:
                restored = conn.execute(
                    "UPDATE experiments SET deleted_time = NULL "
                    "WHERE name = ? AND deleted_time IS NOT NULL RETURNING id",
                    (name,),
                ).fetchone()
                if restored:
                    record_change(conn, "experiment", "updated", restored[0], restored[0])
        return self.get_experiment_by_name(name)

    def get_experiment(self, experiment_id: str) -> Experiment:
        """One experiment by id; ``NotFound`` if absent."""
        return self._experiment("e.id = ?", (experiment_id,), f"with id {experiment_id!r}")

    def get_experiment_by_name(self, name: str) -> Experiment:
        """One experiment by name; ``NotFound`` if absent."""
        return self._experiment("e.name = ?", (name,), f"named {name!r}")

    def list_experiments(self, view: ViewType = "active") -> list[Experiment]:
        """All experiments, most recently created first."""
        if view not in _VIEW_CONDITIONS:
            raise InvalidArgument(f"view must be one of active, deleted, all, got {view!r}")
        return self._experiments(_VIEW_CONDITIONS[view], ())

    def update_experiment(
        self, experiment_id: str, name: str | None = None, description: str | None = None
    ) -> Experiment:
        """Rename or re-describe an experiment; ``Conflict`` if the new name is taken."""
        name = None if name is None else check_name(name, "experiment name")
        description = optional_text(description, "description", MAX_CODE_LENGTH)
        try:
            with self.db.transaction() as conn:
                updated = conn.execute(
                    "UPDATE experiments SET name = coalesce(?, name), "
                    "description = coalesce(?, description) WHERE id = ?",
                    (name, description, experiment_id),
                ).rowcount
                if not updated:
                    raise NotFound(f"no experiment with id {experiment_id!r}")
                record_change(conn, "experiment", "updated", experiment_id, experiment_id)
        except sqlite3.IntegrityError:
            raise Conflict(f"an experiment named {name!r} already exists") from None
        return self.get_experiment(experiment_id)

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft-delete an experiment (its runs stay, hidden with it)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT deleted_time FROM experiments WHERE id = ?", (experiment_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no experiment with id {experiment_id!r}")
            if row[0] is None:
                conn.execute(
                    "UPDATE experiments SET deleted_time = ? WHERE id = ?",
                    (now_ms(), experiment_id),
                )
                record_change(conn, "experiment", "deleted", experiment_id, experiment_id)
