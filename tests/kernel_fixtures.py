"""Fixtures of the kernel-extension tests: a fresh store and session, a real IPython shell.

Test modules load them with ``pytest_plugins = ("kernel_fixtures",)``.
"""

from __future__ import annotations

import pytest
from kernel_support import TRACKING_ENV


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    """A fresh store (through ``JUPYTERLAB_RUNS_URI``) and a fresh kernel session."""
    from jupyterlab_runs.kernel import session

    for name in TRACKING_ENV:
        monkeypatch.delenv(name, raising=False)
    uri = "sqlite:///" + str(tmp_path / "store" / "runs.db")
    monkeypatch.setenv("JUPYTERLAB_RUNS_URI", uri)
    monkeypatch.setenv("JUPYTERLAB_RUNS_NOTEBOOK", "work/notebook.ipynb")
    # The model-signing key lives in the Jupyter data directory: one per test, never the user's.
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.chdir(tmp_path)
    _reset(session)
    yield session.get_session()
    _reset(session)


def _reset(session_module) -> None:
    current = session_module._session
    if current is not None:
        while current.stack:
            current.end(current.stack[-1], quiet=True)
        current._claimed_cell = False
        current._claim = None
        if current._shell is not None:
            current._release()
            current._unregister("pre_run_cell", current._before_cell)
    session_module._session = None


@pytest.fixture
def ip(tracking):
    """The global IPython test shell with ``%load_ext jupyterlab_runs`` done."""
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.reset(new_session=True)  # a fresh namespace and input history, like a new kernel
    shell.run_line_magic("load_ext", "jupyterlab_runs")
    shell.user_ns.pop("__session__", None)
    return shell
