"""SqliteStore: schema and migrations, experiments, and the life of a run."""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3

import pytest

from jupyterlab_runs.store import (
    Conflict,
    InvalidArgument,
    MetricColumns,
    MetricInput,
    NewRun,
    NotFound,
    ParamInput,
    RunStore,
    SqliteStore,
    StoreUnavailable,
)
from jupyterlab_runs.store.sqlite.migrations import MIGRATIONS, SCHEMA_VERSION, migrate


def raw(store: SqliteStore) -> sqlite3.Connection:
    """A plain connection to the store's file, to look at what was really written."""
    return sqlite3.connect(store.db.path)


def full_run(experiment_id: str, **changes) -> NewRun:
    values = dict(
        experiment_id=experiment_id,
        status="FAILED",
        source="toolbar",
        start_time=1_000,
        end_time=3_500,
        notebook_path="work/train.ipynb",
        cell_id="c-1",
        execution_count=7,
        kernel_name="python3",
        language="python",
        code="n_estimators = 200\nfit()\n",
        git_commit="abc123",
        user="ada",
        note="first *try*",
        error={"name": "ValueError", "message": "bad"},
        context={"cells": ["a", "b"], "python": "3.11"},
        params=[ParamInput("n_estimators", 200), ParamInput("model", "rf")],
        metrics=[MetricInput("acc", 0.5, step=0, timestamp=10), MetricInput("acc", 0.9, 1, 20)],
        tags={"team": "ml"},
    )
    values.update(changes)
    return NewRun(**values)


# -- schema ----------------------------------------------------------------------------------


def test_schema_holds_the_designed_tables_and_indexes(store):
    with raw(store) as conn:
        objects = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        recorded = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    for table in (
        "experiments",
        "runs",
        "keys",
        "params",
        "latest_metrics",
        "metric_blocks",
        "tags",
        "artifacts",
        "changes",
        "experiment_keys",
    ):
        assert table in objects
    assert "WITHOUT ROWID" in objects["metric_blocks"]
    assert "PRIMARY KEY (run, key_id, block)" in objects["metric_blocks"]
    assert "UNIQUE (experiment_id, version)" in objects["runs"]
    assert "AUTOINCREMENT" in objects["changes"]
    assert "latest_metrics(key_id, value)" in objects["latest_metrics_key_value"]
    assert "params(key_id, num_value)" in objects["params_key_number"]
    assert version == SCHEMA_VERSION
    assert recorded == [(number, name) for number, name, _ in MIGRATIONS]
    assert recorded[:3] == [
        (1, "initial schema"),
        (2, "owners of running runs"),
        (3, "metric history packed in blocks"),
    ]


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(store):
    conn = store.db.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


def test_migrations_run_once_and_reopening_is_a_no_op(tmp_path):
    path = tmp_path / "runs.db"
    SqliteStore(path).close()
    again = SqliteStore(path)
    assert migrate(again.db) == 0
    with raw(again) as conn:
        count = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        assert count == len(MIGRATIONS)
    again.close()


def test_a_newer_schema_is_refused_with_an_explanation(tmp_path):
    path = tmp_path / "runs.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreUnavailable, match="schema version 99, newer than"):
        SqliteStore(path)


# -- experiments -----------------------------------------------------------------------------


def test_experiments_are_created_found_and_listed_newest_first(store):
    first = store.create_experiment("a", notebook_path="a.ipynb", description="d")
    second = store.create_experiment("b")
    assert re.fullmatch(r"[0-9a-f]{32}", first.id)
    assert store.get_experiment(first.id) == first
    assert store.get_experiment_by_name("a").notebook_path == "a.ipynb"
    assert [e.name for e in store.list_experiments()] == ["b", "a"]
    assert second.run_count == 0
    with pytest.raises(Conflict, match="'a' already exists"):
        store.create_experiment("a")
    with pytest.raises(NotFound):
        store.get_experiment("missing")
    with pytest.raises(NotFound):
        store.get_experiment_by_name("missing")
    with pytest.raises(InvalidArgument):
        store.create_experiment("  ")


