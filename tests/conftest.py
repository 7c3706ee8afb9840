"""Shared pytest fixtures: a real jupyter_server with the extension (pytest-jupyter)."""

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server", "unprivileged")


@pytest.fixture
def runs_uri(tmp_path, monkeypatch):
    """A fresh embedded store for one test. The server exports its store to the kernels
    it starts through the environment; the variables are restored after the test."""
    for name in (
        "JUPYTERLAB_RUNS_URI",
        "JUPYTERLAB_RUNS_ROOT",
        "MLFLOW_TRACKING_URI",
        "JUPYTERLAB_RUNS_MLFLOW",
    ):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return "sqlite:///" + str(tmp_path / "store" / "runs.db")


@pytest.fixture
def jp_server_config(jp_server_config, runs_uri):
    """The server loads jupyterlab_runs, requires authentication everywhere, and uses a
    per-test store."""
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_runs": True},
            "allow_unauthenticated_access": False,
        },
        "JupyterLabRuns": {"tracking_uri": runs_uri},
    }


@pytest.fixture
def store(tmp_path):
    """A SqliteStore on a file in tmp_path."""
    from jupyterlab_runs.store import SqliteStore

    opened = SqliteStore(tmp_path / "runs.db")
    yield opened
    opened.close()


@pytest.fixture
def memory_store():
    """A SqliteStore in memory (artifacts under a temporary directory)."""
    from jupyterlab_runs.store import SqliteStore

    opened = SqliteStore(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def experiment(store):
    """An empty experiment in ``store``."""
    return store.create_experiment("experiment")
