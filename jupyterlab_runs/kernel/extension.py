"""``%load_ext jupyterlab_runs`` (or ``c.InteractiveShellApp.extensions``): the magics."""

from __future__ import annotations

from typing import Any

from .session import get_session


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and point MLflow at our store (hooks are added later, only while
    a cell tracks something)."""
    from .magics import RunsMagics
    from .mlflow_bridge import activate

    ipython.register_magics(RunsMagics)
    activate()


def unload_ipython_extension(ipython: Any) -> None:
    """Write buffered values of open runs and remove the magics.

    Open runs stay open (the API works without the magics) and their hooks go away as soon
    as they end.
    """
    from .magics import RunsMagics

    session = get_session()
    for run in session.stack:
        if run.live:
            session.flush(run)
    magics = ipython.magics_manager.magics
    for kind, names in RunsMagics.magics.items():
        for name in names:
            magics[kind].pop(name, None)
    ipython.magics_manager.registry.pop(RunsMagics.__name__, None)
