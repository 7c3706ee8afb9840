"""The MLflow back end pushes search work down to a real MLflow server: what it asks MLflow,
how many runs come back, and that the answers are the embedded store's, page after page."""

from __future__ import annotations

import dataclasses
import logging
import subprocess
import sys
import time

import pytest

pytest.register_assert_rewrite("mlflow_fixtures")
from mlflow_fixtures import unique  # noqa: E402

from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore  # noqa: E402
from jupyterlab_runs.store.values import now_ms  # noqa: E402

pytest_plugins = ("mlflow_fixtures",)
MlflowStore = pytest.importorskip("jupyterlab_runs.store.mlflow.store").MlflowStore
from jupyterlab_runs.store.mlflow import blocks as version_blocks  # noqa: E402

RUNS = 40
DAY_MS = 24 * 3600 * 1000
MODELS = ("rf", "svm", "knn", "gbm")


def new_run(experiment_id: str, i: int) -> NewRun:
    """Run ``i`` of the seeded experiments: ended a day ago, so no change feed sees it."""
    start = now_ms() - DAY_MS + i * 1000
    params = [ParamInput("model", MODELS[i % 4]), ParamInput("n", i % 7)]
    if i % 9:
        params.append(ParamInput("depth", i % 5))
    metrics = [MetricInput("acc", round((i * 37 % 41) / 41, 3))] if i % 6 else []
    return NewRun(
        experiment_id, start_time=start, end_time=start + 500, params=params, metrics=metrics
    )


class Recorder:
    """Every runs/search the store sends, with the body and the number of runs returned."""

    def __init__(self, store):
        self.calls: list[tuple[str, dict, int]] = []
        self.experiments: list[str] = []  # of every run returned
        post, get = store.rest.post, store.rest.get

        def recorded_post(endpoint, body):
            reply = post(endpoint, body)
            runs = reply.get("runs", [])
            self.calls.append((endpoint, body, len(runs)))
            self.experiments += [run["info"]["experiment_id"] for run in runs]
            return reply

        def recorded_get(endpoint, **query):
            reply = get(endpoint, **query)
            self.calls.append((endpoint, query, 0))
            return reply

        store.rest.post, store.rest.get = recorded_post, recorded_get

    def searches(self, condition: str | None = None) -> list[tuple[dict, int]]:
        return [
            (body, rows)
            for endpoint, body, rows in self.calls
            if endpoint == "runs/search" and (condition is None or body["filter"] == condition)
        ]


@pytest.fixture(scope="module")
def stores(mlflow_server, tmp_path_factory):
    """The same RUNS runs in an MLflow experiment and in an embedded store."""
    mlflow = MlflowStore(mlflow_server, poll_interval=0)
    sqlite = SqliteStore(tmp_path_factory.mktemp("pushdown") / "runs.db")
    ids = {}
    for name, store in (("mlflow", mlflow), ("sqlite", sqlite)):
        ids[name] = store.create_experiment(unique("pushdown")).id
        for i in range(RUNS):
            store.create_run(new_run(ids[name], i))
    yield {"mlflow": (mlflow, ids["mlflow"]), "sqlite": (sqlite, ids["sqlite"])}
    mlflow.close()
    sqlite.close()


def fresh(stores, mlflow_server):
    """A new MlflowStore (nothing cached, as in a new server process) and its experiment."""
    return MlflowStore(mlflow_server, poll_interval=0), stores["mlflow"][1]


def all_pages(store, experiment_id, size, **query):
    """Versions of every page in order, and each page's (total, is-lower-bound)."""
    versions, totals, token = [], [], None
    while True:
        page = store.search_runs([experiment_id], max_results=size, page_token=token, **query)
        versions += [run.version for run in page.items]
        totals.append((page.total, page.total_is_lower_bound))
        token = page.next_page_token
        if token is None:
            return versions, totals


