"""B6 (issue 13): the query plans of the runs table's page queries at any size.

The four queries of B6 — the first page, a sort by a metric, a param equality plus a metric
order, a deep page by its token — and the offset seek of a far scrollbar jump read through
indexes: no full SCAN of runs or of a values table, no temporary sort. At 1,000,000 runs a
scan or a sort is seconds; an index walk is the page's own rows (bench/ui_table_cases.py
times them).
"""

from __future__ import annotations

import threading
import time

import pytest
import test_store_search
from test_store_search import indexed_plans, traced

from jupyterlab_runs.store.sqlite.queries import Totals

SORT = ["metrics.m3 DESC"]
EQUALS = "params.p1 = 'a'"  # one run in three

B6 = {
    "first page": (dict(), ["runs_experiment_deleted_version"]),
    "sort by a metric": (dict(order_by=SORT), ["latest_metrics_key_value"]),
    "a param equality plus a metric order": (
        dict(filter=EQUALS, order_by=SORT),
        ["latest_metrics_key_value"],
    ),
}


@pytest.fixture
def many(store, experiment):
    """test_store_search's 300 runs with 10 params and 5 metrics each."""
    return test_store_search.many.__wrapped__(store, experiment)


def search(store, experiment, **query):
    return store.search_runs([experiment.id], max_results=10, summary=True, **query)


@pytest.mark.parametrize("name", B6)
@pytest.mark.parametrize("deep", [False, True], ids=["first", "deep by token"])
def test_b6_pages_walk_an_index(store, many, name, deep):
    query, indexes = B6[name]
    token = None
    if deep:  # the token of a page far down, as the seek hands it out
        token = search(store, many, offset=59, **query).next_page_token
        assert token
    statements = traced(store)
    page = search(store, many, page_token=token, **query)
    assert len(page.items) == 10
    used = indexed_plans(store, statements)
    for index in indexes:
        assert index in used, used


def test_the_offset_seek_in_the_default_order_reads_one_index_only(store, many):
    statements = traced(store)
    page = search(store, many, offset=250)
    assert [run.version for run in page.items] == list(range(50, 40, -1))
    seek = [s for s in statements if "OFFSET" in s.upper()]
    assert len(seek) == 1
    # Covering: the skipped rows are stepped over in the index, never read from the table.
    assert "USING COVERING INDEX runs_experiment_deleted_version" in indexed_plans(store, seek)


@pytest.mark.parametrize("query", [dict(order_by=SORT), dict(filter=EQUALS, order_by=SORT)])
def test_the_offset_seek_by_a_metric_walks_the_metric_index(store, many, query):
    statements = traced(store)
    page = search(store, many, offset=55, **query)
    assert len(page.items) == 10
    seek = [s for s in statements if "OFFSET" in s.upper()]
    assert len(seek) == 1
    assert "latest_metrics_key_value" in indexed_plans(store, seek)


def test_listing_experiments_and_opening_one_count_its_runs_once(store, many):
    # B7: at a million runs each count walks a million index entries; the experiment list
    # (run_count) and the table's first page (total) share one until something changes.
    statements = traced(store)
    listed = {e.id: e.run_count for e in store.list_experiments("all")}
    page = search(store, many)
    assert listed[many.id] == page.total == 300
    assert store.get_experiment(many.id).run_count == 300
    counts = [s for s in statements if "count(*)" in s.lower()]
    assert len(counts) == 1, counts
    indexed_plans(store, counts)
    store.delete_run(page.items[0].id)
    assert store.get_experiment(many.id).run_count == 299
    assert search(store, many).total == 299
    assert search(store, many, view="all").total == 300


def test_requests_asking_for_one_count_at_once_take_it_once():
    # Opening the table sends three requests that need the same count at the same moment.
    totals, started, release = Totals(), threading.Event(), threading.Event()
    taken, results = [], []

    def take():
        taken.append(threading.current_thread().name)
        started.set()
        release.wait(5)
        return 42

    def ask():
        results.append(totals.count(("experiment",), 7, take))

    first = threading.Thread(target=ask, name="first")
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=ask, name="second")
    second.start()
    time.sleep(0.1)  # the second request is now waiting for the first one's count
    release.set()
    first.join(5)
    second.join(5)
    assert results == [42, 42] and taken == ["first"]
    assert totals.count(("experiment",), 8, lambda: 43) == 43  # a change: counted again
