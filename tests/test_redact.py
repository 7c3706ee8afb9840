"""Credentials in a tracking URI never reach messages, logs, CLI output or REST answers."""

from __future__ import annotations

import json
import logging

import pytest
from mlflow_fixtures import free_port
from tornado.httpclient import HTTPClientError

from jupyterlab_runs.cli import main
from jupyterlab_runs.store import StoreUnavailable, open_store
from jupyterlab_runs.store.redact import redact

SECRET = "s3cret-pa55"


@pytest.fixture
def closed_uri():
    """An MLflow URI with credentials, on a port nothing listens on."""
    return f"http://ada:{SECRET}@127.0.0.1:{free_port()}"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("http://ada:pw@host:5000/x", "http://***@host:5000/x"),
        ("at https://tok@h/ and 'postgresql://u:p@db/m'", "at https://***@h/ and 'postgresql://***@db/m'"),
        ("a:b@c, http://host/p@x", "a:b@c, http://host/p@x"),  # no URI; an @ in a path
        ("http://u:p@w@host?q=a@b", "http://***@host?q=a@b"),
        ("no scheme ://x:y@z", "no scheme ://***@z"),
        ("", ""),
    ],
)  # fmt: skip
def test_redact_masks_the_user_info_of_every_uri(text, shown):
    assert redact(text) == shown


def test_redact_is_linear_on_hostile_text():
    import time

    text = "http://" + "a" * 200_000 + "://" * 50_000
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 1


def test_the_mlflow_store_never_shows_its_credentials(closed_uri):
    store = open_store(closed_uri)
    assert SECRET not in repr(store) and "***@127.0.0.1" in repr(store)
    with pytest.raises(StoreUnavailable) as caught:
        store.list_experiments()
    assert "cannot reach the MLflow tracking server at http://***@127.0.0.1" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_unsupported_tracking_uris_are_named_without_credentials(monkeypatch):
    for uri in (f"postgresql://ada:{SECRET}@db/mlflow", f"databricks://ada:{SECRET}@ws"):
        with pytest.raises(StoreUnavailable) as caught:
            open_store(uri).list_experiments()
        assert SECRET not in str(caught.value) and "***@" in str(caught.value)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"mysql://ada:{SECRET}@db/mlflow")
    with pytest.raises(StoreUnavailable) as caught:
        open_store("mlflow")
    assert SECRET not in str(caught.value) and "mysql://***@db/mlflow" in str(caught.value)


def test_cli_output_and_errors_hide_credentials(closed_uri, tmp_path, capsys):
    assert main(["info", "--uri", closed_uri]) == 1
    origin = f"sqlite:///{tmp_path / 'runs.db'}"
    open_store(origin).create_experiment("e")
    assert main(["export", "--from", origin, "--to", closed_uri]) == 1
    out, err = capsys.readouterr()
    assert "to http://***@127.0.0.1" in out
    assert "jupyter-runs: error: cannot reach the MLflow tracking server at http://***@" in err
    assert SECRET not in out + err


@pytest.fixture
def runs_uri(closed_uri, monkeypatch):
    """Overrides conftest's: the jupyter server under test points at an unreachable MLflow
    server whose URI holds credentials."""
    for name in ("JUPYTERLAB_RUNS_URI", "JUPYTERLAB_RUNS_ROOT"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return closed_uri


async def test_rest_errors_and_server_logs_hide_credentials(jp_fetch, caplog):
    caplog.set_level(logging.DEBUG)
    for propagating in ("ServerApp", "tornado.general", "tornado.access"):
        logging.getLogger(propagating).propagate = True
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-runs", "api", "experiments")
    assert caught.value.code == 503
    answer = json.loads(caught.value.response.body)
    assert answer["message"].startswith("cannot reach the MLflow tracking server at http://***@")
    assert SECRET not in caught.value.response.body.decode()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "http://***@127.0.0.1" in logged
    assert SECRET not in logged
