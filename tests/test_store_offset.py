"""search_runs(offset=K): the page starting at row K is the page walking tokens reaches there.

The runs table's far scrollbar jump (issue 13, B7) asks for the page at a row directly; from
that page on it continues by keyset token, so both must agree with walking from the top.
"""

from __future__ import annotations

import pytest
from test_handlers import call, error_of, run_payload
from test_store_search import ORDERS, seed_run, traced

from jupyterlab_runs.store import InvalidArgument, MetricInput, NewRun
from jupyterlab_runs.store.base import Page, walk_to_offset


@pytest.fixture
def runs(store, experiment):
    """Twelve runs v1..v12 in ``experiment`` (test_store_search's)."""
    return [seed_run(store, experiment.id, i) for i in range(1, 13)]


def walked(store, experiment, size=1, **query):
    """Every run id of a search, in order, by following page tokens."""
    ids, token = [], None
    while True:
        page = store.search_runs([experiment.id], max_results=size, page_token=token, **query)
        ids += [run.id for run in page.items]
        token = page.next_page_token
        if token is None:
            return ids


SEARCHES = [dict(order_by=order_by) for order_by, _ in ORDERS] + [
    dict(filter="params.model = 'rf'", order_by=["metrics.acc DESC"]),
    dict(filter="metrics.acc > 0.1", view="all"),
]


@pytest.mark.parametrize("query", SEARCHES, ids=str)
@pytest.mark.parametrize("deleted", [False, True], ids=["key index only", "runs probed"])
def test_a_page_at_an_offset_is_the_page_walking_reaches(store, experiment, runs, query, deleted):
    # The sorts cross segments (a metric's numbers, its NaNs, runs without it), so an offset
    # also has to skip whole segments. With a deleted run the key's index rows are not all
    # matches, so each skipped run is probed; without, the key's index alone is stepped.
    if deleted:
        store.delete_run(runs[5].id)
    expected = walked(store, experiment, **query)
    for offset in range(len(expected) + 2):
        page = store.search_runs([experiment.id], max_results=3, offset=offset, **query)
        assert [run.id for run in page.items] == expected[offset : offset + 3], offset
        assert page.total == len(expected)
        rest = walked_from(store, experiment, page, **query)
        assert rest == expected[offset + 3 :], offset


def walked_from(store, experiment, page, **query):
    ids, token = [], page.next_page_token
    while token:
        page = store.search_runs([experiment.id], max_results=2, page_token=token, **query)
        ids += [run.id for run in page.items]
        token = page.next_page_token
    return ids


def test_an_offset_steps_over_rows_in_sql_not_page_by_page(store, experiment, runs):
    store.delete_run(runs[0].id)  # the metric's index rows are no longer all matches
    statements = traced(store)
    page = store.search_runs(
        [experiment.id], order_by=["metrics.acc DESC"], max_results=2, offset=3
    )
    assert [run.version for run in page.items] == [9, 8]
    pages = [s for s in statements if "ORDER BY" in s]
    assert len(pages) == 1 and "OFFSET" in pages[0].upper()


def test_an_offset_by_a_key_steps_over_the_keys_index_alone(store, experiment, runs):
    other = store.create_experiment("other")
    store.create_run(NewRun(other.id, metrics=[MetricInput("loss", 1.0)]))  # not acc
    statements = traced(store)
    page = store.search_runs(
        [experiment.id], order_by=["metrics.acc DESC"], max_results=2, offset=7
    )
    assert [run.version for run in page.items] == [1, 12]  # 0.1 (v7, v1), then 0 (v12, v6)
    (seek,) = [s for s in statements if "OFFSET" in s.upper()]
    plan = " ".join(row[3] for row in store.db.connection().execute("EXPLAIN QUERY PLAN " + seek))
    assert plan == "SEARCH s USING COVERING INDEX latest_metrics_key_value (key_id=? AND value>?)"


def test_an_offset_past_the_end_is_an_empty_last_page(store, experiment, runs):
    page = store.search_runs([experiment.id], max_results=5, offset=1000)
    assert (page.items, page.next_page_token, page.total) == ([], None, 12)


@pytest.mark.parametrize(
    ("offset", "token", "message"),
    [
        (-1, None, "offset must be 0 or more, got -1"),
        ("3", None, "offset must be an integer"),
        (2.0, None, "offset must be an integer"),
        (True, None, "offset must be an integer"),
        (3, "x", "offset and page_token cannot be combined"),
    ],
)
def test_bad_offsets_say_what_is_wrong(store, experiment, runs, offset, token, message):
    with pytest.raises(InvalidArgument, match=message):
        store.search_runs([experiment.id], offset=offset, page_token=token)


def test_walking_to_an_offset_reads_pages_up_to_it(store, experiment):
    # What a back end without an offset (MLflow) answers: pages read and dropped.
    for i in range(1, 8):
        seed_run(store, experiment.id, i)
    calls: list[tuple[int, str | None]] = []

    def search(size: int, token: str | None) -> Page:
        calls.append((size, token))
        return store.search_runs([experiment.id], max_results=size, page_token=token)

    page = walk_to_offset(search, 4, 2)
    assert [run.version for run in page.items] == [3, 2]
    assert [size for size, _ in calls] == [4, 2]
    assert walk_to_offset(search, 7, 2) == Page([], None, 7)
    store.create_run(NewRun(experiment.id))
    assert [r.version for r in walk_to_offset(search, 0, 3).items] == [8, 7, 6]


async def test_get_runs_takes_an_offset_and_refuses_bad_ones_with_a_400(jp_fetch):
    for _ in range(5):
        _, run = await call(jp_fetch, "runs", method="POST", body=run_payload())
    query = {"experiment_ids": run["experiment_id"], "max_results": 2, "fields": "summary"}
    _, page = await call(jp_fetch, "runs", params={**query, "offset": 2})
    assert [r["version"] for r in page["runs"]] == [3, 2] and page["total"] == 5
    _, rest = await call(jp_fetch, "runs", params={**query, "page_token": page["next_page_token"]})
    assert [r["version"] for r in rest["runs"]] == [1] and rest["next_page_token"] is None
    for bad, message in [
        ("-3", "offset must be 0 or more, got -3"),
        ("two", "offset must be an integer"),
        ("99999999999999999999", "offset is out of range (64-bit integer)"),
    ]:
        status, error = await error_of(jp_fetch, "runs", params={**query, "offset": bad})
        assert status == 400 and error == {"error": "invalid_argument", "message": message}
    status, error = await error_of(
        jp_fetch, "runs", params={**query, "offset": 1, "page_token": page["next_page_token"]}
    )
    assert status == 400 and "offset and page_token cannot be combined" in error["message"]
