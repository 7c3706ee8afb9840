"""The store contract, run against SqliteStore and MlflowStore alike (a real ``mlflow server``),
plus what only the MLflow backend has: versions with concurrent writers, interop with plain
``mlflow`` code, the filter split, errors, and the REST API on an MLflow backend."""

from __future__ import annotations

import hashlib
import math
import threading

import pytest

pytest.register_assert_rewrite("mlflow_fixtures")
from mlflow_fixtures import unique  # noqa: E402
from test_store_search import seed_run  # noqa: E402

from jupyterlab_runs.store import (  # noqa: E402
    Conflict,
    FilterError,
    InvalidArgument,
    MetricInput,
    NewRun,
    NotFound,
    ParamInput,
    SqliteStore,
    StoreUnavailable,
)

pytest_plugins = ("mlflow_fixtures",)
mlflow_store = pytest.importorskip("jupyterlab_runs.store.mlflow.store")
MlflowStore = mlflow_store.MlflowStore


def open_kind(kind: str, request, folder) -> SqliteStore | MlflowStore:
    if kind == "sqlite":
        return SqliteStore(folder / "runs.db")
    return MlflowStore(request.getfixturevalue("mlflow_server"), poll_interval=0)


@pytest.fixture(params=["sqlite", "mlflow"])
def store(request, tmp_path):
    """The same tests against the embedded store and an MLflow tracking server."""
    opened = open_kind(request.param, request, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def experiment(store):
    return store.create_experiment(unique("experiment"))


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
        params=[
            ParamInput("n_estimators", 200),
            ParamInput("model", "rf"),
            ParamInput("digits", "200", type="str", source="assign"),
            ParamInput("layers", [64, 32]),
            ParamInput("depth", None),
            ParamInput("lr", 1e-3),
            ParamInput("flag", True),
        ],
        metrics=[
            MetricInput("acc", 0.5, step=0, timestamp=10),
            MetricInput("acc", 0.9, 1, 20, source="printed"),
            MetricInput("nan", math.nan, timestamp=10),
            MetricInput("up", math.inf, timestamp=10),
            MetricInput("down", -math.inf, timestamp=10),
        ],
        tags={"team": "ml", "my tag": "x"},
    )
    values.update(changes)
    return NewRun(**values)


# -- experiments -----------------------------------------------------------------------------


def test_experiments_are_created_found_listed_renamed_and_deleted(store):
    a_name, b_name = unique("a"), unique("b")
    a = store.create_experiment(a_name, notebook_path="a.ipynb", description="d")
    b = store.create_experiment(b_name)
    assert store.get_experiment(a.id) == a
    assert (a.name, a.notebook_path, a.description) == (a_name, "a.ipynb", "d")
    assert store.get_experiment_by_name(a_name).id == a.id
    listed = [e.name for e in store.list_experiments() if e.name in (a_name, b_name)]
    assert listed == [b_name, a_name]
    with pytest.raises(Conflict, match="already exists"):
        store.create_experiment(a_name)
    with pytest.raises(NotFound):
        store.get_experiment("123456789")
    with pytest.raises(NotFound):
        store.get_experiment("missing")
    with pytest.raises(NotFound):
        store.get_experiment_by_name(unique("missing"))
    with pytest.raises(InvalidArgument):
        store.create_experiment("  ")
    renamed = store.update_experiment(a.id, name=a_name + "2", description="new")
    assert (renamed.name, renamed.description) == (a_name + "2", "new")
    with pytest.raises(Conflict):
        store.update_experiment(a.id, name=b_name)
    store.delete_experiment(a.id)
    store.delete_experiment(a.id)  # again: nothing to do
    assert a.id not in [e.id for e in store.list_experiments()]
    deleted = [e for e in store.list_experiments("deleted") if e.id == a.id]
    assert deleted and deleted[0].deleted_time is not None
    assert {a.id, b.id} <= {e.id for e in store.list_experiments("all")}
    with pytest.raises(NotFound):
        store.delete_experiment("123456789")


