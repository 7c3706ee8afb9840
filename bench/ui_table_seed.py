"""Seed the embedded store with a million runs in minutes: bulk rows of the store's own tables.

``create_run`` costs a few milliseconds a run (one write transaction each, keys interned,
indexes updated row by row): an hour for 1,000,000 runs. Here run 0 is logged through
``create_run`` and every other run is written as the rows ``create_run`` would have written
for it (``bench_store.new_run(i)``'s params and metrics, run 0's constant columns), in one
transaction with the secondary indexes dropped and rebuilt after — the schema stays the
store's. Before writing, the rows made for run 1 are checked against what ``create_run``
writes for run 1 in a scratch store, so the shortcut cannot drift from the store.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_store import START, new_run, run_values

from jupyterlab_runs.store import SqliteStore
from jupyterlab_runs.store.sqlite.points import pack

CHUNK = 20_000  # runs per executemany batch
# Metric points: one row per run and key, one block of one point (points.py).
POINTS = "metric_blocks"
VALUE_TABLES = ("params", "latest_metrics", POINTS)
# Indexes rebuilt after the load (sorting once beats inserting 70M rows into them one by one).
BULK_TABLES = (*VALUE_TABLES, "tags", "runs", "changes")


def _template(conn: sqlite3.Connection, run_id: str) -> dict[str, list]:
    """Every row run ``run_id`` has in the value tables, by table, in primary-key order."""
    rid = conn.execute("SELECT rid FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
    rows = {"runs": conn.execute("SELECT * FROM runs WHERE rid = ?", (rid,)).fetchall()}
    for table in (*VALUE_TABLES, "tags"):
        rows[table] = conn.execute(
            f"SELECT * FROM {table} WHERE run = ? ORDER BY key_id", (rid,)
        ).fetchall()
    rows["changes"] = conn.execute(
        "SELECT kind, op, id, experiment_id FROM changes WHERE id = ?", (run_id,)
    ).fetchall()
    return rows


class _Rows:
    """The rows of run ``i``, made from run 0's rows (same keys, same constant columns)."""

    def __init__(self, template: dict[str, list], params: int, metrics: int):
        self.params, self.metrics = params, metrics
        self.run = list(template["runs"][0])
        # Key ids by name order of run 0: p0.., m0.. were interned in that order.
        self.param_rows = template["params"]
        self.metric_rows = template["latest_metrics"]
        self.point_rows = template[POINTS]
        self.change = template["changes"][0]

    def make(self, i: int, run_id: str) -> dict[str, list[tuple]]:
        values, numbers = run_values(i, self.params, self.metrics)
        rid, version, start = i + 1, i + 1, START + i * 1000
        run = list(self.run)
        run[0:2] = [rid, run_id]
        run[3:5] = [version, f"v{version}"]
        run[7:9] = [start, start + 500]
        params = []
        for (_, key_id, _, type_, _, source), value in zip(
            self.param_rows, values.values(), strict=True
        ):
            number = float(value) if type_ == "int" else None
            params.append((rid, key_id, str(value), type_, number, source))
        latest = [
            (rid, key_id, value, step, start, value, value, count, source)
            for (_, key_id, _, step, _, _, _, count, source), value in zip(
                self.metric_rows, numbers.values(), strict=True
            )
        ]
        points = [
            (rid, key_id, 0, 1, step, start, start, value, value, pack([step], [start], [value]))
            for (_, key_id, _, _, step, *_), value in zip(
                self.point_rows, numbers.values(), strict=True
            )
        ]
        kind, op, _, experiment_id = self.change
        return {
            "runs": [tuple(run)],
            "params": params,
            "latest_metrics": latest,
            POINTS: points,
            "changes": [(kind, op, run_id, experiment_id, start)],
        }


def _check_against_create_run(rows: _Rows, experiment_name: str, params: int, metrics: int):
    """The bulk rows of run 1 equal what create_run writes for it (ids and times aside)."""
    with tempfile.TemporaryDirectory() as scratch:
        store = SqliteStore(Path(scratch) / "check.db")
        experiment = store.create_experiment(experiment_name)
        store.create_run(new_run(experiment.id, 0, params, metrics))
        real = _template(
            store.db.connection(), store.create_run(new_run(experiment.id, 1, params, metrics)).id
        )
        store.close()
    made = rows.make(1, real["runs"][0][1])
    for table in VALUE_TABLES:
        if [tuple(r) for r in real[table]] != made[table]:
            raise AssertionError(f"bulk {table} rows differ from create_run's")
    ignore = {2, 16}  # experiment id (another store), user
    theirs = [v for n, v in enumerate(real["runs"][0]) if n not in ignore]
    mine = [v for n, v in enumerate(made["runs"][0]) if n not in ignore]
    if theirs != mine:
        raise AssertionError(f"bulk runs row differs from create_run's: {mine} != {theirs}")


def seed_bulk(path: Path, runs: int, params: int, metrics: int) -> tuple[str, float]:
    """``runs`` runs in the store at ``path`` (reused when already seeded); returns the
    experiment id and the seconds seeding took (NaN when reused)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    store = SqliteStore(path)
    found = store.list_experiments()
    if found:
        store.close()
        return found[0].id, float("nan")
    started = time.perf_counter()
    experiment = store.create_experiment("bench")
    first = store.create_run(new_run(experiment.id, 0, params, metrics))
    template = _template(store.db.connection(), first.id)
    store.close()
    rows = _Rows(template, params, metrics)
    _check_against_create_run(rows, "bench", params, metrics)

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")  # no multi-gigabyte WAL while loading
    conn.execute("PRAGMA synchronous = OFF")  # a crash while seeding just means seeding again
    conn.execute("PRAGMA cache_size = -1000000")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(BULK_TABLES))})",
        BULK_TABLES,
    ).fetchall()
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    columns = {t: len(template[t][0]) for t in ("runs", *VALUE_TABLES)}
    inserts = {
        table: f"INSERT INTO {table} VALUES ({', '.join('?' * n)})" for table, n in columns.items()
    }
    inserts["changes"] = (
        "INSERT INTO changes (kind, op, id, experiment_id, time) VALUES (?, ?, ?, ?, ?)"
    )
    for chunk_start in range(1, runs, CHUNK):
        batch: dict[str, list[tuple]] = {table: [] for table in inserts}
        for i in range(chunk_start, min(chunk_start + CHUNK, runs)):
            for table, made in rows.make(i, uuid.uuid4().hex).items():
                batch[table].extend(made)
        for table, made in batch.items():
            conn.executemany(inserts[table], made)
        done = min(chunk_start + CHUNK, runs)
        if done % (runs // 10 or 1) < CHUNK:
            rate = done / (time.perf_counter() - started)
            print(
                f"  bulk seed: {done:,}/{runs:,} runs ({rate:,.0f}/s)", file=sys.stderr, flush=True
            )
    conn.execute("UPDATE experiments SET next_version = ? WHERE id = ?", (runs + 1, experiment.id))
    print("  bulk seed: rebuilding indexes", file=sys.stderr, flush=True)
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    SqliteStore(path).close()  # opened and closed as the store does (PRAGMA optimize)
    return experiment.id, time.perf_counter() - started
