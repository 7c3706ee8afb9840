"""Shared pytest fixtures: a real jupyter_server with the extension (pytest-jupyter)."""

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def runs_uri(tmp_path):
    """A fresh embedded store for one test."""
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