def test_get_or_create_returns_one_experiment_and_restores_a_deleted_one(store):
    name = unique("nb") + ".ipynb"
    created = store.get_or_create_experiment(name, notebook_path=name)
    assert store.get_or_create_experiment(name) == created
    assert created.notebook_path == name
    store.delete_experiment(created.id)
    restored = store.get_or_create_experiment(name)
    assert restored.id == created.id and restored.deleted_time is None


# -- runs ------------------------------------------------------------------------------------


def same_metrics(left, right) -> bool:
    """Metric summaries equal, NaN equal to NaN."""

    def key(summary):
        return tuple(
            "nan" if isinstance(v, float) and math.isnan(v) else v for v in vars(summary).values()
        )

    return {k: key(v) for k, v in left.items()} == {k: key(v) for k, v in right.items()}


def test_a_run_keeps_every_field(store, experiment):
    created = store.create_run(full_run(experiment.id))
    run = store.get_run(created.id)
    for field in vars(created):
        if field != "metrics":
            assert getattr(run, field) == getattr(created, field), field
    assert same_metrics(run.metrics, created.metrics)
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
    assert run.note == "first *try*"
    assert {k: (p.value, p.type, p.source) for k, p in run.params.items()} == {
        "n_estimators": ("200", "int", "explicit"),
        "model": ("rf", "str", "explicit"),
        "digits": ("200", "str", "assign"),
        "layers": ("[64, 32]", "json", "explicit"),
        "depth": ("None", "none", "explicit"),
        "lr": ("0.001", "float", "explicit"),
        "flag": ("True", "bool", "explicit"),
    }
    acc = run.metrics["acc"]
    assert (acc.value, acc.step, acc.min, acc.max, acc.count, acc.source) == (
        0.9,
        1,
        0.5,
        0.9,
        2,
        "printed",
    )
    assert math.isnan(run.metrics["nan"].value)
    assert (run.metrics["up"].value, run.metrics["down"].value) == (math.inf, -math.inf)
    assert run.tags == {"team": "ml", "my tag": "x"}
    assert store.get_run_by_version(experiment.id, 1).id == run.id
    with pytest.raises(NotFound, match="no run v2"):
        store.get_run_by_version(experiment.id, 2)
    with pytest.raises(NotFound):
        store.get_run("0" * 32)


def test_a_child_run_points_at_its_parent(store, experiment):
    parent = store.create_run(NewRun(experiment.id))
    child = store.create_run(NewRun(experiment.id, parent_run_id=parent.id))
    assert store.get_run(child.id).parent_run_id == parent.id
    with pytest.raises(NotFound, match="no parent run"):
        store.create_run(NewRun(experiment.id, parent_run_id="f" * 32))


def test_versions_count_up_per_experiment_and_name_defaults_to_v_version(store):
    a = store.create_experiment(unique("a"))
    b = store.create_experiment(unique("b"))
    versions = [store.create_run(NewRun(a.id)).version for _ in range(3)]
    other = store.create_run(NewRun(b.id, name="baseline"))
    assert versions == [1, 2, 3]
    assert (other.version, other.name) == (1, "baseline")
    assert [r.name for r in store.search_runs([a.id]).items] == ["v3", "v2", "v1"]
    with pytest.raises(NotFound, match="no experiment"):
        store.create_run(NewRun("123456789"))


