"""What the front end's Log run calls in the kernel, through ``user_expressions``.

It works whether or not ``%load_ext jupyterlab_runs`` ran: importing this module is enough.
"""

from __future__ import annotations


def claim(cell_id: str) -> str:
    """Claim the next execution of cell ``cell_id`` for the front end's Log run.

    If the next cell executed is that cell, ``log_*`` calls made outside any run do not start
    an implicit run: they are collected and, when the cell ends, displayed as one
    ``application/vnd.jupyterlab-runs.log+json`` output that Log run reads and saves. The
    numeric values of the names the cell assigns and its execution count come back in the
    cell's own ``execute_reply`` (see ``probe.py``).
    """
    from .session import get_session

    return get_session().claim(str(cell_id))
