"""A chart's downsampled read of a long history (issue 13, B8: the first chart of 100 runs ×
100,000 steps): ``SqliteStore.metric_extremes`` finds each stretch of whole blocks' lowest and
highest point from the blocks' summaries, decoding only the blocks at the ends of the range,
and returns exactly the points a full read holds: the first, the last and every stretch's
true extremes, through spikes, NaN, ±Inf, repeated and negative steps and cut blocks."""

from __future__ import annotations

import math
import random

import pytest
from test_handlers import call, run_payload
from test_metric_blocks import INT64, small_blocks  # noqa: F401 - a fixture

from jupyterlab_runs.store import MetricInput, MetricPoint, NewRun, NotFound, SqliteStore
from jupyterlab_runs.store.downsample import spans, thin
from jupyterlab_runs.store.sqlite import points

NAN, INF = math.nan, math.inf


def log(store: SqliteStore, experiment, steps, values, stamps=None) -> str:
    stamps = stamps if stamps is not None else [1000 + i for i in range(len(steps))]
    metrics = [MetricInput("m", v, s, t) for s, v, t in zip(steps, values, stamps, strict=True)]
    return store.create_run(NewRun(experiment.id, metrics=metrics)).id


def stretch_extremes(whole: list, size: int, within, max_points: int) -> list:
    """What the read promises, found in every point of the history: the range's first and
    last point and, in each of ``(max_points - 2) // 2`` stretches of the blocks of ``size``
    points it reaches (a history written at once fills every block but the last), the lowest
    and highest point, the first of equals, NaN never counting."""
    kept = [i for i, p in enumerate(whole) if within is None or within[0] <= p.step <= within[1]]
    blocks = sorted({i // size for i in kept})
    chosen = {kept[0], kept[-1]}
    for begin, end in spans(0, len(blocks), (max_points - 2) // 2):
        stretch = set(blocks[begin:end])
        numbers = [i for i in kept if i // size in stretch and not math.isnan(whole[i].value)]
        if numbers:
            chosen.add(min(numbers, key=lambda i: whole[i].value))
            chosen.add(max(numbers, key=lambda i: whole[i].value))
    return [whole[i] for i in sorted(chosen)]


def same_points(got: list[MetricPoint], want: list[MetricPoint]) -> bool:
    """Equal point by point, NaN equal to NaN and -0.0 told from 0.0."""
    return len(got) == len(want) and all(
        (a.step, a.timestamp) == (b.step, b.timestamp)
        and (a.value == b.value or math.isnan(a.value) and math.isnan(b.value))
        and math.copysign(1, a.value) == math.copysign(1, b.value)
        for a, b in zip(got, want, strict=True)
    )


def noisy(count: int, seed: int) -> list[float]:
    """Values with spikes, dips, ±Inf, NaN, -0.0, ties and a block of NaN only."""
    rng = random.Random(seed)
    values = [round(rng.uniform(-1, 1), 1) for _ in range(count)]  # many equal values
    for i in rng.sample(range(count), count // 10):
        values[i] = rng.choice([NAN, INF, -INF, 50.0, -50.0, -0.0, 0.0])
    values[0] = values[-1] = NAN  # the first and last points are kept all the same
    values[8:12] = [NAN] * 4  # block 2 (4 points a block) is all NaN: no extremes
    return values


#: (steps of the history, step ranges to read, each reaching 3 blocks or more): spikes
#: everywhere, each step three times (by timestamp, across block boundaries), negative steps,
#: gaps (a range ending between two blocks), steps whose deltas overflow 64 bits (kept raw).
HISTORIES = {
    "spikes": (list(range(480)), [None, (5, 474), (9, 470), (0, 479), (-99, 1000)]),
    "repeated steps": ([i // 3 for i in range(480)], [None, (3, 150), (1, 158), (40, 43)]),
    "negative steps": ([i - 500 for i in range(480)], [None, (-497, -30), (-100, 7)]),
    "gaps": ([i * 10 for i in range(480)], [None, (35, 4435), (41, 4031), (1, 1999)]),
    "raw steps": ([INT64[0], *range(478), INT64[1]], [None, (INT64[0], 300), (3, INT64[1])]),
}


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("name", HISTORIES)
def test_each_stretch_of_blocks_keeps_its_true_extremes(store, experiment, name):
    steps, ranges = HISTORIES[name]
    run_id = log(store, experiment, steps, noisy(len(steps), seed=len(name)))
    whole = store.metric_history(run_id, "m")
    at = {(p.step, p.timestamp): i for i, p in enumerate(whole)}
    for within in ranges:
        shown = store.metric_history(run_id, "m", within)
        reached = len({at[p.step, p.timestamp] // points.BLOCK_POINTS for p in shown})
        assert reached >= 3
        for max_points in {4, 7, 20, 33, reached, 2 * reached}:
            got = store.metric_extremes(run_id, "m", max_points, within)
            if max_points <= 2 * reached:  # stretches of a block or more
                want = stretch_extremes(whole, points.BLOCK_POINTS, within, max_points)
            else:  # finer than blocks: every point is read
                want = list(thin(shown, max_points))
            assert same_points(got, want), (within, max_points)
            assert len(got) <= max_points
        fine = 2 * reached + 4
        assert same_points(store.metric_extremes(run_id, "m", fine, within), thin(shown, fine))


def test_a_long_history_is_read_from_its_summaries_keeping_every_spike(
    store, experiment, monkeypatch
):
    count = 100 * points.BLOCK_POINTS  # 100 blocks of the real size
    rng = random.Random(7)
    values = [1.0 / (1 + s / 1000) + rng.uniform(-0.01, 0.01) for s in range(count)]
    spikes = range(3000, count, 14 * points.BLOCK_POINTS)  # one a stretch at most
    for n, i in enumerate(spikes):
        values[i], values[i + 5] = 5.0 + n, -5.0 - n
    values[10_000], values[25_000] = INF, -INF  # in stretches without a spike
    run_id = log(store, experiment, list(range(count)), values)
    whole = store.metric_history(run_id, "m")
    full = thin(whole, 33)  # what every point read and thinned gives
    decoded, located = [], []
    unpack, point_of = points.unpack, points.point_of
    monkeypatch.setattr(points, "unpack", lambda data: decoded.append(1) or unpack(data))
    monkeypatch.setattr(points, "point_of", lambda *a: located.append(1) or point_of(*a))
    got = store.metric_extremes(run_id, "m", 33)
    assert len(decoded) == 2 and len(located) <= 30  # the end blocks; 2 points a stretch
    assert len(got) <= 33 and got[0] == whole[0] and got[-1] == whole[-1]
    assert set(got) <= set(whole)
    planted = {i for s in spikes for i in (s, s + 5)} | {10_000, 25_000}
    assert {whole[i] for i in planted} <= set(got)
    assert {whole[i] for i in planted} <= set(full)
    assert max(p.value for p in got) == INF and min(p.value for p in got) == -INF


@pytest.mark.parametrize("values", [[0.5], [NAN, 2.0, -1.0], [3.0, NAN, NAN, NAN, 1.0]])
def test_a_history_of_one_block_is_thinned_from_every_point(store, experiment, values):
    run_id = log(store, experiment, list(range(len(values))), values)
    whole = store.metric_history(run_id, "m")
    for max_points in range(2, 7):
        got = store.metric_extremes(run_id, "m", max_points)
        assert same_points(got, list(thin(whole, max_points)))
    assert store.metric_extremes(run_id, "other", 10) == []
    with pytest.raises(NotFound):
        store.metric_extremes("0" * 32, "m", 10)


def test_a_point_is_found_in_a_packed_block_as_unpack_gives_it():
    steps = [INT64[0], -1, 0, 0, 7, INT64[1]]  # deltas beyond 64 bits: kept raw
    stamps = [5, 3, 9, 8, 0, -2]
    values = [NAN, INF, -INF, -0.0, 2.0, 2.0]
    for packed in [points.pack(steps, stamps, values), points.pack(range(6), stamps, values)]:
        unpacked = points.unpack(packed)
        for value in values[1:]:
            i = values.index(value)
            assert points.point_of(packed, value) == (i, unpacked[0][i], stamps[i], values[i])
        assert points.point_of(packed, 0.0)[0] == 3  # -0.0 equals 0.0: the point stored
        assert math.copysign(1, points.point_of(packed, 0.0)[3]) == -1


@pytest.mark.usefixtures("small_blocks")
async def test_post_runs_metrics_with_max_points_returns_the_stretches_extremes(jp_fetch):
    values = noisy(400, seed=3)  # 100 blocks of 4 points
    metrics = [
        {"key": "loss", "value": v, "step": s - 200}
        for s, v in enumerate(values)
        if not math.isnan(v) and not math.isinf(v)
    ]
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload(metrics=metrics))
    body = {"run_ids": [run["id"]], "keys": ["loss"]}

    async def histories(**extra) -> list[MetricPoint]:
        _, reply = await call(jp_fetch, "runs", "metrics", method="POST", body=body | extra)
        return [MetricPoint(**p) for p in reply["histories"][run["id"]]["loss"]]

    whole = await histories()
    for within in [None, [-150, 101]]:
        got = await histories(max_points=40, **({"step_range": within} if within else {}))
        window = tuple(within) if within else None
        assert got == stretch_extremes(whole, points.BLOCK_POINTS, window, 40)