def test_log_batch_adds_to_a_run_and_params_cannot_change(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING", params=[ParamInput("lr", 0.1)]))
    store.log_batch(
        run.id,
        params=[ParamInput("lr", 0.1), ParamInput("depth", 3, source="assign")],
        metrics=[MetricInput("loss", 0.5, step=1), MetricInput("loss", 0.2, step=2)],
        tags={"stage": "train"},
    )
    store.log_batch(run.id, metrics=[MetricInput("loss", 0.7, step=0)], tags={"stage": "eval"})
    got = store.get_run(run.id)
    assert {k: (p.value, p.source) for k, p in got.params.items()} == {
        "lr": ("0.1", "explicit"),
        "depth": ("3", "assign"),
    }
    loss = got.metrics["loss"]
    assert (loss.value, loss.step, loss.min, loss.max, loss.count) == (0.2, 2, 0.2, 0.7, 3)
    assert got.tags == {"stage": "eval"}
    with pytest.raises(Conflict, match="'lr' is already '0.1'"):
        store.log_batch(run.id, params=[ParamInput("lr", 0.2)], metrics=[MetricInput("x", 1)])
    assert "x" not in store.get_run(run.id).metrics  # the whole batch was refused
    with pytest.raises(NotFound):
        store.log_batch("f" * 32, metrics=[MetricInput("x", 1)])
    history = store.metric_history(run.id, "loss")
    assert [(p.step, p.value) for p in history] == [(0, 0.7), (1, 0.5), (2, 0.2)]
    assert store.metric_history(run.id, "unknown") == []
    with pytest.raises(NotFound):
        store.metric_history("f" * 32, "loss")


def test_end_run_closes_a_running_run_once(store, experiment):
    run = store.create_run(NewRun(experiment.id, status="RUNNING", start_time=100))
    assert run.end_time is None and run.duration_ms is None
    ended = store.end_run(run.id, "FAILED", end_time=400, error={"name": "E", "message": "m"})
    assert (ended.status, ended.end_time, ended.duration_ms) == ("FAILED", 400, 300)
    assert ended.error == {"name": "E", "message": "m"}
    with pytest.raises(Conflict, match="has ended already"):
        store.end_run(run.id, "FINISHED")


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
    assert store.get_run(run.id) == updated
    assert store.update_run(run.id).name == "best"
    with pytest.raises(InvalidArgument):
        store.update_run(run.id, name="")


def test_delete_and_restore_are_soft(store, experiment):
    run = store.create_run(NewRun(experiment.id))
    store.delete_run(run.id)
    assert store.get_run(run.id).deleted_time is not None
    assert store.search_runs([experiment.id]).total == 0
    assert store.search_runs([experiment.id], view="deleted").total == 1
    assert store.search_runs([experiment.id], view="all").total == 1
    assert store.restore_run(run.id).deleted_time is None
    assert store.search_runs([experiment.id]).total == 1
    with pytest.raises(NotFound):
        store.delete_run("f" * 32)


def test_list_keys_reports_the_keys_of_the_given_experiments(store):
    a = store.create_experiment(unique("a"))
    b = store.create_experiment(unique("b"))
    store.create_run(
        NewRun(a.id, params=[ParamInput("p", 1)], metrics=[MetricInput("m", 1)], tags={"t": "x"})
    )
    store.create_run(NewRun(b.id, params=[ParamInput("q", 1)]))
    keys = store.list_keys([a.id])
    assert (keys.params, keys.metrics, keys.tags) == (["p"], ["m"], ["t"])
    assert store.list_keys([a.id, b.id]).params == ["p", "q"]


def test_the_change_feed_reports_each_change_after_the_cursor(store):
    cursor, _ = store.changes(2**53)
    experiment = store.create_experiment(unique("feed"))
    run = store.create_run(NewRun(experiment.id, status="RUNNING"))
    store.log_batch(run.id, metrics=[MetricInput("m", 1)])
    store.end_run(run.id, "FINISHED")
    store.update_run(run.id, note="n")
    store.delete_run(run.id)
    store.restore_run(run.id)
    store.log_artifact(run.id, "f.txt", b"x")
    next_cursor, changes = store.changes(cursor)
    mine = [(c.kind, c.op) for c in changes if c.experiment_id == experiment.id]
    assert mine == [("experiment", "created"), ("run", "created")] + [("run", "updated")] * 3 + [
        ("run", "deleted"),
        ("run", "updated"),
        ("run", "updated"),
    ]
    assert [c.cursor for c in changes] == sorted(c.cursor for c in changes)
    assert next_cursor == changes[-1].cursor > cursor
    assert store.changes(next_cursor) == (next_cursor, [])
    assert store.changes(next_cursor, limit=1)[0] == next_cursor


def test_artifacts_round_trip(store, experiment):
    run = store.create_run(NewRun(experiment.id, code="print(1)"))
    stored = store.log_artifact(run.id, "models/model.pkl", b"\x00pickle")
    store.log_artifact(run.id, "notes.txt", b"hello")
    assert (stored.path, stored.size) == ("models/model.pkl", 7)
    assert stored.sha256 == hashlib.sha256(b"\x00pickle").hexdigest()
    assert [(a.path, a.size, a.media_type) for a in store.list_artifacts(run.id)] == [
        ("models/model.pkl", 7, "application/octet-stream"),
        ("notes.txt", 5, "text/plain"),
    ]
    assert store.read_artifact(run.id, "models/model.pkl") == b"\x00pickle"
    with pytest.raises(NotFound):
        store.read_artifact(run.id, "missing.txt")
    with pytest.raises(InvalidArgument):
        store.log_artifact(run.id, "../escape.txt", b"x")
    with pytest.raises(NotFound):
        store.list_artifacts("f" * 32)


def test_a_bad_filter_says_where(store, experiment):
    with pytest.raises(FilterError, match="position"):
        store.search_runs([experiment.id], filter="metrics.acc > ")


# -- search: both stores seeded alike must answer alike --------------------------------------


@pytest.fixture(scope="module")
def seeded(request, tmp_path_factory):
    """Both stores, each with one experiment of twelve runs v1…v12 (v2 deleted)."""
    stores = {}
    for kind in ("sqlite", "mlflow"):
        store = open_kind(kind, request, tmp_path_factory.mktemp(kind))
        experiment = store.create_experiment(unique("search"))
        for i in range(1, 13):
            run = seed_run(store, experiment.id, i)
            if i == 2:
                store.delete_run(run.id)
        stores[kind] = (store, experiment.id)
    yield stores
    for store, _ in stores.values():
        store.close()


def answers(seeded, **kwargs):
    """(versions, total) per store for one search."""
    kwargs.setdefault("max_results", 1000)
    result = {}
    for kind, (store, experiment_id) in seeded.items():
        page = store.search_runs([experiment_id], **kwargs)
        result[kind] = ([run.version for run in page.items], page.total)
    return result


FILTERS = [
    "",
    "metrics.acc > 0.3",
    "metrics.acc >= 0.3 and params.model = 'rf'",
    "metrics.acc = 0",
    "metrics.acc != 0.1",
    "metrics.acc IS NULL",
    "not metrics.acc > 0.3",
    "metrics.acc IN (0.1, 0.2)",
    "params.model != 'rf'",
    "params.n_estimators >= 400",
    "params.n_estimators = 'auto'",
    "params.`cfg.depth` = 3",
    "params.unknown IS NULL",
    "tags.stage = 'a'",
    "tags.\"my tag\" IN ('t1', 't5')",
    "tags.stage LIKE 'A'",
    "tags.stage ILIKE 'A'",
    "status = 'FAILED' and tags.stage = 'b'",
    "NOT (status = 'FINISHED')",
    "name LIKE 'v1%'",
    "run_name = 'best run'",
    "version <= 2 or version = 12",
    "source = 'magic'",
    "duration > 100",
    "end_time IS NULL",
    "user = 'ada' and start_time >= 3000",
    "(params.model = 'rf' or tags.stage = 'a') and not metrics.acc > 0.2",
]


@pytest.mark.parametrize("text", FILTERS)
def test_filters_answer_alike(seeded, text):
    found = answers(seeded, filter=text)
    assert found["mlflow"] == found["sqlite"]


def test_the_seeded_answers_are_the_expected_ones(seeded):
    assert answers(seeded)["mlflow"] == ([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 1], 11)
    assert answers(seeded, filter="metrics.acc > 0.3")["mlflow"] == ([11, 10, 5], 3)
    assert answers(seeded, view="deleted")["mlflow"] == ([2], 1)


ORDERS = [
    ["version"],
    ["metrics.acc DESC"],
    ["metrics.acc"],
    ["params.n_estimators ASC"],
    ["params.n_estimators DESC"],
    ["attributes.end_time DESC"],
    ["duration DESC"],
    ["name"],
    ["tags.stage DESC"],
    ["metrics.unknown ASC"],
]


@pytest.mark.parametrize("order_by", ORDERS)
@pytest.mark.parametrize("view", ["active", "all"])
def test_orders_answer_alike(seeded, order_by, view):
    found = answers(seeded, order_by=order_by, view=view)
    assert found["mlflow"] == found["sqlite"]


@pytest.mark.parametrize("order_by", [[], ["metrics.acc DESC"], ["params.n_estimators"]])
def test_pages_chain_through_every_run_exactly_once(seeded, order_by):
    for kind, (store, experiment_id) in seeded.items():
        seen, token, first_token = [], None, None
        while True:
            page = store.search_runs(
                [experiment_id], order_by=order_by, max_results=4, page_token=token
            )
            assert page.total == 11
            seen += [run.version for run in page.items]
            token = page.next_page_token
            first_token = first_token or token
            if token is None:
                break
        assert seen == answers(seeded, order_by=order_by)[kind][0]
        with pytest.raises(InvalidArgument, match="different search"):
            store.search_runs([experiment_id], filter="version > 1", page_token=first_token)


@pytest.mark.parametrize("order_by", [[], ["metrics.acc DESC"]])
def test_a_page_at_an_offset_is_the_page_walking_reaches_alike(seeded, order_by):
    # SQLite skips rows in its index; MLflow has no offset, so pages are walked up to it.
    for kind, (store, experiment_id) in seeded.items():
        expected = answers(seeded, order_by=order_by)[kind][0]
        for offset in (0, 1, 5, 10, 11, 30):
            page = store.search_runs(
                [experiment_id], order_by=order_by, max_results=3, offset=offset
            )
            assert [run.version for run in page.items] == expected[offset : offset + 3]
            assert (page.next_page_token is None) == (offset + 3 >= len(expected))
        with pytest.raises(InvalidArgument, match="offset must be 0 or more"):
            store.search_runs([experiment_id], offset=-1)


# -- MLflow only -----------------------------------------------------------------------------


@pytest.fixture
def mlflow(mlflow_server):
    opened = MlflowStore(mlflow_server, poll_interval=0)
    yield opened
    opened.close()


@pytest.fixture
def client(mlflow_server):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=mlflow_server)


