"""The outbox's REST contract through a real jupyter_server whose MLflow server answers 503
(behind a failing proxy): POST runs is 202 and pending, the run's routes take its id, and
GET/POST sync say what waits and why, without the credentials of the tracking URI."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("requests", reason="the MLflow backend needs requests")

API = ("jupyterlab-runs", "api")


@pytest.fixture
def faulty():
    from outbox_support import FaultyServer

    with FaultyServer() as server:
        yield server


@pytest.fixture
def runs_uri(faulty, monkeypatch):
    """The server's store: an MLflow URL with credentials, answering 503."""
    for name in ("JUPYTERLAB_RUNS_URI", "JUPYTERLAB_RUNS_ROOT", "MLFLOW_TRACKING_URI"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return f"http://alice:s3cret@127.0.0.1:{faulty.port}"


async def call(jp_fetch, *path, method="GET", body=None):
    kwargs = {"body": json.dumps(body)} if body is not None else {}
    if method == "POST" and body is None:
        kwargs["body"] = ""
    response = await jp_fetch(*API, *path, method=method, **kwargs)
    return response.code, json.loads(response.body.decode())


async def test_log_run_while_mlflow_fails_is_202_pending_and_sync_says_why(jp_fetch):
    body = {"experiment_name": "offline", "params": [{"key": "n", "value": 3, "type": "int"}]}
    status, run = await call(jp_fetch, "runs", method="POST", body=body)
    assert (status, run["version"], run["pending"], run["name"]) == (202, None, True, "v?")
    assert run["params"]["n"]["value"] == "3"
    status, noted = await call(jp_fetch, "runs", run["id"], method="PATCH", body={"note": "n3"})
    assert (status, noted["note"], noted["pending"], noted["version"]) == (200, "n3", True, None)
    status, shown = await call(jp_fetch, "runs", run["id"])
    assert (status, shown["note"], shown["pending"]) == (200, "n3", True)

    status, sync = await call(jp_fetch, "sync")
    assert (status, sync["enabled"], sync["pending"], sync["failed"]) == (200, True, 1, 0)
    assert [r["id"] for r in sync["runs"]] == [run["id"]]
    assert sync["runs"][0]["version"] is None and sync["runs"][0]["note"] == "n3"
    assert isinstance(sync["last_error_at"], int) and sync["last_delivered_at"] is None
    assert "HTTP 503" in sync["last_error"] and "***@127.0.0.1" in sync["last_error"]
    status, flushed = await call(jp_fetch, "sync", method="POST")  # still failing: still there
    assert (status, flushed["pending"]) == (200, 1)
    assert "s3cret" not in json.dumps([run, noted, shown, sync, flushed])
