"""A zoomed history chart asks ``POST runs/metrics`` for the steps it shows (issue 13, B8: full
resolution a zoom away): ``step_range`` keeps only those steps, ``max_points`` then thins them
to the chart's pixels, and a range the server cannot read is a 400 that says why."""

from __future__ import annotations

import pytest
from test_handlers import call, error_of, run_payload

STEPS = 5_000


async def _run_with_history(jp_fetch) -> str:
    values = [1.0 / (s + 1) for s in range(STEPS)]
    values[2_345] = 9.0  # a spike only the zoomed range holds
    metrics = [{"key": "loss", "value": v, "step": s} for s, v in enumerate(values)]
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload(metrics=metrics))
    return run["id"]


async def _histories(jp_fetch, **body) -> dict:
    _, reply = await call(jp_fetch, "runs", "metrics", method="POST", body=body)
    return reply["histories"]


async def test_a_step_range_returns_every_point_of_a_narrow_zoom(jp_fetch):
    run_id = await _run_with_history(jp_fetch)
    whole = await _histories(jp_fetch, run_ids=[run_id], keys=["loss"], max_points=100)
    assert len(whole[run_id]["loss"]) == 100  # the saved chart's thinned view

    zoomed = await _histories(
        jp_fetch, run_ids=[run_id], keys=["loss"], max_points=100, step_range=[2_300, 2_379]
    )
    points = zoomed[run_id]["loss"]
    assert [p["step"] for p in points] == list(range(2_300, 2_380))  # 80 ≤ 100: all of them
    assert points[45]["value"] == 9.0


async def test_a_wide_step_range_is_thinned_keeping_its_extremes(jp_fetch):
    run_id = await _run_with_history(jp_fetch)
    zoomed = await _histories(
        jp_fetch, run_ids=[run_id], keys=["loss"], max_points=40, step_range=[2_000, 2_999]
    )
    steps = [p["step"] for p in zoomed[run_id]["loss"]]
    assert len(steps) <= 40 and steps[0] == 2_000 and steps[-1] == 2_999
    assert 2_345 in steps  # the spike survives the thinning


async def test_a_step_range_outside_the_history_is_empty_and_both_ends_count(jp_fetch):
    run_id = await _run_with_history(jp_fetch)
    outside = await _histories(
        jp_fetch, run_ids=[run_id], keys=["loss"], step_range=[STEPS, STEPS + 10]
    )
    assert outside[run_id]["loss"] == []
    one = await _histories(jp_fetch, run_ids=[run_id], keys=["loss"], step_range=[7, 7])
    assert [p["step"] for p in one[run_id]["loss"]] == [7]


@pytest.mark.parametrize(
    "step_range,message",
    [
        ([10, 5], "first step 10 is after last step 5"),
        ([1], "step_range must be [first, last]"),
        ([1, 2, 3], "step_range must be [first, last]"),
        ("0:10", "step_range must be [first, last]"),
        ([0.5, 10], "step_range must be [first, last]"),
        ([True, 10], "step_range must be [first, last]"),
        ([0, 2**63], "64-bit"),
    ],
)
async def test_a_bad_step_range_is_a_400_saying_why(jp_fetch, step_range, message):
    body = {"run_ids": ["0" * 32], "keys": ["loss"], "step_range": step_range}
    status, error = await error_of(jp_fetch, "runs", "metrics", method="POST", body=body)
    assert status == 400 and error["error"] == "invalid_argument"
    assert message in error["message"]