def test_concurrent_writers_get_unique_gapless_versions(mlflow_server, client):
    experiment_id = MlflowStore(mlflow_server).create_experiment(unique("race")).id
    created, errors = [], []

    def writer(plain: bool):
        store = MlflowStore(mlflow_server)  # its own ledger cache, as another process has
        try:
            for _ in range(5):
                if plain:  # a run logged by plain mlflow: claimed by whoever sees it
                    client.create_run(experiment_id)
                    store.search_runs([experiment_id])
                else:
                    created.append(store.create_run(NewRun(experiment_id)).id)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i == 0,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    runs = MlflowStore(mlflow_server).search_runs([experiment_id], max_results=1000).items
    assert sorted(run.version for run in runs) == list(range(1, 26))
    for run in runs:
        tag = client.get_run(run.id).data.tags.get("jupyterlab_runs.version")
        assert tag == str(run.version)
        if run.id in created:
            assert run.name == f"v{run.version}"


WRITER = """
import sys
from jupyterlab_runs.store import NewRun
from jupyterlab_runs.store.mlflow.store import MlflowStore
store = MlflowStore(sys.argv[1])
print(*[store.create_run(NewRun(sys.argv[2])).version for _ in range(4)])
"""


def test_writer_processes_get_unique_gapless_versions(mlflow_server):
    import subprocess
    import sys

    experiment_id = MlflowStore(mlflow_server).create_experiment(unique("processes")).id
    command = [sys.executable, "-c", WRITER, mlflow_server, experiment_id]
    writers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [writer.communicate(timeout=300)[0] for writer in writers]
    assert all(writer.returncode == 0 for writer in writers)
    reported = sorted(int(v) for out in outputs for v in out.split())
    assert reported == list(range(1, 13))
    runs = MlflowStore(mlflow_server).search_runs([experiment_id]).items
    assert sorted((run.version, run.name) for run in runs) == [(v, f"v{v}") for v in range(1, 13)]


