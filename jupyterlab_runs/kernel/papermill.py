"""Parameters papermill injected into this kernel session.

papermill adds a cell after the ``parameters``-tagged one whose source is its comment header
``# Parameters`` followed by one assignment per parameter. The kernel sees that cell in its
input history; its values become params (source ``papermill``) of every run logged later.
"""

from __future__ import annotations

import ast
import os
from typing import Any

from ..store.base import ParamInput
from .notebook_path import SESSION_ENV

HEADER = "# Parameters"
SOURCE = "papermill"


def is_injected_cell(source: str) -> bool:
    """Whether ``source`` has the shape of papermill's injected parameters cell."""
    first, _, rest = source.lstrip("\n").partition("\n")
    if first.strip() != HEADER:
        return False
    try:
        body = ast.parse(rest).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(node, (ast.Assign, ast.AnnAssign)) for node in body)


class InjectedParams:
    """The papermill parameters seen so far in this session, read incrementally."""

    def __init__(self) -> None:
        self._seen = 0
        self._params: dict[str, ParamInput] = {}

    def current(self, shell: Any) -> list[ParamInput]:
        """Injected params in effect now (a later injected cell overrides an earlier one)."""
        # Kernels started by jupyter_server are not papermill's: a user's own "# Parameters"
        # cell there is an ordinary cell.
        history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
        if not history or os.environ.get(SESSION_ENV):
            return list(self._params.values())
        from ..capture import scan_params

        for source in history[self._seen :]:
            if isinstance(source, str) and is_injected_cell(source):
                for scanned in scan_params(source):
                    self._params[scanned.key] = ParamInput(
                        scanned.key, scanned.value, scanned.type, SOURCE
                    )
        self._seen = len(history)
        return list(self._params.values())
