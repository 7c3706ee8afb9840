"""Facts about the kernel and the cell being executed, recorded with every run."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from typing import Any

from ..identity import os_login

_GIT_TTL_S = 10.0


def get_shell() -> Any:
    """The running IPython shell, or None in plain Python (scripts, worker processes)."""
    # A shell exists only once IPython is imported; importing it just to learn that there is
    # none would cost a plain script's first log tens of milliseconds.
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return get_ipython() if get_ipython is not None else None


def in_kernel(shell: Any) -> bool:
    """Whether outputs of ``shell`` go to a front end (ipykernel), not a terminal."""
    return shell is not None and getattr(shell, "kernel", None) is not None


def parent_request(shell: Any) -> dict:
    """The execute_request being handled (header, metadata, content), or {} outside a kernel."""
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return {}
    try:
        return kernel.get_parent() or {}
    except Exception:  # noqa: BLE001 - older ipykernels keep the parent elsewhere
        return {}


def cell_id(shell: Any) -> str | None:
    """JupyterLab's id of the cell being executed (absent under nbclient and papermill)."""
    value = parent_request(shell).get("metadata", {}).get("cellId")
    return value if isinstance(value, str) and value else None


def cell_code(shell: Any) -> str:
    """The source of the cell being executed."""
    code = parent_request(shell).get("content", {}).get("code")
    if isinstance(code, str):
        return code
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    return history[-1] if history else ""


def execution_count(shell: Any) -> int | None:
    """The running cell's number (In[n]), as the display hook numbers its output."""
    count = getattr(getattr(shell, "displayhook", None), "prompt_count", None)
    return count if isinstance(count, int) else None


def language(shell: Any) -> str:
    """The kernel's language name."""
    info = getattr(getattr(shell, "kernel", None), "language_info", None)
    return info.get("name", "python") if isinstance(info, dict) else "python"


@functools.cache
def kernel_name() -> str | None:
    """The kernelspec name, which jupyter_client writes into the kernel's connection file."""
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:  # pragma: no cover - only outside ipykernel installs
        return None
    if not IPKernelApp.initialized():
        return None
    try:
        with open(IPKernelApp.instance().abs_connection_file, encoding="utf-8") as file:
            name = json.load(file).get("kernel_name")
    except (OSError, ValueError):
        return None
    return name if isinstance(name, str) and name else None


def user() -> str | None:
    """The login name of whoever runs the kernel."""
    return os_login()


_git_cache: dict[str, tuple[float, str | None]] = {}


def git_commit(directory: str | None) -> str | None:
    """HEAD of the git work tree holding ``directory``, cached a few seconds per directory."""
    directory = os.path.abspath(directory or os.getcwd())
    now = time.monotonic()
    cached = _git_cache.get(directory)
    if cached is not None and now - cached[0] < _GIT_TTL_S:
        return cached[1]
    from ..gitinfo import head_commit

    commit = head_commit(directory)
    _git_cache[directory] = (now, commit)
    return commit