def test_the_first_page_reads_one_block_of_versions_and_no_ledger(stores, mlflow_server):
    store, experiment_id = fresh(stores, mlflow_server)
    seen = Recorder(store)
    page = store.search_runs([experiment_id], max_results=10)
    assert [run.version for run in page.items] == list(range(RUNS, RUNS - 10, -1))
    # Versions 1…99 are one block: all read, so the total is exact.
    assert (page.total, page.total_is_lower_bound) == (RUNS, False)
    order = "tags.`jupyterlab_runs.version_order`"
    searches = [(body["filter"], body["order_by"], rows) for body, rows in seen.searches()]
    # Sent two at a time (the untagged runs with the newest; the block above with this one),
    # so in no fixed order.
    assert sorted(searches) == sorted(
        [
            ('tags."jupyterlab_runs.version_order" IS NULL', ["attributes.start_time DESC"], 0),
            ("", ["attributes.start_time DESC"], 1),  # the newest run: v40, in block 0
            (f"{order} LIKE '0000000001__'", [], 0),  # block 1 (v100…v199) holds none
            (f"{order} LIKE '0000000000__'", ["attributes.start_time DESC"], RUNS),
        ]
    )  # never MLflow's sort by a tag or metric, which costs O(runs²) on its SQLite store
    assert len(seen.calls) == len(searches)
    assert [call for call in seen.calls if call[0] == "runs/get"] == []  # no ledger read


def test_below_the_newest_block_a_page_reads_only_the_runs_it_shows(
    stores, mlflow_server, monkeypatch
):
    monkeypatch.setattr(version_blocks, "BLOCK", 10)  # blocks of 10 versions: v40 alone in the top
    store, experiment_id = fresh(stores, mlflow_server)
    seen = Recorder(store)
    page = store.search_runs([experiment_id], max_results=10)
    assert [run.version for run in page.items] == list(range(RUNS, RUNS - 10, -1))
    assert page.total_is_lower_bound and page.next_page_token
    order = "tags.`jupyterlab_runs.version_order`"
    blocks = {body["filter"]: (body["max_results"], rows) for body, rows in seen.searches()}
    assert blocks[f"{order} LIKE '00000000004_'"][1] == 1  # v40
    # v31…v39, asked by start time and checked: not the whole block (v30…v39).
    assert blocks[f"{order} LIKE '00000000003_'"] == (9, 9)
    assert len(seen.calls) == 5  # untagged, newest, the block above, these two blocks
    # The next page starts inside block 3, after v31: v30 and block 2, read in part again.
    seen.calls.clear()
    following = store.search_runs([experiment_id], max_results=5, page_token=page.next_page_token)
    assert [run.version for run in following.items] == [30, 29, 28, 27, 26]
    rows = sum(rows for _, rows in seen.searches())
    assert rows < 2 * 10  # never two whole blocks


def twins(stores, name: str, runs: list) -> dict[str, str]:
    """The same runs (made by ``runs``'s functions of an experiment id) in a new experiment
    of each store; the experiment ids."""
    ids = {}
    for backend in ("mlflow", "sqlite"):
        store = stores[backend][0]
        ids[backend] = store.create_experiment(unique(name)).id
        for make in runs:
            store.create_run(make(ids[backend]))
    return ids


def test_a_run_started_out_of_turn_still_comes_in_version_order(stores, mlflow_server, monkeypatch):
    # The capture posts a run when its cell ends, with the cell's start time: a long cell
    # started before shorter ones holds a higher version and an older start.
    monkeypatch.setattr(version_blocks, "BLOCK", 10)

    def make(i):
        def run(experiment_id):
            made = new_run(experiment_id, i)
            if i + 1 in (19, 23):  # v19 and v23 started first of all
                made = dataclasses.replace(made, start_time=made.start_time - DAY_MS)
            return made

        return run

    ids = twins(stores, "out-of-turn", [make(i) for i in range(25)])
    expected = stores["sqlite"][0].search_runs([ids["sqlite"]], max_results=1000)
    assert [run.version for run in expected.items] == list(range(25, 0, -1))
    for size in (3, 7, 25):
        versions, totals = all_pages(fresh(stores, mlflow_server)[0], ids["mlflow"], size)
        assert versions == list(range(25, 0, -1))
        assert totals[-1] == (25, False)