def test_a_run_logged_by_plain_mlflow_shows_in_searches(mlflow, mlflow_server, monkeypatch):
    import mlflow as mlflow_api

    name = unique("plain")
    # set_tracking_uri is global: monkeypatch puts the previous value back afterwards.
    monkeypatch.setattr(mlflow_api.tracking._tracking_service.utils, "_tracking_uri", None)
    mlflow_api.set_tracking_uri(mlflow_server)
    experiment_id = mlflow_api.create_experiment(name)
    for lr in (0.1, 0.01):
        with mlflow_api.start_run(experiment_id=experiment_id):
            mlflow_api.log_param("lr", lr)
            mlflow_api.log_param("model", "rf")
            mlflow_api.log_metric("acc", 0.9 + lr)
            mlflow_api.log_metric("acc", 0.95 + lr, step=1)
    page = mlflow.search_runs([experiment_id], filter="params.lr > 0.05")
    assert page.total == 1
    run = page.items[0]
    assert (run.version, run.source, run.status) == (1, "import", "FINISHED")
    assert (run.params["lr"].value, run.params["lr"].type) == ("0.1", "float")
    assert run.params["model"].type == "str"
    assert run.metrics["acc"].value == pytest.approx(1.05)
    assert [r.version for r in mlflow.search_runs([experiment_id]).items] == [2, 1]
    assert mlflow.get_run(run.id).metrics["acc"].count == 2
    assert mlflow.get_run_by_version(experiment_id, 2).params["lr"].value == "0.01"


