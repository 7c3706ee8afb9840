"""Metric histories packed in blocks (store/sqlite/points.py): every number comes back exactly,
out-of-order and replacing writes merge like the old one-row-per-point table did, the blocks
stay sorted, disjoint and bounded, and a store of the old layout converts without loss."""

from __future__ import annotations

import math
import random
import shutil
import sqlite3

import pytest
from fixtures.make_schema1_store import OUT as FIXTURE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterlab_runs.store import MetricInput, MetricPoint, NewRun, SqliteStore
from jupyterlab_runs.store.sqlite import points

INT64 = (-(2**63), 2**63 - 1)


def blocks(store: SqliteStore, run_id: str, key: str) -> list[tuple]:
    """(block, count, last_step, last_time, max_time, min, max, data) of one history."""
    with sqlite3.connect(store.db.path) as conn:
        return conn.execute(
            "SELECT b.block, b.count, b.last_step, b.last_time, b.max_time, b.min, b.max, b.data "
            "FROM metric_blocks b JOIN runs r ON r.rid = b.run JOIN keys k ON k.id = b.key_id "
            "WHERE r.id = ? AND k.name = ? ORDER BY b.block",
            (run_id, key),
        ).fetchall()


def same(a: float, b: float, signed: bool = True) -> bool:
    """Equal as stored numbers: NaN equals NaN, and (``signed``) -0.0 differs from 0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and (not signed or math.copysign(1, a) == math.copysign(1, b))


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 4 points, so a few writes cross many block boundaries."""
    monkeypatch.setattr(points, "BLOCK_POINTS", 4)


def check_history(store: SqliteStore, run_id: str, key: str, model: dict) -> None:
    """The history, its blocks and its summary agree with ``model`` {(step, time): value}."""
    history = store.metric_history(run_id, key)
    ordered = sorted(model.items())
    assert [(p.step, p.timestamp) for p in history] == [k for k, _ in ordered]
    assert all(same(p.value, v) for p, (_, v) in zip(history, ordered, strict=True))
    rows = blocks(store, run_id, key)
    assert [r[0] for r in rows] == list(range(len(rows)))
    assert all(0 < r[1] <= points.BLOCK_POINTS for r in rows)
    assert all(r[1] == points.BLOCK_POINTS for r in rows[:-1])  # only the last is partial
    start = 0
    for _, count, last_step, last_time, max_time, low, high, data in rows:
        part = ordered[start : start + count]
        start += count
        assert (last_step, last_time) == part[-1][0]
        assert max_time == max(t for (_, t), _ in part)
        numbers = [v for _, v in part if not math.isnan(v)]
        assert (low, high) == ((min(numbers), max(numbers)) if numbers else (None, None))
        assert len(points.unpack(data)[0]) == count
    summary = store.get_run(run_id).metrics[key]
    numbers = [v for _, v in ordered if not math.isnan(v)]
    assert summary.count == len(ordered)
    assert (summary.step, summary.timestamp) == ordered[-1][0]
    # latest_metrics is a REAL column, where SQLite keeps -0.0 as 0.
    assert same(summary.value, ordered[-1][1], signed=False)
    assert same(summary.min, min(numbers) if numbers else math.nan, signed=False)
    assert same(summary.max, max(numbers) if numbers else math.nan, signed=False)


def test_a_block_keeps_every_number_exactly():
    steps = [INT64[0], -1, 0, 0, 7, INT64[1]]  # deltas beyond 64 bits: kept raw
    stamps = [5, 3, INT64[1], INT64[0], 0, -2]
    values = [math.nan, math.inf, -math.inf, -0.0, 1e-308, 0.1]
    back = points.unpack(points.pack(steps, stamps, values))
    assert back[:2] == (steps, stamps)
    assert all(same(a, b) for a, b in zip(back[2], values, strict=True))
    assert points.unpack(points.pack([3], [4], [5.0])) == ([3], [4], [5.0])


def test_a_series_of_points_equals_points_made_one_by_one():
    made = MetricPoint.series("k", [0.5, math.inf], [1, 2], [10, 20])
    assert made == [MetricPoint("k", 0.5, 1, 10), MetricPoint("k", math.inf, 2, 20)]
    assert hash(made[0]) == hash(MetricPoint("k", 0.5, 1, 10))
    assert repr(made[1]) == repr(MetricPoint("k", math.inf, 2, 20))


def test_a_sequential_history_costs_ten_bytes_a_point(tmp_path):
    store = SqliteStore(tmp_path / "runs.db")
    run = store.create_run(NewRun(store.create_experiment("e").id))
    store.log_batch(
        run.id, metrics=[MetricInput("loss", 1 / (s + 1), s, 10**12 + s) for s in range(5000)]
    )
    packed = sum(len(r[-1]) for r in blocks(store, run.id, "loss"))
    assert packed / 5000 < 10.1  # a double, a one-byte step delta, a one-byte time delta
    store.close()