def test_equal_values_come_in_version_order_across_pages(stores, mlflow_server):
    # MLflow is first asked by the metric alone (its tie-break by our version tag doubles
    # its O(runs²) sort); where values tie the page is asked again with the tie-break.
    def make(i):
        def run(experiment_id):
            made = new_run(experiment_id, i)
            start = made.start_time - (i % 4) * DAY_MS  # start order unlike version order
            metrics = [MetricInput("tie", (0.5, 0.7, 0.9)[i % 3])] if i % 5 else []
            return dataclasses.replace(made, start_time=start, metrics=metrics)

        return run

    ids = twins(stores, "ties", [make(i) for i in range(24)])
    for order in (["metrics.tie DESC"], ["metrics.tie"]):
        expected = stores["sqlite"][0].search_runs([ids["sqlite"]], order_by=order, max_results=99)
        for size in (2, 5, 7):
            store = fresh(stores, mlflow_server)[0]
            versions, totals = all_pages(store, ids["mlflow"], size, order_by=order)
            assert versions == [run.version for run in expected.items]
            assert totals[-1] == (24, False)


def test_a_first_page_by_a_metric_is_one_request(stores, mlflow_server, caplog):
    store, experiment_id = fresh(stores, mlflow_server)
    seen = Recorder(store)
    caplog.set_level(logging.DEBUG, logger="jupyterlab_runs.store.mlflow.rest")
    page = store.search_runs([experiment_id], "", ["metrics.acc DESC"], max_results=10)
    logged = [record.getMessage() for record in caplog.records]
    assert len(page.items) == 10 and page.items[0].metrics["acc"].value == max(
        run.metrics["acc"].value
        for run in stores["mlflow"][0].search_runs([experiment_id], max_results=1000).items
        if "acc" in run.metrics
    )
    # One MLflow search, as MlflowClient.search_runs makes: no probe for untagged runs
    # (a run without a version is claimed when MLflow returns it).
    assert [(endpoint, body["order_by"]) for endpoint, body, _ in seen.calls] == [
        ("runs/search", ["metrics.`acc` DESC"])  # and no tie-break: no two values are equal
    ]
    # Each request is logged at DEBUG with its time and size (how a page is profiled).
    (message,) = logged
    assert message.startswith("MLflow POST api/2.0/mlflow/runs/search: ")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"order_by": ["metrics.acc DESC"]},
        {"order_by": ["metrics.acc"], "filter": "params.model = 'rf' or params.model = 'svm'"},
        {"filter": "params.model = 'rf' or metrics.acc > 0.5"},  # runs in both branches
        {"filter": "not params.model = 'rf' and version <= 30", "order_by": ["start_time"]},
        {"filter": "params.depth >= 2 and tags.missing IS NULL", "order_by": ["name DESC"]},
        {"filter": "params.model ILIKE 'R%' or params.model LIKE '%n%'"},
    ],
)
def test_pages_chain_like_the_embedded_store(stores, query):
    (mlflow, mlflow_id), (sqlite, sqlite_id) = stores["mlflow"], stores["sqlite"]
    expected = sqlite.search_runs([sqlite_id], max_results=1000, **query)
    versions, totals = all_pages(mlflow, mlflow_id, 7, **query)
    assert versions == [run.version for run in expected.items]
    for total, lower_bound in totals:  # "at least" while pages remain, exact at the end
        assert total <= expected.total if lower_bound else total == expected.total
    assert totals[-1] == (expected.total, False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "params.model = 'svm' and params.n = 3",  # v18 alone: wide windows below v30
        "params.model = 'rf' or params.model = 'knn'",
        "not params.model = 'rf'",  # checked here: MLflow reads every run
        "params.n = 3 and metrics.acc > 0.4",
    ],
)
def test_default_order_pages_in_small_blocks_like_the_embedded_store(stores, monkeypatch, text):
    monkeypatch.setattr(version_blocks, "BLOCK", 10)  # RUNS versions span five blocks
    (mlflow, mlflow_id), (sqlite, sqlite_id) = stores["mlflow"], stores["sqlite"]
    expected = sqlite.search_runs([sqlite_id], text, max_results=1000)
    for size in (3, 8):
        seen = Recorder(mlflow)
        versions, totals = all_pages(mlflow, mlflow_id, size, filter=text)
        assert versions == [run.version for run in expected.items]
        assert totals[-1] == (expected.total, False)
        wide = [body for body, _ in seen.searches() if body["filter"].endswith("__'")]
        if "svm" in text:
            assert wide  # v1…v29 in one search once v30…v49 held no match
        if not text:
            assert not wide  # every run matches: a block at a time, read in part


