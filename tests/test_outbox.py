"""The offline outbox over a real MLflow tracking server: writes it cannot take wait in the
outbox and arrive later, in order, exactly once, with their values; refusals still raise.

"Unreachable" here is a port nothing listens on (the outbox's store is opened on it, then
on the live server with the same outbox file); test_outbox_server.py stops and restarts a
real server under a real Jupyter server and kernel.
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
import uuid

import pytest

pytest.importorskip("requests", reason="the MLflow backend needs requests")

from jupyterlab_runs.server.pending import run_json, sync_json  # noqa: E402
from jupyterlab_runs.store import (  # noqa: E402
    Conflict,
    InvalidArgument,
    MetricInput,
    NewRun,
    NotFound,
    ParamInput,
    SqliteStore,
    StoreUnavailable,
)
from jupyterlab_runs.store.mlflow.mapping import TAG_OUTBOX_ID  # noqa: E402
from jupyterlab_runs.store.mlflow.store import MlflowStore  # noqa: E402
from jupyterlab_runs.store.outbox import OutboxStore, outbox_path  # noqa: E402
from jupyterlab_runs.store.outbox.delivery import PANEL_TIMEOUT, WRITE_TIMEOUT  # noqa: E402
from jupyterlab_runs.store.outbox.purge import purge_delivered  # noqa: E402

pytest_plugins = ("mlflow_fixtures",)

_OPEN = """
import os, signal, sys
from jupyterlab_runs.store.mlflow.store import MlflowStore
from jupyterlab_runs.store.outbox.log import OpLog
from jupyterlab_runs.store.outbox.store import OutboxStore
store = OutboxStore(MlflowStore(sys.argv[1]), sys.argv[2], deliver=False)
"""
_KILL_AFTER_CREATE = (
    _OPEN
    + """
def die(self, op, created=None):
    os.kill(os.getpid(), signal.SIGKILL)  # after MLflow created the run, before it is marked