def test_experiments_are_renamed_and_soft_deleted(store):
    a = store.create_experiment("a")
    store.create_experiment("b")
    assert store.update_experiment(a.id, name="a2", description="new").description == "new"
    with pytest.raises(Conflict):
        store.update_experiment(a.id, name="b")
    store.create_run(NewRun(a.id))
    store.delete_experiment(a.id)
    assert [e.name for e in store.list_experiments()] == ["b"]
    deleted = store.list_experiments("deleted")
    assert [e.name for e in deleted] == ["a2"] and deleted[0].deleted_time is not None
    assert deleted[0].run_count == 1
    assert len(store.list_experiments("all")) == 2
    with pytest.raises(NotFound):
        store.delete_experiment("missing")


def test_get_or_create_experiment_returns_one_experiment_and_restores_a_deleted_one(store):
    created = store.get_or_create_experiment("nb.ipynb", notebook_path="nb.ipynb")
    assert store.get_or_create_experiment("nb.ipynb") == created
    store.delete_experiment(created.id)
    restored = store.get_or_create_experiment("nb.ipynb")
    assert restored.id == created.id and restored.deleted_time is None


# -- runs ------------------------------------------------------------------------------------


def test_a_run_keeps_every_field(store, experiment):
    created = store.create_run(full_run(experiment.id, parent_run_id=None))
    run = store.get_run(created.id)
    assert run == created
    assert re.fullmatch(r"[0-9a-f]{32}", run.id)
    assert (run.version, run.name, run.status, run.source) == (1, "v1", "FAILED", "toolbar")
    assert (run.start_time, run.end_time, run.duration_ms) == (1_000, 3_500, 2_500)
    assert (run.notebook_path, run.cell_id, run.execution_count) == ("work/train.ipynb", "c-1", 7)
    assert (run.kernel_name, run.language, run.git_commit, run.user) == (
        "python3",
        "python",
        "abc123",
        "ada",
    )
    assert run.code_hash == hashlib.sha256(run.code.encode()).hexdigest()
    assert run.error == {"name": "ValueError", "message": "bad"}
    assert run.context == {"cells": ["a", "b"], "python": "3.11"}
    assert run.params["n_estimators"].value == "200" and run.params["n_estimators"].type == "int"
    acc = run.metrics["acc"]
    assert (acc.value, acc.step, acc.min, acc.max, acc.count) == (0.9, 1, 0.5, 0.9, 2)
    assert run.tags == {"team": "ml"}
    assert store.get_run_by_version(experiment.id, 1) == run
    with pytest.raises(NotFound, match="no run v2"):
        store.get_run_by_version(experiment.id, 2)
    with pytest.raises(NotFound):
        store.get_run("0" * 32)


def test_versions_count_up_per_experiment_and_name_defaults_to_v_version(store):
    a = store.create_experiment("a")
    b = store.create_experiment("b")
    versions = [store.create_run(NewRun(a.id)).version for _ in range(3)]
    other = store.create_run(NewRun(b.id, name="baseline"))
    assert versions == [1, 2, 3]
    assert (other.version, other.name) == (1, "baseline")
    assert store.get_experiment(a.id).run_count == 3


def test_a_run_in_an_unknown_experiment_is_not_found(store):
    with pytest.raises(NotFound, match="no experiment"):
        store.create_run(NewRun("nope"))