def test_a_run_we_log_looks_right_to_mlflow(mlflow, client):
    experiment = mlflow.create_experiment(unique("ours"), notebook_path="nb.ipynb", description="d")
    run = mlflow.create_run(full_run(experiment.id, code="x = 1\n" * 3000))
    seen = client.get_run(run.id)
    assert seen.info.run_name == "v1" and seen.info.status == "FAILED"
    assert seen.data.tags["mlflow.runName"] == "v1"
    assert seen.data.tags["jupyterlab_runs.version"] == "1"
    assert seen.data.tags["mlflow.source.name"] == "work/train.ipynb"
    assert seen.data.tags["mlflow.note.content"] == "first *try*"
    assert seen.data.tags["mlflow.user"] == "ada"
    assert seen.data.params["n_estimators"] == "200"
    assert seen.data.metrics["acc"] == 0.9
    code = client.download_artifacts(run.id, "jupyterlab_runs/code.py")
    assert open(code).read() == "x = 1\n" * 3000
    assert mlflow.get_run(run.id).code == "x = 1\n" * 3000  # longer than a tag holds
    assert client.get_experiment(experiment.id).tags["mlflow.note.content"] == "d"


def test_the_filter_is_split_between_mlflow_and_python():
    from jupyterlab_runs.store.filter import parse_filter
    from jupyterlab_runs.store.mlflow.filter import server_filter

    def split(text):
        return server_filter(parse_filter(text))

    assert split("metrics.acc > 0.9 and params.model = 'rf'") == (
        "metrics.`acc` > 0.9 and params.`model` = 'rf'"
    )
    assert split("tags.`a b` LIKE 'x%' and start_time >= 5 and status = 'FAILED'") == (
        "tags.`a b` LIKE 'x%' and attributes.start_time >= 5 and attributes.status = 'FAILED'"
    )
    assert split("id IN ('a', 'b') and name = 'v1'") == (
        "attributes.run_id IN ('a', 'b') and attributes.run_name = 'v1'"
    )
    # Only we can evaluate these: OR, NOT, numeric params, our attributes, IS NULL, quotes.
    for text in (
        "metrics.a > 1 or metrics.b > 1",
        "not metrics.a > 1",
        "params.n >= 400",
        "version = 3",
        "tags.x IS NULL",
        "params.p = 'it''s'",
        "metrics.a != 1",
        "tags.`mlflow.user` = 'ada'",
    ):
        assert split(text) == "", text


