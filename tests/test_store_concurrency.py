"""SqliteStore under concurrency: processes racing on one new file, readers beside a writer,
and a writer that must wait for another process's lock instead of failing."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
import traceback

import pytest

from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore, StoreUnavailable

SPAWN = multiprocessing.get_context("spawn")


def create_runs(path: str, count: int, barrier, results) -> None:
    """Worker: open the store (maybe first), find the experiment and log ``count`` runs."""
    try:
        barrier.wait(timeout=60)
        store = SqliteStore(path)
        experiment = store.get_or_create_experiment("race")
        versions = [
            store.create_run(
                NewRun(
                    experiment.id,
                    params=[ParamInput("worker", multiprocessing.current_process().name)],
                    metrics=[MetricInput("i", i)],
                )
            ).version
            for i in range(count)
        ]
        store.close()
        results.put(("ok", versions))
    except BaseException:  # noqa: BLE001 - report anything to the parent
        results.put(("error", traceback.format_exc()))


def test_four_processes_get_gapless_unique_versions(tmp_path):
    path = str(tmp_path / "new" / "runs.db")
    barrier, results = SPAWN.Barrier(4), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=create_runs, args=(path, 250, barrier, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    errors = [detail for status, detail in outcomes if status == "error"]
    assert errors == []
    versions = sorted(v for _, detail in outcomes for v in detail)
    assert versions == list(range(1, 1001))
    store = SqliteStore(path)
    (experiment,) = store.list_experiments()
    assert experiment.run_count == 1000
    assert store.search_runs([experiment.id], max_results=1).items[0].version == 1000
    store.close()


def hold_write_lock(path: str, seconds: float, holding) -> None:
    """Worker: take the write lock on the file and keep it for ``seconds``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO changes (kind, op, id, time) VALUES ('test', 'held', 'x', 0)")
    holding.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


def test_a_writer_waits_for_another_processs_lock_instead_of_failing(store, experiment):
    holding = SPAWN.Event()
    holder = SPAWN.Process(target=hold_write_lock, args=(store.db.path, 1.5, holding))
    holder.start()
    assert holding.wait(timeout=60)
    impatient = sqlite3.connect(store.db.path, timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        impatient.execute("BEGIN IMMEDIATE")
    impatient.close()
    assert store.search_runs([experiment.id]).total == 0  # WAL: reading is not blocked
    started = time.monotonic()
    run = store.create_run(NewRun(experiment.id))
    waited = time.monotonic() - started
    holder.join(timeout=60)
    assert run.version == 1 and holder.exitcode == 0
    assert waited > 0.5
    assert [c.op for c in store.changes()[1]][-2:] == ["held", "created"]


def test_a_lock_held_past_the_timeout_is_a_clear_error_and_later_writes_still_wait(tmp_path):
    store = SqliteStore(tmp_path / "runs.db", timeout=0.3)
    experiment = store.create_experiment("locked")
    holding = SPAWN.Event()
    holder = SPAWN.Process(target=hold_write_lock, args=(store.db.path, 2.0, holding))
    holder.start()
    assert holding.wait(timeout=60)
    with pytest.raises(StoreUnavailable, match=r"stayed locked for 0\.3 s"):
        store.create_run(NewRun(experiment.id))
    holder.join(timeout=60)
    # The connection waits for locks again: polling for the write lock lowered its busy
    # timeout only while it tried.
    assert store.db.connection().execute("PRAGMA busy_timeout").fetchone()[0] == 300
    assert store.create_run(NewRun(experiment.id)).version == 1
    store.close()


def test_readers_never_see_half_a_run_while_a_writer_writes(store, experiment):
    errors: list[BaseException] = []
    done = threading.Event()

    def write():
        try:
            for i in range(150):
                store.create_run(
                    NewRun(
                        experiment.id,
                        params=[ParamInput(f"p{j}", i) for j in range(5)],
                        metrics=[MetricInput(f"m{j}", i / 150) for j in range(5)],
                    )
                )
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            done.set()

    def read():
        try:
            last_total = 0
            while not done.is_set():
                page = store.search_runs(
                    [experiment.id], order_by=["metrics.m1 DESC"], max_results=20
                )
                assert page.total >= last_total
                last_total = page.total
                for run in page.items:
                    assert len(run.params) == 5 and len(run.metrics) == 5
                    assert store.get_run(run.id) == run
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert store.search_runs([experiment.id]).total == 150


def test_a_memory_store_is_shared_safely_between_threads(memory_store):
    experiment = memory_store.create_experiment("threads")
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(25):
                run = memory_store.create_run(NewRun(experiment.id, params=[ParamInput("a", 1)]))
                memory_store.get_run(run.id)
                memory_store.search_runs([experiment.id], max_results=5)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    page = memory_store.search_runs([experiment.id], order_by=["version"], max_results=1000)
    assert [run.version for run in page.items] == list(range(1, 101))
