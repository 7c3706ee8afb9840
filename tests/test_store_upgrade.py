"""Upgrades: a store of the first released schema migrates forward without loss; a store
from a newer jupyterlab-runs is refused with a clear message and left untouched."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from pathlib import Path

import pytest
from fixtures.make_schema1_store import OUT as FIXTURE
from fixtures.make_schema1_store import expected

from jupyterlab_runs.store import SqliteStore, StoreUnavailable
from jupyterlab_runs.store.base import NewRun
from jupyterlab_runs.store.sqlite import points
from jupyterlab_runs.store.sqlite.migrations import SCHEMA_VERSION


@pytest.fixture
def old_store(tmp_path) -> Path:
    """A copy of the checked-in schema-1 store (the fixture itself is never opened)."""
    folder = tmp_path / "store"
    shutil.copytree(FIXTURE, folder)
    return folder / "runs.db"


def rows(path: Path) -> dict[str, list]:
    """Every row of every table migration 1 made, in a stable order."""
    with sqlite3.connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables}


def history_rows(path: Path) -> list[str]:
    """metric_blocks' points as rows of the old metric_history table (NaN as NULL)."""
    with sqlite3.connect(path) as conn:
        found = []
        for run, key_id, data in conn.execute("SELECT run, key_id, data FROM metric_blocks"):
            for step, stamp, value in zip(*points.unpack(data), strict=True):
                found.append((run, key_id, step, stamp, None if math.isnan(value) else value))
    return sorted(map(repr, found))


def schema(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return {
            (kind, name)
            for kind, name in conn.execute("SELECT type, name FROM sqlite_master")
            if not name.startswith("sqlite_autoindex")
        }


def test_the_fixture_is_the_first_schema():
    with sqlite3.connect(f"file:{FIXTURE / 'runs.db'}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]


def test_a_first_schema_store_migrates_forward_without_loss(old_store, tmp_path):
    before = rows(old_store)
    store = SqliteStore(old_store)
    try:
        # Everything the API showed when the fixture was made is still there, unchanged.
        shown = json.loads((FIXTURE / "expected.json").read_text())
        assert expected(store) == shown
        with sqlite3.connect(old_store) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = rows(old_store)
        # Migration 3 packed metric_history into metric_blocks: the same points, each one.
        assert history_rows(old_store) == before.pop("metric_history")
        for table, old_rows in before.items():
            if table != "schema_migrations":
                assert after[table] == old_rows, table
        # The migrated file has exactly the schema of a store created today.
        fresh = SqliteStore(tmp_path / "fresh" / "runs.db")
        fresh.close()
        assert schema(old_store) == schema(tmp_path / "fresh" / "runs.db")
        # And it keeps working: versions continue where they stopped.
        train = store.get_experiment_by_name("notebooks/train.ipynb")
        assert store.create_run(NewRun(experiment_id=train.id)).version == 4
    finally:
        store.close()


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_a_newer_schema_is_refused_and_not_modified(tmp_path, journal_mode):
    path = tmp_path / "runs.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA journal_mode = {journal_mode}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    content, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(StoreUnavailable) as refused:
        SqliteStore(path)
    message = str(refused.value)
    assert f"schema version {SCHEMA_VERSION + 1}, newer than this" in message
    assert "upgrade jupyterlab-runs" in message and str(path) in message
    assert path.read_bytes() == content and path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == files