def test_or_branches_and_orders_are_evaluated_by_mlflow(stores, mlflow_server):
    store, experiment_id = fresh(stores, mlflow_server)
    seen = Recorder(store)
    text = "(params.model = 'rf' or params.model = 'svm') and metrics.acc > 0.2"
    page = store.search_runs([experiment_id], text, ["metrics.acc DESC"], max_results=5)
    assert len(page.items) == 5
    conditions = sorted(
        body["filter"] for body, _ in seen.searches() if "IS NULL" not in body["filter"]
    )
    assert conditions == [
        "params.`model` = 'rf' and metrics.`acc` > 0.2",
        "params.`model` = 'svm' and metrics.`acc` > 0.2",
    ]
    for body, rows in seen.searches():
        if "IS NULL" not in body["filter"]:
            assert body["order_by"][0] == "metrics.`acc` DESC" and rows <= 25


def test_a_version_is_found_by_its_tag_without_reading_the_ledger(stores, mlflow_server):
    store, experiment_id = fresh(stores, mlflow_server)
    seen = Recorder(store)
    run = store.get_run_by_version(experiment_id, 7)
    assert run.version == 7 and run.experiment_id == experiment_id
    gets = [query["run_id"] for endpoint, query, _ in seen.calls if endpoint == "runs/get"]
    assert set(gets) == {run.id}  # the run itself, never a ledger run
    ((body, rows),) = seen.searches("tags.`jupyterlab_runs.version_order` = '000000000007'")
    assert rows == 1


def test_a_panel_left_open_reads_only_what_changed(stores, mlflow_server):
    store, experiment_id = fresh(stores, mlflow_server)
    store.feed.interval = 0
    seen = Recorder(store)
    cursor, _ = store.changes(0)  # the baseline poll
    for _ in range(5):
        cursor, changes = store.changes(cursor)
    # The RUNS runs ended a day ago: six polls read none of them back.
    assert experiment_id not in seen.experiments
    assert len(seen.searches()) == 6 * 2  # ended lately, still running
    run = stores["mlflow"][0].create_run(NewRun(experiment_id, status="RUNNING"))
    cursor, changes = store.changes(cursor)
    assert [(c.op, c.id) for c in changes if c.experiment_id == experiment_id] == [
        ("created", run.id)
    ]
    assert seen.experiments.count(experiment_id) == 1  # the one change, once
    stores["mlflow"][0].end_run(run.id, "FINISHED", end_time=now_ms() - DAY_MS)


HOSTILE = """
import time
from jupyterlab_runs.store.filter import parse_filter
from jupyterlab_runs.store.mlflow.filter import matches
from jupyterlab_runs.store.mlflow.mapping import run_from_mlflow

info = {"run_id": "r", "experiment_id": "1", "start_time": 0, "status": "FINISHED"}
run = run_from_mlflow({"info": info, "data": {"params": [{"key": "p", "value": "a" * 1500}]}}, 1)
started = time.perf_counter()
assert not matches(parse_filter("params.p LIKE '%a%a%a%b'"), run)
assert matches(parse_filter("params.p ILIKE '%A%a%A%a'"), run)
print(time.perf_counter() - started)
"""


def test_like_patterns_never_backtrack():
    # A child process, so that a backtracking matcher fails the test instead of hanging it.
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 0.1


def test_a_hostile_like_filter_answers_at_once_over_mlflow(stores):
    store, experiment_id = stores["mlflow"]
    run = store.create_run(NewRun(experiment_id, params=[ParamInput("long", "a" * 1500)]))
    started = time.perf_counter()
    # NOT is evaluated here, on every run MLflow returns.
    page = store.search_runs(
        [experiment_id], "params.long NOT LIKE '%a%a%a%b' and params.long LIKE 'a%'"
    )
    assert [found.id for found in page.items] == [run.id]
    assert time.perf_counter() - started < 5
    store.delete_run(run.id)