def test_a_failed_run_is_saved_not_at_all_and_does_not_consume_a_version(store, experiment):
    with pytest.raises(InvalidArgument, match="metric 'bad' must be a number"):
        store.create_run(
            full_run(experiment.id, metrics=[MetricInput("ok", 1.0), MetricInput("bad", "x")])
        )
    # This one fails inside the transaction, after the experiment's version counter moved.
    with pytest.raises(NotFound, match="no parent run"):
        store.create_run(full_run(experiment.id, parent_run_id="f" * 32))
    with raw(store) as conn:
        for table in ("runs", "params", "latest_metrics", "metric_blocks", "tags"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM changes WHERE kind = 'run'").fetchone()[0] == 0
    assert store.create_run(NewRun(experiment.id)).version == 1


def test_a_child_run_points_at_its_parent(store, experiment):
    parent = store.create_run(NewRun(experiment.id))
    child = store.create_run(NewRun(experiment.id, parent_run_id=parent.id))
    assert store.get_run(child.id).parent_run_id == parent.id


def test_log_batch_adds_to_a_run_and_params_cannot_change(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING", params=[ParamInput("lr", 0.1)]))
    store.log_batch(
        run.id,
        params=[ParamInput("lr", 0.1), ParamInput("depth", 3)],
        metrics=[MetricInput("loss", 0.5, step=1), MetricInput("loss", 0.2, step=2)],
        tags={"stage": "train"},
    )
    store.log_batch(run.id, metrics=[MetricInput("loss", 0.7, step=0)], tags={"stage": "eval"})
    got = store.get_run(run.id)
    assert {k: p.value for k, p in got.params.items()} == {"lr": "0.1", "depth": "3"}
    loss = got.metrics["loss"]
    assert (loss.value, loss.step, loss.min, loss.max, loss.count) == (0.2, 2, 0.2, 0.7, 3)
    assert got.tags == {"stage": "eval"}
    with pytest.raises(Conflict, match="'lr' is already '0.1'"):
        store.log_batch(run.id, params=[ParamInput("lr", 0.2)], metrics=[MetricInput("x", 1)])
    assert "x" not in store.get_run(run.id).metrics  # the whole batch was refused
    with pytest.raises(NotFound):
        store.log_batch("missing", metrics=[MetricInput("x", 1)])


def test_relogging_a_point_at_the_same_step_and_time_replaces_it(store, experiment):
    run = store.create_run(NewRun(experiment.id))
    store.log_batch(run.id, metrics=[MetricInput("m", 1.0, step=1, timestamp=5)])
    store.log_batch(run.id, metrics=[MetricInput("m", 2.0, step=1, timestamp=5)])
    assert [p.value for p in store.metric_history(run.id, "m")] == [2.0]
    assert store.get_run(run.id).metrics["m"].count == 1


def test_end_run_closes_a_running_run_once(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING", start_time=100))
    assert run.end_time is None and run.duration_ms is None
    ended = store.end_run(run.id, "FAILED", end_time=400, error={"name": "E", "message": "m"})
    assert (ended.status, ended.end_time, ended.duration_ms) == ("FAILED", 400, 300)
    assert ended.error == {"name": "E", "message": "m"}
    with pytest.raises(Conflict, match="has ended already"):
        store.end_run(run.id, "FINISHED")
    with pytest.raises(InvalidArgument, match="status must be one of FINISHED, FAILED, KILLED"):
        store.end_run(store.create_run(NewRun(experiment.id, status="RUNNING")).id, "RUNNING")


def test_log_and_end_run_writes_the_last_batch_and_the_end_together(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING", params=[ParamInput("lr", 0.1)]))
    store.log_batch(run.id, metrics=[MetricInput("loss", 0.9, step=0)])
    cursor, _ = store.changes()
    ended = store.log_and_end_run(
        run.id,
        "FINISHED",
        end_time=run.start_time + 5,
        params=[ParamInput("depth", 3)],
        metrics=[
            *(MetricInput("loss", v, step=s) for s, v in [(2, 0.2), (1, 0.5)]),
            *(MetricInput("acc", v, s, 7) for s, v in [(1, 0.5), (0, math.nan), (1, 0.75)]),
        ],
        tags={"stage": "done"},
    )
    assert (ended.status, ended.end_time) == ("FINISHED", run.start_time + 5)
    assert {k: p.value for k, p in ended.params.items()} == {"lr": "0.1", "depth": "3"}
    loss = ended.metrics["loss"]
    assert (loss.value, loss.step, loss.min, loss.max, loss.count) == (0.2, 2, 0.2, 0.9, 3)
    assert [p.value for p in store.metric_history(run.id, "loss")] == [0.9, 0.5, 0.2]
    acc = ended.metrics["acc"]  # a new history: sorted, the later of two points kept
    assert (acc.value, acc.step, acc.min, acc.max, acc.count) == (0.75, 1, 0.75, 0.75, 2)
    assert [p.step for p in store.metric_history(run.id, "acc")] == [0, 1]
    assert ended.tags == {"stage": "done"}
    _, changes = store.changes(cursor)
    assert [(c.op, c.id) for c in changes] == [("updated", run.id)]  # one write transaction


def test_log_and_end_run_writes_both_or_neither(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING", params=[ParamInput("lr", 0.1)]))
    with pytest.raises(Conflict, match="'lr' is already '0.1'"):
        store.log_and_end_run(
            run.id, "FINISHED", params=[ParamInput("lr", 0.2)], metrics=[MetricInput("x", 1)]
        )
    kept = store.get_run(run.id)
    assert kept.status == "RUNNING" and "x" not in kept.metrics  # not ended, nothing written
    store.end_run(run.id, "KILLED")
    with pytest.raises(Conflict, match="has ended already"):
        store.log_and_end_run(run.id, "FINISHED", metrics=[MetricInput("late", 1)])
    assert "late" not in store.get_run(run.id).metrics  # an ended run takes no last batch


def test_the_contracts_log_and_end_run_is_log_batch_then_end_run(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING"))
    ended = RunStore.log_and_end_run(store, run.id, "FAILED", metrics=[MetricInput("m", 2.0)])
    assert ended.status == "FAILED" and ended.metrics["m"].value == 2.0
    _, changes = store.changes()
    assert [c.op for c in changes if c.id == run.id] == ["created", "updated", "updated"]
    run = store.create_run(NewRun(experiment.id, status="RUNNING"))
    cursor, _ = store.changes()
    RunStore.log_and_end_run(store, run.id, "FINISHED")  # nothing to log: end_run alone
    assert [c.op for c in store.changes(cursor)[1]] == ["updated"]


def test_a_batch_of_columns_stores_what_its_points_would(store, experiment):
    batch = MetricColumns(
        {
            "loss": ([2, 0, 2], [5, 5, 5], [0.5, math.nan, 0.25]),  # normal: checked by column
            "acc": ([0, 1], [5, 9], [1, 2]),  # ints: converted point by point
            "lr": ([0], [None], [0.1]),  # no timestamp: the write's
        },
        {"loss": "explicit", "acc": "printed", "lr": "mlflow"},
    )
    runs = [store.create_run(NewRun(experiment.id, status="RUNNING")) for _ in range(2)]
    store.log_batch(runs[0].id, metrics=batch)
    store.log_batch(runs[1].id, metrics=list(batch))  # the same points as MetricInputs
    stored = [store.get_run(run.id).metrics for run in runs]
    assert stored[0].keys() == stored[1].keys() == {"loss", "acc", "lr"}
    for key in ("loss", "acc"):
        histories = [store.metric_history(run.id, key) for run in runs]
        assert repr(histories[0]) == repr(histories[1])  # NaN == NaN, as text
        assert repr(stored[0][key]) == repr(stored[1][key])
    assert [p.value for p in store.metric_history(runs[0].id, "loss")][1:] == [0.25]
    assert type(stored[0]["acc"].value) is float and stored[0]["acc"].source == "printed"
    assert store.metric_history(runs[0].id, "lr")[0].timestamp > 0
    for columns, error in [
        ({"x": ([2**63], [1], [1.0])}, "step of metric 'x'"),
        ({"x": ([0, 1], [1], [1.0])}, "differ in length"),
        ({" ": ([0], [1], [1.0])}, "must not be empty"),
    ]:
        bad = MetricColumns(columns, {key: "explicit" for key in columns})
        with pytest.raises(InvalidArgument, match=error):
            store.log_batch(runs[0].id, metrics=bad)


def test_update_run_renames_annotates_and_retags(store, experiment):
    run = store.create_run(NewRun(experiment.id, tags={"a": "1", "b": "2"}))
    updated = store.update_run(
        run.id,
        name="best",
        note="# why",
        set_tags={"c": "3", "a": "9"},
        delete_tags=["b", "never-set"],
    )
    assert (updated.name, updated.note, updated.tags) == ("best", "# why", {"a": "9", "c": "3"})
    assert store.update_run(run.id).name == "best"
    with pytest.raises(InvalidArgument):
        store.update_run(run.id, name="")


def test_delete_and_restore_are_soft(store, experiment):
    run = store.create_run(NewRun(experiment.id))
    store.delete_run(run.id)
    assert store.get_run(run.id).deleted_time is not None
    assert store.search_runs([experiment.id]).total == 0
    assert store.search_runs([experiment.id], view="deleted").total == 1
    assert store.get_experiment(experiment.id).run_count == 0
    assert store.restore_run(run.id).deleted_time is None
    assert store.search_runs([experiment.id]).total == 1
    with pytest.raises(NotFound):
        store.delete_run("missing")


def test_metric_history_comes_back_in_step_order(store, experiment):
    run = store.create_run(
        NewRun(
            experiment.id,
            metrics=[
                MetricInput("loss", 0.3, step=3, timestamp=1),
                MetricInput("loss", 0.9, step=1, timestamp=2),
            ],
        )
    )
    store.log_batch(run.id, metrics=[MetricInput("loss", 0.5, step=2, timestamp=3)])
    assert [(p.step, p.value) for p in store.metric_history(run.id, "loss")] == [
        (1, 0.9),
        (2, 0.5),
        (3, 0.3),
    ]
    assert store.metric_history(run.id, "unknown") == []
    with pytest.raises(NotFound):
        store.metric_history("missing", "loss")


def test_list_keys_reports_the_keys_of_the_given_experiments(store):
    a = store.create_experiment("a")
    b = store.create_experiment("b")
    store.create_run(
        NewRun(a.id, params=[ParamInput("p", 1)], metrics=[MetricInput("m", 1)], tags={"t": "x"})
    )
    store.create_run(NewRun(b.id, params=[ParamInput("q", 1)]))
    keys = store.list_keys([a.id])
    assert (keys.params, keys.metrics, keys.tags) == (["p"], ["m"], ["t"])
    assert store.list_keys([a.id, b.id]).params == ["p", "q"]
    assert store.list_keys([]).params == ["p", "q"]


def test_the_change_feed_records_every_mutation_in_order(store):
    assert store.changes() == (0, [])
    experiment = store.create_experiment("a")
    run = store.create_run(NewRun(experiment.id, status="RUNNING"))
    cursor, first = store.changes()
    store.log_batch(run.id, metrics=[MetricInput("m", 1)])
    store.end_run(run.id, "FINISHED")
    store.update_run(run.id, note="n")
    store.delete_run(run.id)
    store.restore_run(run.id)
    store.log_artifact(run.id, "f.txt", b"x")
    store.delete_experiment(experiment.id)
    _, rest = store.changes(cursor)
    assert [(c.kind, c.op) for c in first] == [("experiment", "created"), ("run", "created")]
    assert [(c.kind, c.op) for c in rest] == [("run", "updated")] * 3 + [
        ("run", "deleted"),
        ("run", "updated"),
        ("run", "updated"),
        ("experiment", "deleted"),
    ]
    assert all(c.experiment_id == experiment.id for c in first + rest)
    assert [c.cursor for c in rest] == list(range(cursor + 1, cursor + 8))
    limited_cursor, limited = store.changes(0, limit=2)
    assert limited_cursor == 2 and len(limited) == 2
    assert store.changes(10_000) == (cursor + 7, [])


def test_a_memory_store_works_like_a_file_store(memory_store):
    experiment = memory_store.create_experiment("m")
    run = memory_store.create_run(NewRun(experiment.id, params=[ParamInput("p", 1)]))
    assert memory_store.get_run(run.id).params["p"].value == "1"
    assert memory_store.log_artifact(run.id, "a.txt", b"hi").size == 2
    assert memory_store.read_artifact(run.id, "a.txt") == b"hi"
