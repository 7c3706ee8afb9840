"""Where the store lives (resolve_uri, DESIGN §2) and which backend a URI opens (open_store)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jupyterlab_runs.store import SqliteStore, StoreUnavailable, open_store, resolve_uri


@pytest.fixture(autouse=True)
def no_configured_uri(monkeypatch):
    monkeypatch.delenv("JUPYTERLAB_RUNS_URI", raising=False)


def test_the_environment_variable_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTERLAB_RUNS_URI", "http://tracking:5000")
    assert resolve_uri(tmp_path) == "http://tracking:5000"


def test_the_server_root_holds_the_store(tmp_path):
    assert resolve_uri(tmp_path) == f"sqlite:///{tmp_path}/.jupyterlab-runs/runs.db"


def test_a_kernel_finds_the_nearest_store_walking_up(monkeypatch, tmp_path):
    found = tmp_path / "project" / ".jupyterlab-runs" / "runs.db"
    found.parent.mkdir(parents=True)
    found.touch()
    deep = tmp_path / "project" / "notebooks" / "deep"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert resolve_uri() == f"sqlite:///{found}"


def test_without_a_store_nearby_one_is_made_in_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    uri = resolve_uri()
    assert uri == f"sqlite:///{tmp_path}/.jupyterlab-runs/runs.db"
    store = open_store()
    assert Path(store.db.path) == tmp_path / ".jupyterlab-runs" / "runs.db"
    assert Path(store.db.path).is_file()
    store.close()


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sqlite:///{tmp}/a/runs.db", "{tmp}/a/runs.db"),
        ("sqlite:///rel/runs.db", "rel/runs.db"),
        ("{tmp}/plain.db", "{tmp}/plain.db"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite://", ":memory:"),
    ],
)
def test_sqlite_uris_open_the_embedded_store(monkeypatch, tmp_path, uri, expected):
    monkeypatch.chdir(tmp_path)
    store = open_store(uri.format(tmp=tmp_path))
    assert isinstance(store, SqliteStore)
    assert store.db.path == expected.format(tmp=tmp_path)
    store.close()


@pytest.mark.parametrize("uri", ["http://localhost:5000", "https://x", "databricks", "mlflow"])
def test_mlflow_uris_explain_a_missing_backend(monkeypatch, uri):
    monkeypatch.setitem(sys.modules, "jupyterlab_runs.store.mlflow.store", None)
    with pytest.raises(StoreUnavailable, match=r"pip install 'jupyterlab-runs\[mlflow\]'"):
        open_store(uri)


def test_opening_creates_the_folder(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/x/y/z/runs.db")
    assert (tmp_path / "x" / "y" / "z" / "runs.db").is_file()
    store.close()