def test_log_batches_stay_within_mlflow_limits():
    import json

    from jupyterlab_runs.store.mlflow.batch import log_batches

    params = [{"key": f"p{i}", "value": "x"} for i in range(250)]
    metrics = [{"key": "m", "value": 1.0, "timestamp": i, "step": i} for i in range(2500)]
    tags = {f"t{i}": "y" * 7000 for i in range(150)}
    bodies = list(log_batches("r", params, metrics, tags))
    for body in bodies:
        assert len(body["params"]) <= 100 and len(body["tags"]) <= 100
        assert len(body["metrics"]) <= 1000
        assert len(body["params"]) + len(body["metrics"]) + len(body["tags"]) <= 1000
        assert len(json.dumps(body).encode()) < 1_000_000
    assert [p for b in bodies for p in b["params"]] == params
    assert [m for b in bodies for m in b["metrics"]] == metrics
    assert {t["key"]: t["value"] for b in bodies for t in b["tags"]} == tags


def test_a_run_bigger_than_one_batch_arrives_whole(mlflow):
    experiment = mlflow.create_experiment(unique("big"))
    run = mlflow.create_run(
        NewRun(
            experiment.id,
            params=[ParamInput(f"p{i}", i) for i in range(150)],
            metrics=[MetricInput("loss", 1 / (s + 1), step=s, timestamp=s) for s in range(2500)],
            tags={f"t{i}": "v" for i in range(120)},
        )
    )
    got = mlflow.get_run(run.id)
    assert len(got.params) == 150 and len(got.tags) == 120
    assert got.metrics["loss"].count == 2500 and got.metrics["loss"].step == 2499
    assert len(mlflow.metric_history(run.id, "loss")) == 2500


def test_invalid_mlflow_keys_are_refused_before_anything_is_written(mlflow, client):
    experiment = mlflow.create_experiment(unique("keys"))
    with pytest.raises(InvalidArgument, match="not a valid MLflow name"):
        mlflow.create_run(NewRun(experiment.id, metrics=[MetricInput("acc (%)", 1)]))
    assert client.search_runs([experiment.id]) == []


def test_an_unreachable_server_is_unavailable_and_named():
    from mlflow_fixtures import free_port

    url = f"http://127.0.0.1:{free_port()}"
    store = MlflowStore(url, timeout=2)
    with pytest.raises(StoreUnavailable, match=f"cannot reach the MLflow tracking server at {url}"):
        store.list_experiments()


def test_tracking_uris(monkeypatch):
    from jupyterlab_runs.store import open_store

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:1/")
    assert open_store("mlflow").rest.base_url == "http://127.0.0.1:1"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
    with pytest.raises(StoreUnavailable, match="not an MLflow tracking server.*mlflow server"):
        open_store("mlflow")
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    with pytest.raises(StoreUnavailable, match="MLFLOW_TRACKING_URI, which is not set"):
        open_store("mlflow")