OpLog.done = die
store.delivery.deliver()
"""
)
_DELIVER = _OPEN + "store.delivery.flush(120)\n"


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "outbox" / "outbox.db")


@pytest.fixture
def dead_url():
    from mlflow_fixtures import free_port

    return f"http://127.0.0.1:{free_port()}"


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def live(mlflow_server):
    store = MlflowStore(mlflow_server)
    yield store
    store.close()


def outbox(url: str, path: str) -> OutboxStore:
    return OutboxStore(MlflowStore(url), path, deliver=False)


def _copies(live: MlflowStore, experiment_id: str, outbox_id: str) -> list[dict]:
    body = {
        "experiment_ids": [experiment_id],
        "filter": f"tags.`{TAG_OUTBOX_ID}` = '{outbox_id}'",
        "run_view_type": "ALL",
    }
    return live.rest.post("runs/search", body).get("runs", [])


def test_runs_logged_while_unreachable_arrive_once_in_order_with_their_values(live, path, dead_url):
    experiment = live.get_or_create_experiment(unique("outbox-order"))
    down = outbox(dead_url, path)
    local = down.get_or_create_experiment(experiment.name)  # never seen: a local one
    first = down.create_run(
        NewRun(
            local.id,
            note="first",
            params=[ParamInput("order", 1), ParamInput("lr", 0.1)],
            metrics=[
                MetricInput("acc", 0.9),
                MetricInput("loss", 0.5),
                MetricInput("loss", 0.4, 1),
            ],
            tags={"team": "a"},
        )
    )
    assert (first.version, first.name, down.is_pending(first.id)) == (0, "v?", True)
    second = down.create_run(NewRun(local.id, status="RUNNING", params=[ParamInput("order", 2)]))
    down.log_batch(
        second.id, metrics=[MetricInput("loss", v, s) for s, v in enumerate([0.3, math.nan])]
    )
    down.update_run(second.id, note="edited offline", set_tags={"stage": "x"})
    ended = down.end_run(second.id, "FAILED")
    assert (ended.status, ended.version) == ("FAILED", 0)
    down.log_artifact(first.id, "notes/offline.txt", b"kept", "text/plain")
    third = down.create_run(NewRun(local.id, params=[ParamInput("order", 3)]))
    status = down.sync_status()
    assert status["pending"] == 3
    assert [run.id for run in status["runs"]] == [third.id, second.id, first.id]
    assert "cannot reach the MLflow tracking server" in status["last_error"]
    assert down.get_run(second.id).metrics["loss"].count == 2  # the pending run, as logged
    down.close()

    up = outbox(live.rest.base_url, path)  # another process, once the server is back
    assert up.sync_status()["pending"] == 3
    assert up.delivery.deliver() == "idle"
    status = up.sync_status()
    assert (status["pending"], status["runs"], status["last_error"]) == (0, [], None)
    assert status["last_delivered_at"] is not None

    page = live.search_runs([experiment.id], view="all")
    assert sorted((r.version, r.params["order"].value) for r in page.items) == [
        (1, "1"), (2, "2"), (3, "3"),
    ]  # fmt: skip
    delivered = up.get_run(first.id)  # the local id still finds it
    assert delivered.version == 1 and delivered.experiment_id == experiment.id
    assert (delivered.params["lr"].value, delivered.params["lr"].type) == ("0.1", "float")
    assert (delivered.note, delivered.tags, delivered.status) == (
        "first",
        {"team": "a"},
        "FINISHED",
    )
    assert [p.value for p in live.metric_history(delivered.id, "loss")] == [0.5, 0.4]
    assert live.read_artifact(delivered.id, "notes/offline.txt") == b"kept"
    edited = up.get_run(second.id)
    assert (edited.version, edited.status, edited.note) == (2, "FAILED", "edited offline")
    assert edited.tags == {"stage": "x"}
    history = [p.value for p in live.metric_history(edited.id, "loss")]
    assert history[0] == 0.3 and math.isnan(history[1])
    assert up.delivery.deliver() == "idle"  # nothing is sent twice
    assert len(live.search_runs([experiment.id], view="all").items) == 3
    # The local experiment's id, handed out while the server was down, still works online.
    again = up.create_run(NewRun(local.id, params=[ParamInput("order", 4)]))
    assert (again.version, again.experiment_id) == (4, experiment.id)
    assert not up.is_pending(again.id)


def test_copies_of_delivered_runs_are_purged_and_their_local_ids_still_reach_mlflow(
    live, path, dead_url
):
    experiment = live.get_or_create_experiment(unique("outbox-purge"))
    down = outbox(dead_url, path)
    local = down.get_or_create_experiment(experiment.name)
    run = down.create_run(NewRun(local.id, params=[ParamInput("k", 1)]))
    down.log_batch(run.id, metrics=[MetricInput("loss", 0.5)])
    down.log_artifact(run.id, "notes/offline.txt", b"kept", "text/plain")
    outbox_id = down.log.pending_run(run.id).outbox_id
    folder = down.local.artifact_root / run.id
    assert folder.is_dir()

    up = outbox(live.rest.base_url, path)
    assert up.delivery.deliver() == "idle"
    waiting = down.create_run(NewRun(local.id, params=[ParamInput("k", 2)]))  # down again
    assert purge_delivered(up) == []  # just delivered: a writer may still use the copy
    assert up.local.get_run(run.id).id == run.id

    assert purge_delivered(up, after_ms=0) == [run.id]
    with pytest.raises(NotFound):
        up.local.get_run(run.id)
    assert not folder.exists()
    assert up.local.get_run(waiting.id).id == waiting.id  # still queued: kept
    assert purge_delivered(up, after_ms=0) == []

    # The local id still names the run on MLflow; a write to it (queued behind the waiting
    # run) goes there, and nothing is sent twice.
    up.log_batch(run.id, metrics=[MetricInput("loss", 0.25, 1)])
    assert up.delivery.deliver() == "idle"
    delivered = up.get_run(run.id)
    assert (delivered.version, delivered.params["k"].value) == (1, "1")
    assert [p.value for p in live.metric_history(delivered.id, "loss")] == [0.5, 0.25]
    assert live.read_artifact(delivered.id, "notes/offline.txt") == b"kept"
    assert len(_copies(live, experiment.id, outbox_id)) == 1
    versions = sorted(r.version for r in live.search_runs([experiment.id], view="all").items)
    assert versions == [1, 2]


def test_a_delivery_killed_after_the_mlflow_create_makes_no_duplicate(live, path, dead_url):
    experiment = live.get_or_create_experiment(unique("outbox-crash"))
    down = outbox(dead_url, path)
    run = down.create_run(NewRun(down.get_or_create_experiment(experiment.name).id))
    outbox_id = down.log.pending_run(run.id).outbox_id
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_AFTER_CREATE, live.rest.base_url, path], timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    assert len(_copies(live, experiment.id, outbox_id)) == 1  # created, never marked delivered
    assert down.is_pending(run.id)

    up = outbox(live.rest.base_url, path)
    assert up.delivery.deliver() == "idle"  # the dead process's claim is taken over
    copies = _copies(live, experiment.id, outbox_id)
    assert len(copies) == 1 and copies[0]["info"]["lifecycle_stage"] == "active"
    assert up.get_run(run.id).id == copies[0]["info"]["run_id"]


def test_processes_delivering_at_once_send_each_run_once_in_order(live, path, dead_url):
    experiment = live.get_or_create_experiment(unique("outbox-race"))
    down = outbox(dead_url, path)
    local = down.get_or_create_experiment(experiment.name)
    for order in range(1, 9):
        down.create_run(NewRun(local.id, params=[ParamInput("order", order)]))
    command = [sys.executable, "-c", _DELIVER, live.rest.base_url, path]
    workers = [subprocess.Popen(command) for _ in range(3)]
    assert [worker.wait(timeout=180) for worker in workers] == [0, 0, 0]
    runs = live.search_runs([experiment.id], view="all").items
    assert sorted((r.version, r.params["order"].value) for r in runs) == [
        (n, str(n)) for n in range(1, 9)
    ]
    assert down.sync_status()["pending"] == 0


def test_a_copy_cut_short_part_way_is_deleted_and_the_run_created_whole(live, path, dead_url):
    experiment = live.get_or_create_experiment(unique("outbox-partial"))
    down = outbox(dead_url, path)
    run = down.create_run(
        NewRun(down.get_or_create_experiment(experiment.name).id, params=[ParamInput("k", 7)])
    )
    outbox_id = down.log.pending_run(run.id).outbox_id
    # What a delivery killed right after runs/create leaves: the tagged run, nothing else.
    tag = [{"key": TAG_OUTBOX_ID, "value": outbox_id}]
    live.rest.post("runs/create", {"experiment_id": experiment.id, "tags": tag})

    assert outbox(live.rest.base_url, path).delivery.deliver() == "idle"
    copies = _copies(live, experiment.id, outbox_id)
    active = [c for c in copies if c["info"]["lifecycle_stage"] == "active"]
    assert (len(copies), len(active)) == (2, 1)
    assert active[0]["data"]["params"] == [{"key": "k", "value": "7"}]
    assert len(live.search_runs([experiment.id]).items) == 1


def test_refusals_raise_and_are_never_queued(live, path, dead_url):
    experiment = live.get_or_create_experiment(unique("outbox-4xx"))
    up = outbox(live.rest.base_url, path)
    run = up.create_run(NewRun(experiment.id, params=[ParamInput("p", 1)]))
    assert run.version == 1 and not up.is_pending(run.id)
    with pytest.raises(Conflict):
        up.log_batch(run.id, params=[ParamInput("p", 2)])
    with pytest.raises(NotFound):
        up.log_batch(uuid.uuid4().hex, metrics=[MetricInput("m", 1.0)])
    with pytest.raises(NotFound):
        up.create_run(NewRun("987654321"))
    with pytest.raises(InvalidArgument):
        up.create_run(NewRun(experiment.id, status="DONE"))
    assert not up.log.has_queued() and up.sync_status()["pending"] == 0

    # A write the server refuses only on delivery is set aside, and the queue goes on.
    down = outbox(dead_url, path)
    down.log_batch(uuid.uuid4().hex, metrics=[MetricInput("m", 1.0)])  # no such run there
    local = down.get_or_create_experiment(experiment.name)
    queued = down.create_run(NewRun(local.id, params=[ParamInput("p", 3)]))
    assert up.delivery.deliver() == "idle"
    status = up.sync_status()
    assert (status["pending"], status["failed"]) == (0, 1)
    assert "log_batch refused by MLflow" in status["last_error"]
    assert up.get_run(queued.id).version == 2


def test_an_unseen_experiment_cannot_be_queued_into(dead_url, path):
    down = outbox(dead_url, path)
    with pytest.raises(Exception, match="cannot be reached and experiment '12' was never seen"):
        down.create_run(NewRun("12"))


@pytest.mark.parametrize("delay", [0, 30], ids=["5xx", "slow"])
def test_a_failing_or_slow_server_costs_bounded_time_and_never_shows_credentials(delay, path):
    from outbox_support import FaultyServer

    with FaultyServer(503, delay) as bad:
        url = f"http://alice:s3cret@127.0.0.1:{bad.port}"
        store = outbox(url, path)
        started = time.monotonic()
        experiment = store.get_or_create_experiment("faulty")
        run = store.create_run(NewRun(experiment.id, params=[ParamInput("p", 1)]))
        first = time.monotonic() - started
        started = time.monotonic()
        later = store.create_run(NewRun(experiment.id))  # queued behind: no request at all
        second = time.monotonic() - started
        payload = sync_json(store)
        if delay:  # the panel's reads are bounded too: a slow server is reported, not awaited
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="did not answer in time"):
                store.list_experiments()
            assert time.monotonic() - started < sum(PANEL_TIMEOUT) + 2
    bound = 2 * sum(WRITE_TIMEOUT) if delay else 3
    assert first < bound and second < 1, (first, second)
    assert store.is_pending(run.id) and store.is_pending(later.id)
    assert payload["pending"] == 2 and payload["enabled"] is True
    assert [r["version"] for r in payload["runs"]] == [None, None]
    assert all(r["pending"] for r in payload["runs"])
    error = payload["last_error"]
    assert ("did not answer in time" if delay else "HTTP 503") in error
    assert "s3cret" not in error and "alice" not in error and "***@127.0.0.1" in error
    assert "s3cret" not in outbox_path(url) and run_json(store, run)["version"] is None


def test_the_embedded_store_has_no_outbox():
    payload = sync_json(SqliteStore(":memory:"))
    assert payload == {
        "enabled": False, "pending": 0, "failed": 0, "last_error": None,
        "last_error_at": None, "last_delivered_at": None, "runs": [],
    }  # fmt: skip


def test_a_headless_notebook_run_offline_waits_and_jupyter_runs_sync_sends_it(
    live, tmp_path, monkeypatch, capsys
):
    import nbformat
    from kernel_support import kernel_env
    from nbclient import NotebookClient

    from jupyterlab_runs.cli import main

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    from outbox_support import FaultyServer

    with FaultyServer() as down:  # a proxy answering 503: the tracking server is down
        uri = f"http://127.0.0.1:{down.port}"
        name = unique("outbox-headless")
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_code_cell(f"%load_ext jupyterlab_runs\n%runs experiment {name}"),
            nbformat.v4.new_code_cell("%%track\nalpha = 0.5\nprint('acc: 0.8')"),
        ]
        env = kernel_env(JUPYTERLAB_RUNS_URI=uri, JUPYTERLAB_RUNS_NOTEBOOK="retrain.ipynb")
        NotebookClient(notebook, kernel_name="python3").execute(env=env)
    assert "Logged run v? · waiting to sync" in str(notebook.cells[1].outputs)

    # The server comes back at the same address: the same outbox file is delivered.
    path = outbox_path(uri)
    assert OutboxStore(MlflowStore(uri), path, deliver=False).sync_status()["pending"] == 1
    monkeypatch.setattr("jupyterlab_runs.store.outbox.outbox_path", lambda url: path)
    assert main(["sync", "--uri", live.rest.base_url]) == 0
    assert "waiting to sync: 0 run(s)" in capsys.readouterr().out
    [run] = live.search_runs([live.get_experiment_by_name(name).id]).items
    assert (run.version, run.params["alpha"].value, run.metrics["acc"].value) == (1, "0.5", 0.8)
