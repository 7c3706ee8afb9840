"""search_runs: filter semantics, ordering with missing keys last, keyset pages, query plans."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from jupyterlab_runs.store import InvalidArgument, MetricInput, NewRun, ParamInput, SqliteStore
from jupyterlab_runs.store.base import MAX_RESULTS_LIMIT
from jupyterlab_runs.store.sqlite.filter_sql import KeyRef, compile_filter


def seed_run(store, experiment_id, i):
    """Run v<i>: varied params, metrics (acc missing on v3, NaN on v4), tags and times."""
    params = [ParamInput("model", "rf" if i % 2 else "svm"), ParamInput("cfg.depth", i % 4)]
    if i <= 10:
        params.append(ParamInput("n_estimators", i * 50))
    if i in (11, 12):
        params.append(ParamInput("n_estimators", "auto"))
    metrics = [MetricInput("loss", 1 - i / 20, timestamp=1)]
    if i != 3:
        metrics.append(MetricInput("acc", math.nan if i == 4 else (i % 6) / 10, timestamp=1))
    status = {5: "FAILED", 6: "FAILED", 7: "RUNNING", 9: "KILLED"}.get(i, "FINISHED")
    return store.create_run(
        NewRun(
            experiment_id,
            name="best run" if i == 8 else None,
            status=status,
            source="magic" if i % 4 == 0 else "toolbar",
            start_time=1000 * i,
            end_time=None if status == "RUNNING" else 1000 * i + 10 * i,
            user="ada" if i < 6 else None,
            params=params,
            metrics=metrics,
            tags={"stage": "a" if i % 3 == 0 else "b", "my tag": f"t{i}"},
        )
    )


@pytest.fixture
def runs(store, experiment):
    """Twelve runs v1..v12 in ``experiment``."""
    return [seed_run(store, experiment.id, i) for i in range(1, 13)]


def versions(store, experiment, **kwargs):
    kwargs.setdefault("max_results", 1000)
    return [run.version for run in store.search_runs([experiment.id], **kwargs).items]


ALL = list(range(12, 0, -1))


FILTERS = [
    ("", ALL),
    ("metrics.acc > 0.3", [11, 10, 5]),
    ("metrics.acc >= 0.3", [11, 10, 9, 5]),
    ("metrics.acc = 0", [12, 6]),
    ("metrics.acc != 0.1", [12, 11, 10, 9, 8, 6, 5, 4, 2]),
    ("metrics.acc IS NULL", [3]),
    ("metrics.acc IS NOT NULL", [v for v in ALL if v != 3]),
    ("not metrics.acc > 0.3", [12, 9, 8, 7, 6, 4, 3, 2, 1]),
    ("metrics.acc IN (0.1, 0.2)", [8, 7, 2, 1]),
    ("metrics.acc NOT IN (0.1, 0.2)", [12, 11, 10, 9, 6, 5, 4]),
    ("params.model = 'rf'", [11, 9, 7, 5, 3, 1]),
    ("params.model != 'rf'", [12, 10, 8, 6, 4, 2]),
    ("params.n_estimators >= 400", [10, 9, 8]),
    ("params.n_estimators < 120", [2, 1]),
    ("params.n_estimators = 'auto'", [12, 11]),
    ("params.`cfg.depth` = 3", [11, 7, 3]),
    ("params.cfg.depth = 3", [11, 7, 3]),
    ("params.unknown = 'x'", []),
    ("metrics.unknown > 0", []),
    ("params.unknown IS NULL", ALL),
    ("tags.stage = 'a'", [12, 9, 6, 3]),
    ("tags.\"my tag\" IN ('t1', 't2')", [2, 1]),
    ("tags.stage LIKE 'A'", []),
    ("tags.stage ILIKE 'A'", [12, 9, 6, 3]),
    ("status IN ('FAILED', 'KILLED')", [9, 6, 5]),
    ("attributes.status = 'RUNNING'", [7]),
    ("NOT (status = 'FINISHED')", [9, 7, 6, 5]),
    ("name LIKE 'v1%'", [12, 11, 10, 1]),
    ("run_name = 'best run'", [8]),
    ("name ILIKE 'BEST%'", [8]),
    ("name NOT LIKE 'v%'", [8]),
    ("version <= 2 or version = 12", [12, 2, 1]),
    ("duration > 100", [12, 11]),
    ("end_time IS NULL", [7]),
    ("user = 'ada'", [5, 4, 3, 2, 1]),
    ("user != 'ada'", []),
    ("user IS NULL", [12, 11, 10, 9, 8, 7, 6]),
    ("start_time >= 11000", [12, 11]),
    (
        "(params.model = 'rf' or tags.stage = 'a') and not metrics.acc > 0.2",
        [12, 7, 6, 3, 1],
    ),
]


@pytest.mark.parametrize(("text", "expected"), FILTERS)
def test_filters_select_the_right_runs(store, experiment, runs, text, expected):
    assert versions(store, experiment, filter=text) == expected
    assert store.search_runs([experiment.id], filter=text, max_results=1).total == len(expected)


@pytest.mark.parametrize(("text", "expected"), FILTERS)
@pytest.mark.parametrize("mode", ["drive", "probe"])
def test_both_renderings_of_a_filter_select_the_same_runs(store, runs, text, expected, mode):
    conn = store.db.connection()
    compiled = compile_filter(text, mode)
    refs = [(p.kind, p.name) for p in compiled.params if isinstance(p, KeyRef)]
    ids = store.keys.lookup(conn, refs)
    bound = [ids.get((p.kind, p.name), -1) if isinstance(p, KeyRef) else p for p in compiled.params]
    rows = conn.execute(
        f"SELECT r.version FROM runs r WHERE {compiled.sql or 1} ORDER BY r.version DESC", bound
    )
    assert [version for (version,) in rows] == expected


ORDERS = [
    ([], ALL),
    (["version"], list(range(1, 13))),
    (["metrics.acc DESC"], [11, 5, 10, 9, 8, 2, 7, 1, 12, 6, 4, 3]),
    (["metrics.acc"], [6, 12, 1, 7, 2, 8, 9, 10, 5, 11, 4, 3]),
    (["params.n_estimators ASC"], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    (["params.n_estimators DESC"], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 12, 11]),
    (["attributes.end_time DESC"], [12, 11, 10, 9, 8, 6, 5, 4, 3, 2, 1, 7]),
    (["end_time"], [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 7]),
    (["duration DESC"], [12, 11, 10, 9, 8, 6, 5, 4, 3, 2, 1, 7]),
    (["name"], [8, 1, 10, 11, 12, 2, 3, 4, 5, 6, 7, 9]),
    (["tags.stage DESC"], [11, 10, 8, 7, 5, 4, 2, 1, 12, 9, 6, 3]),
    (["start_time DESC"], ALL),
    (["metrics.unknown DESC"], ALL),
    (["metrics.unknown ASC"], list(range(1, 13))),
]


@pytest.mark.parametrize(("order_by", "expected"), ORDERS)
def test_orders_put_missing_keys_last_and_break_ties_by_version(
    store, experiment, runs, order_by, expected
):
    assert versions(store, experiment, order_by=order_by) == expected


@pytest.mark.parametrize(("order_by", "expected"), ORDERS)
@pytest.mark.parametrize("size", [1, 5])
def test_pages_chain_through_every_run_exactly_once(
    store, experiment, runs, order_by, expected, size
):
    seen, token = [], None
    while True:
        page = store.search_runs(
            [experiment.id], order_by=order_by, max_results=size, page_token=token
        )
        assert page.total == 12 and len(page.items) <= size
        seen += [run.version for run in page.items]
        token = page.next_page_token
        if token is None:
            break
    assert seen == expected


def test_pages_are_keyset_so_new_runs_do_not_shift_them(store, experiment, runs):
    first = store.search_runs([experiment.id], max_results=5)
    by_acc = store.search_runs([experiment.id], order_by=["metrics.acc DESC"], max_results=4)
    for _ in range(3):
        store.create_run(NewRun(experiment.id, metrics=[MetricInput("acc", 0.9)]))
    second = store.search_runs([experiment.id], max_results=5, page_token=first.next_page_token)
    assert [r.version for r in first.items] == [12, 11, 10, 9, 8]
    assert [r.version for r in second.items] == [7, 6, 5, 4, 3]
    after = store.search_runs(
        [experiment.id],
        order_by=["metrics.acc DESC"],
        max_results=4,
        page_token=by_acc.next_page_token,
    )
    assert [r.version for r in after.items] == [8, 2, 7, 1]


def test_page_tokens_are_checked(store, experiment, runs):
    token = store.search_runs([experiment.id], max_results=2).next_page_token
    with pytest.raises(InvalidArgument, match="different search"):
        store.search_runs([experiment.id], order_by=["name"], max_results=2, page_token=token)
    for garbage in ("abc", "!!!", "W10", token[:-3]):
        with pytest.raises(InvalidArgument, match="page_token"):
            store.search_runs([experiment.id], max_results=2, page_token=garbage)


@pytest.mark.parametrize("bad", [0, -1, MAX_RESULTS_LIMIT + 1, "10", True, 2.5])
def test_max_results_must_be_in_range(store, experiment, bad):
    with pytest.raises(InvalidArgument, match="max_results"):
        store.search_runs([experiment.id], max_results=bad)


def test_views_and_experiment_lists(store, experiment, runs):
    other = store.create_experiment("other")
    store.create_run(NewRun(other.id))
    store.delete_run(runs[0].id)
    assert store.search_runs([experiment.id]).total == 11
    assert [r.version for r in store.search_runs([experiment.id], view="deleted").items] == [1]
    assert store.search_runs([experiment.id], view="all").total == 12
    assert store.search_runs([experiment.id, other.id], view="all").total == 13
    assert store.search_runs([], view="all").total == 13
    with pytest.raises(InvalidArgument, match="view must be one of"):
        store.search_runs([experiment.id], view="hidden")


def test_returned_runs_carry_params_metrics_and_tags(store, experiment, runs):
    run = store.search_runs([experiment.id], filter="version = 8").items[0]
    assert run == store.get_run(runs[7].id)
    assert run.params["n_estimators"].value == "400" and run.metrics["acc"].value == 0.2
    assert run.tags == {"stage": "b", "my tag": "t8"}


def test_summary_pages_do_not_read_code_or_context(store, experiment):
    created = store.create_run(
        NewRun(
            experiment.id,
            code="n = 1\n" * 1000,
            context={"notebook": [{"id": "c1", "source": "n = 1"}]},
            params=[ParamInput("n", 1)],
            metrics=[MetricInput("acc", 0.9, timestamp=1)],
        )
    )
    statements = traced(store)
    (summary,) = store.search_runs([experiment.id], summary=True).items
    assert not any("code, context" in statement for statement in statements)
    assert (summary.code, summary.context) == ("", {})
    assert dataclasses.replace(summary, code=created.code, context=created.context) == created
    (full,) = store.search_runs([experiment.id]).items
    assert full == created


def traced(store):
    statements: list[str] = []
    store.db.connection().set_trace_callback(statements.append)
    return statements


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(store, experiment, runs):
    store.search_runs([experiment.id], order_by=["metrics.acc DESC"], max_results=2)
    statements = traced(store)  # from here on the total comes from the cache
    store.search_runs([experiment.id], order_by=["metrics.acc DESC"], max_results=2)
    small = len(statements)
    statements.clear()
    # Both pages fit in the first sort segment (runs with a number for acc).
    store.search_runs([experiment.id], order_by=["metrics.acc DESC"], max_results=8)
    assert len(statements) == small
    assert not any("OFFSET" in statement.upper() for statement in statements)


def test_totals_are_counted_again_only_after_a_change(store, experiment, runs):
    text = "params.model = 'rf'"
    first = store.search_runs([experiment.id], filter=text, max_results=2)
    statements = traced(store)
    second = store.search_runs(
        [experiment.id], filter=text, max_results=2, page_token=first.next_page_token
    )
    resorted = store.search_runs([experiment.id], filter=text, order_by=["metrics.acc"])
    assert first.total == second.total == resorted.total == 6
    assert not any("count(*)" in statement for statement in statements)
    # A write from another store (another process, say) moves the change cursor.
    other = SqliteStore(store.db.path)
    other.create_run(NewRun(experiment.id, params=[ParamInput("model", "rf")]))
    other.close()
    assert store.search_runs([experiment.id], filter=text, max_results=2).total == 7
    store.delete_run(runs[0].id)
    assert store.search_runs([experiment.id], filter=text, max_results=2).total == 6


# -- query plans -----------------------------------------------------------------------------


@pytest.fixture
def many(store, experiment):
    """300 runs with 10 params and 5 metrics each."""
    for i in range(300):
        store.create_run(
            NewRun(
                experiment.id,
                params=[ParamInput("p1", "abc"[i % 3])]
                + [ParamInput(f"p{j}", i % 17) for j in range(2, 11)],
                metrics=[MetricInput(f"m{j}", ((i * 7919 + j) % 101) / 100) for j in range(5)],
            )
        )
    return experiment


HOT_QUERIES = [
    (dict(order_by=["metrics.m3 DESC"]), ["latest_metrics_key_value"]),
    (dict(order_by=["params.p2 ASC"]), ["params_key_number"]),
    (dict(filter="metrics.m3 > 0.5"), ["latest_metrics_key_value"]),
    (dict(filter="params.p1 = 'a'"), ["params_key_value"]),
    (dict(filter="params.p2 >= 5"), ["params_key_number"]),
    (
        dict(filter="metrics.m3 > 0.5 and params.p1 = 'a'", order_by=["metrics.m1 DESC"]),
        ["latest_metrics_key_value", "params_key_value"],
    ),
]


@pytest.mark.parametrize(("query", "indexes"), HOT_QUERIES)
@pytest.mark.parametrize("size", [10, 100])  # dense matches are probed, sparse ones driven
def test_hot_queries_use_indexes_and_never_scan_a_table(store, many, query, indexes, size):
    statements = traced(store)
    page = store.search_runs([many.id], max_results=size, **query)
    assert page.items
    used = indexed_plans(store, statements)
    for index in indexes:
        assert index in used


def indexed_plans(store, statements: list[str]) -> str:
    """The query plans of the traced SELECTs, joined; fails on a table scan or a sort."""
    conn = store.db.connection()
    conn.set_trace_callback(None)
    plans = []
    for statement in statements:
        if statement.lstrip().upper().startswith("SELECT"):
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement)]
            plans.append(plan)
            for detail in plan:
                assert not re.match(r"SCAN (?!json_each)", detail), (statement, plan)
                assert "TEMP B-TREE" not in detail, (statement, plan)
    return " ".join(" ".join(plan) for plan in plans)


@pytest.mark.parametrize(("query", "indexes"), HOT_QUERIES[:1] + HOT_QUERIES[-1:])
def test_a_deep_page_by_token_uses_the_same_indexes(store, many, query, indexes):
    # B6 (issue 13): "page 1,000 by token" — the keyset token seeks; nothing is skipped row
    # by row, so a deep page's plan is the first page's.
    token, seen = None, set()
    for _ in range(4):
        page = store.search_runs([many.id], max_results=10, page_token=token, **query)
        seen.update(r.id for r in page.items)
        token = page.next_page_token
    assert token and len(seen) == 40
    statements = traced(store)
    page = store.search_runs([many.id], max_results=10, page_token=token, **query)
    assert page.items and not seen & {r.id for r in page.items}
    assert not any("OFFSET" in statement.upper() for statement in statements)
    # The page walks the order's index from the token; the filter's other keys may be
    # probed by primary key instead of their own index (still no scan, no sort).
    assert indexes[0] in indexed_plans(store, statements)
