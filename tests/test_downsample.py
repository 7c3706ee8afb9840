"""Downsampled histories keep each series' extremes (issue 13, B8): the inline comparison of
100 runs × 100,000 steps stays under 1 MB in the saved notebook, in both its payload and its
static vega-lite fallback, and ``POST runs/metrics`` with ``max_points`` keeps every spike."""

from __future__ import annotations

import math
import random
from collections import namedtuple
from collections.abc import Iterator, Sequence
from itertools import count, repeat

import pytest
from test_compare_bundle import EXPERIMENT, make_run
from test_handlers import call, run_payload

from jupyterlab_runs.kernel.compare import (
    COMPARE_MIME,
    MAX_BUNDLE_BYTES,
    VEGALITE_MIME,
    build_compare_bundle,
    saved_size,
)
from jupyterlab_runs.store.downsample import extremes

NAN = float("nan")


#: What the bundle reads of a point (``MetricPoint`` has the same fields), cheap to make.
Point = namedtuple("Point", "key value step timestamp")
#: A noisy decaying loss, shared by every run of the large test.
BASE = [1.0 / (s + 1) + ((s * 7919) % 1000) / 10_000 for s in range(100_000)]


class History(Sequence):
    """A run's history: ``BASE`` with one dip and one spike planted at seeded places, its
    points made on demand (100 × 100,000 points held as objects would fill the memory)."""

    def __init__(self, seed: int):
        rng = random.Random(seed)
        self.low, self.high = rng.sample(range(1, len(BASE) - 1), 2)
        self.values = list(BASE)
        self.values[self.low], self.values[self.high] = -1.0 - seed, 10.0 + seed

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index: int) -> Point:
        return Point("loss", self.values[index], index, 0)

    def __iter__(self) -> Iterator[Point]:
        return map(Point, repeat("loss"), self.values, count(), repeat(0))


def test_extremes_keeps_first_last_and_each_buckets_lowest_and_highest():
    values = [0.5] * 1000
    values[1], values[333], values[334], values[998] = 9.0, -3.0, 7.0, -8.0
    kept = extremes(values, 10)
    assert len(kept) <= 10 and kept == sorted(kept)
    assert {0, 1, 333, 334, 998, 999} <= set(kept)
    assert extremes(values[:10], 10) == list(range(10))
    with pytest.raises(ValueError, match="at least 2"):
        extremes(values, 1)


def test_extremes_never_picks_nan_and_keeps_a_bucket_that_is_all_nan_out():
    values = [NAN, NAN, 4.0, NAN, -2.0, NAN, NAN, NAN, NAN, 1.0]
    kept = extremes(values, 6)  # two buckets: [1..4] and [5..8]
    assert kept == [0, 2, 4, 9]
    assert all(not math.isnan(values[i]) for i in kept[1:-1])


def test_a_history_of_100_runs_by_100_000_steps_inserts_at_most_1_mb_with_its_extremes():
    runs = [make_run(v, metrics={"loss": 0.1}) for v in range(1, 101)]
    series = {r.id: History(r.version) for r in runs}
    bundle = build_compare_bundle(
        runs,
        kind="line",
        metric="loss",
        experiment=EXPERIMENT,
        history={r.id: {"loss": series[r.id]} for r in runs},
    )
    assert saved_size(bundle) <= MAX_BUNDLE_BYTES
    payload = bundle[COMPARE_MIME]
    rows = bundle[VEGALITE_MIME]["data"]["values"]
    for run in payload["runs"]:
        full = series[run["id"]]
        points = run["history"]["loss"]
        assert [points[0][0], points[-1][0]] == [0, 99_999]
        assert {full.low, full.high} <= {step for step, _ in points}
        values = [value for _, value in points]
        assert min(values) == full.values[full.low] and max(values) == full.values[full.high]
        drawn = {row["step"]: row["raw"] for row in rows if row["id"] == run["id"]}
        assert (
            drawn[full.low] == full.values[full.low] and drawn[full.high] == full.values[full.high]
        )


async def test_metric_histories_with_max_points_keep_every_spike(jp_fetch):
    values = [1.0 / (s + 1) for s in range(1000)]
    values[437], values[438] = 50.0, -50.0  # between evenly spaced picks
    metrics = [{"key": "loss", "value": v, "step": s} for s, v in enumerate(values)]
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload(metrics=metrics))
    body = {"run_ids": [run["id"]], "keys": ["loss"], "max_points": 20}
    _, reply = await call(jp_fetch, "runs", "metrics", method="POST", body=body)
    points = reply["histories"][run["id"]]["loss"]
    assert len(points) <= 20
    steps = [p["step"] for p in points]
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 999
    assert {437, 438} <= set(steps)
    assert max(p["value"] for p in points) == 50.0 and min(p["value"] for p in points) == -50.0