def test_appends_fill_blocks_in_order_and_rewrite_only_the_last(store, experiment):
    run = store.create_run(NewRun(experiment.id))
    model = {}
    for first in range(0, 3000, 700):
        batch = [(s, 1000 + s, math.sin(s)) for s in range(first, min(first + 700, 3000))]
        store.log_batch(run.id, metrics=[MetricInput("m", v, s, t) for s, t, v in batch])
        model.update(((s, t), v) for s, t, v in batch)
        check_history(store, run.id, "m", model)
    full = blocks(store, run.id, "m")[:2]
    store.log_batch(run.id, metrics=[MetricInput("m", 0.5, 5000, 6000)])
    assert blocks(store, run.id, "m")[:2] == full  # full blocks before the write are untouched
    model[(5000, 6000)] = 0.5
    check_history(store, run.id, "m", model)


def test_out_of_order_and_replacing_points_merge_like_rows_did(store, experiment):
    run = store.create_run(
        NewRun(experiment.id, metrics=[MetricInput("m", float(s), s, 100 + s) for s in range(2500)])
    )
    model = {(s, 100 + s): float(s) for s in range(2500)}
    check_history(store, run.id, "m", model)
    late = [
        MetricInput("m", 42.0, 0, 100),  # replaces the minimum: min is recomputed
        MetricInput("m", math.nan, 1200, 1300),  # replaces a point in a middle block
        MetricInput("m", -1.0, 1200, 50),  # same step, earlier time: a new point before it
        MetricInput("m", 7.5, -3, 9),  # before the whole history
        MetricInput("m", -0.0, 2499, 99_999),  # same step as the last, later: the new latest
    ]
    store.log_batch(run.id, metrics=late)
    model.update({(p.step, p.timestamp): p.value for p in late})
    check_history(store, run.id, "m", model)
    assert store.get_run(run.id).metrics["m"].min == -1.0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(
            st.tuples(
                st.integers(-5, 40),
                st.integers(0, 3),
                st.sampled_from([0.0, -0.0, 1.5, -2.0, math.nan, math.inf]),
            ),
            min_size=1,
            max_size=15,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_sequence_of_writes_reads_back_like_a_table_of_rows(
    tmp_path_factory, small_blocks, batches
):
    store = SqliteStore(tmp_path_factory.mktemp("blocks") / "runs.db")
    run = store.create_run(NewRun(store.create_experiment("e").id))
    model: dict = {}
    for batch in batches:
        store.log_batch(run.id, metrics=[MetricInput("m", v, s, t) for s, t, v in batch])
        model.update(((s, t), v) for s, t, v in batch)
        check_history(store, run.id, "m", model)
    store.close()


def test_an_old_layout_history_converts_without_loss(tmp_path):
    folder = tmp_path / "store"
    shutil.copytree(FIXTURE, folder)
    shuffled = random.Random(3)
    old = {
        (s, 10**12 + shuffled.randrange(10**6)): shuffled.choice([math.nan, s / 7, -s])
        for s in range(-50, 2500)
    }
    with sqlite3.connect(folder / "runs.db") as conn:
        rid, run_id = conn.execute("SELECT rid, id FROM runs ORDER BY rid LIMIT 1").fetchone()
        key_id = conn.execute(
            "INSERT INTO keys (kind, name) VALUES ('metric', 'long') RETURNING id"
        ).fetchone()[0]
        conn.executemany(
            "INSERT INTO metric_history (run, key_id, step, timestamp, value) "
            "VALUES (?, ?, ?, ?, ?)",
            [(rid, key_id, s, t, None if math.isnan(v) else v) for (s, t), v in old.items()],
        )
    store = SqliteStore(folder / "runs.db")
    history = store.metric_history(run_id, "long")
    assert [(p.step, p.timestamp) for p in history] == sorted(old)
    assert all(same(p.value, old[(p.step, p.timestamp)]) for p in history)
    assert [r[1] for r in blocks(store, run_id, "long")] == [1024, 1024, 502]
    # Written to after the conversion, it merges like any other history.
    store.log_batch(
        run_id, metrics=[MetricInput("long", 1.0, 2500, 5), MetricInput("long", 2.0, 0, 1)]
    )
    assert [p.value for p in store.metric_history(run_id, "long")][-1] == 1.0
    assert len(store.metric_history(run_id, "long")) == len(old) + 2
    store.close()


def test_a_step_range_reads_only_the_blocks_holding_it(store, experiment, monkeypatch):
    steps = [s * 3 for s in range(10_000)]  # steps 0, 3, …, 29,997 in ten blocks
    run = store.create_run(
        NewRun(experiment.id, metrics=[MetricInput("m", float(s), s, 1000 + s) for s in steps])
    )
    whole = store.metric_history(run.id, "m")
    unpacked, unpack = [], points.unpack
    monkeypatch.setattr(points, "unpack", lambda data: unpacked.append(data) or unpack(data))
    for first, last in [(4000, 4100), (3071, 3072), (0, 0), (29_997, 40_000), (-5, 2), (4, 5)]:
        unpacked.clear()
        shown = store.metric_history(run.id, "m", (first, last))
        assert shown == [p for p in whole if first <= p.step <= last]
        assert len(unpacked) <= 2  # the block holding `first` and at most the next one
    unpacked.clear()
    assert store.metric_history(run.id, "m", (40_000, 50_000)) == [] and unpacked == []