def test_the_feed_sees_runs_logged_by_others(mlflow, client):
    experiment = mlflow.create_experiment(unique("others"))
    cursor, _ = mlflow.changes(2**53)
    run = client.create_run(experiment.id)
    client.set_terminated(run.info.run_id)
    _, changes = mlflow.changes(cursor)
    assert ("run", "created", run.info.run_id) in [(c.kind, c.op, c.id) for c in changes]
    client.delete_run(run.info.run_id)
    _, changes = mlflow.changes(cursor)
    assert ("run", "deleted", run.info.run_id) in [(c.kind, c.op, c.id) for c in changes]


def test_the_registry_is_elected_once_when_writers_meet_a_new_server(mlflow_server):
    from jupyterlab_runs.store.mlflow.rest import RestClient
    from jupyterlab_runs.store.mlflow.versions import VersionLedger

    experiment_id = MlflowStore(mlflow_server).create_experiment(unique("elect")).id
    name = unique("test-ledger")
    ledgers = [VersionLedger(RestClient(mlflow_server), name) for _ in range(4)]
    claimed: dict[int, list] = {}

    def claim(i):
        claimed[i] = [ledgers[i].claim(experiment_id, [f"{i}-{n}"]) for n in range(3)]

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({ledger._registry for ledger in ledgers}) == 1
    assert len({ledger._ledgers[experiment_id] for ledger in ledgers}) == 1
    versions = [v for claims in claimed.values() for c in claims for v in c.values()]
    assert sorted(versions) == list(range(1, 13))


# -- the REST API of the server extension on an MLflow backend -------------------------------


@pytest.fixture
def runs_uri(mlflow_server, monkeypatch):
    """Overrides conftest's: the jupyter server under test stores runs in MLflow."""
    for name in ("JUPYTERLAB_RUNS_URI", "JUPYTERLAB_RUNS_ROOT"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return mlflow_server


async def test_the_rest_api_works_on_an_mlflow_backend(jp_fetch):
    import json

    name = unique("rest") + ".ipynb"
    body = {
        "experiment_name": name,
        "notebook_path": name,
        "source": "toolbar",
        "code": "n = 200\nprint('Accuracy: 0.964')",
        "params": [{"key": "n", "value": "200", "type": "int", "source": "assign"}],
        "metrics": [{"key": "accuracy", "value": 0.964, "source": "printed"}],
    }
    response = await jp_fetch(
        "jupyterlab-runs", "api", "runs", method="POST", body=json.dumps(body)
    )
    posted = json.loads(response.body)
    assert (posted["version"], posted["name"]) == (1, "v1")
    response = await jp_fetch("jupyterlab-runs", "api", "runs", posted["id"])
    run = json.loads(response.body)
    assert run["params"]["n"] == {"value": "200", "type": "int", "source": "assign"}
    assert run["metrics"]["accuracy"]["source"] == "printed"
    response = await jp_fetch(
        "jupyterlab-runs",
        "api",
        "runs",
        params={"experiment_ids": posted["experiment_id"], "filter": "metrics.accuracy > 0.9"},
    )
    page = json.loads(response.body)
    assert page["total"] == 1 and page["runs"][0]["id"] == posted["id"]


async def test_a_hostile_filter_never_holds_up_the_event_loop(jp_fetch, mlflow):
    import asyncio
    import json
    import time

    experiment_id = mlflow.create_experiment(unique("loop")).id
    run = mlflow.create_run(NewRun(experiment_id, params=[ParamInput("long", "b" * 1500)]))
    query = {"experiment_ids": experiment_id, "filter": "params.long NOT LIKE '%b%b%b%a'"}
    hostile = asyncio.ensure_future(jp_fetch("jupyterlab-runs", "api", "runs", params=query))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await jp_fetch("api", "status")  # served by the event loop while the search runs
    assert time.perf_counter() - started < 2
    page = json.loads((await hostile).body)
    assert [found["id"] for found in page["runs"]] == [run.id]
