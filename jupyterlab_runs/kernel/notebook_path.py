"""Which notebook the kernel runs, and the experiment its runs go to.

Order (DESIGN §9): ``JUPYTERLAB_RUNS_NOTEBOOK`` → ``JPY_SESSION_NAME`` / ``__session__``
(jupyter_server) → the notebook a headless runner (papermill, nbconvert, jupyter execute) was
given on its command line → none. Paths are made relative to the server's root (see
``project_root``) so they match the front end's paths.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

NOTEBOOK_ENV = "JUPYTERLAB_RUNS_NOTEBOOK"
ROOT_ENV = "JUPYTERLAB_RUNS_ROOT"
SESSION_ENV = "JPY_SESSION_NAME"
DEFAULT_EXPERIMENT = "default"
METADATA_KEY = "jupyterlab_runs"  # the notebook metadata key the front end reads too

# Programs that execute a notebook file given on their command line.
_RUNNERS = {"papermill", "jupyter-nbconvert", "jupyter-execute"}
_JUPYTER_SUBCOMMANDS = {"nbconvert", "execute"}
_MAX_ANCESTORS = 4
_MAX_METADATA_BYTES = 50_000_000


def notebook_path(shell: Any = None) -> str | None:
    """The path of the notebook this kernel executes, relative to the server root when known."""
    user_ns = getattr(shell, "user_ns", None) or {}
    session = user_ns.get("__session__")
    raw = (
        os.environ.get(NOTEBOOK_ENV)
        or os.environ.get(SESSION_ENV)
        or (session if isinstance(session, str) else None)
        or launcher_notebook()
    )
    return relative_to_root(raw) if raw else None


def project_root() -> str | None:
    """The server's root: ``JUPYTERLAB_RUNS_ROOT``, else the folder holding the embedded
    store's ``.jupyterlab-runs`` (where the server keeps it), so that headless runs name a
    notebook as JupyterLab does."""
    root = os.environ.get(ROOT_ENV)
    if root:
        return root
    from ..store import STORE_FOLDER, resolve_uri

    uri = resolve_uri()
    if not uri.startswith("sqlite:///"):
        return None
    folder = os.path.dirname(os.path.abspath(uri[len("sqlite:///") :]))
    return os.path.dirname(folder) if os.path.basename(folder) == STORE_FOLDER else None


def relative_to_root(path: str) -> str:
    """``path`` relative to the project root when it lies inside it, with ``/``."""
    root = project_root() if os.path.isabs(path) else None
    if "://" in path or not root or not os.path.isabs(path):
        return path.replace(os.sep, "/")
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return path.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def local_file(path: str) -> str | None:
    """The file a notebook path names on this machine, if it exists."""
    if "://" in path:
        return None
    if not os.path.isabs(path):
        path = os.path.join(project_root() or os.getcwd(), path)
    return path if os.path.isfile(path) else None


def default_experiment(shell: Any = None) -> str:
    """Where runs go when nobody named an experiment: the notebook's metadata name, its path,
    else ``default`` — the same rule as the front end's Log run."""
    path = notebook_path(shell)
    if path is None:
        return DEFAULT_EXPERIMENT
    return metadata_experiment(path) or path


def metadata_experiment(path: str) -> str | None:
    """The experiment named in a notebook's metadata (``jupyterlab_runs.experiment``)."""
    file = local_file(path)
    if file is None:
        return None
    try:
        stat = os.stat(file)
    except OSError:
        return None
    if stat.st_size > _MAX_METADATA_BYTES:
        return None
    return _metadata_experiment(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _metadata_experiment(file: str, mtime_ns: int, size: int) -> str | None:
    """Read once per version of the file (the key includes its mtime and size)."""
    try:
        with open(file, encoding="utf-8") as handle:
            metadata = json.load(handle).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return None
    name = metadata.get(METADATA_KEY, {}).get("experiment") if isinstance(metadata, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


@functools.cache
def launcher_notebook() -> str | None:
    """The notebook a headless runner that started this kernel was given (Linux only).

    papermill, nbclient and nbconvert send no path to the kernel, but when they are run from
    the command line the notebook is an argument of the process that launched us
    (``JPY_PARENT_PID``, else our ancestors).
    """
    for pid in _ancestors():
        args = _cmdline(pid)
        found = _runner_notebook(args)
        if found is not None:
            return _resolve(found, pid)
    return None


def _ancestors() -> list[int]:
    """The launcher's pid (set by jupyter_client) then our parent chain."""
    pids = []
    launcher = os.environ.get("JPY_PARENT_PID", "")
    if launcher.isdigit():
        pids.append(int(launcher))
    pid = os.getpid()
    for _ in range(_MAX_ANCESTORS):
        pid = _parent_pid(pid)
        if pid is None or pid <= 1:
            break
        if pid not in pids:
            pids.append(pid)
    return pids


def _parent_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as file:
            # The command name may hold spaces and parentheses; fields resume after the last ")".
            return int(file.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            raw = file.read()
    except OSError:
        return []
    return [arg.decode(errors="replace") for arg in raw.split(b"\0") if arg]


def _runner_notebook(args: list[str]) -> str | None:
    """The first ``.ipynb`` argument after a notebook runner's name, if ``args`` run one."""
    for index, arg in enumerate(args):
        name = os.path.basename(arg)
        is_runner = name in _RUNNERS or (
            name == "jupyter" and index + 1 < len(args) and args[index + 1] in _JUPYTER_SUBCOMMANDS
        )
        if index > 0 and args[index - 1] == "-m" and name in ("papermill", "nbclient"):
            is_runner = True
        if is_runner:
            for candidate in args[index + 1 :]:
                if candidate.endswith(".ipynb") and not candidate.startswith("-"):
                    return candidate
            return None
    return None


def _resolve(path: str, pid: int) -> str:
    """``path`` as given to process ``pid``: relative to its cwd, or to its ``PWD`` when
    that is where the file is (papermill ``--cwd`` moves its cwd while it runs)."""
    if os.path.isabs(path) or "://" in path:
        return path
    bases = [_proc_cwd(pid), _proc_env(pid, "PWD")]
    for base in bases:
        if base and os.path.isfile(os.path.join(base, path)):
            return os.path.join(base, path)
    return os.path.join(bases[0] or os.getcwd(), path)


def _proc_cwd(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None


def _proc_env(pid: int, name: str) -> str | None:
    try:
        with open(f"/proc/{pid}/environ", "rb") as file:
            entries = file.read().split(b"\0")
    except OSError:
        return None
    prefix = name.encode() + b"="
    for entry in entries:
        if entry.startswith(prefix):
            return entry[len(prefix) :].decode(errors="replace")
    return None
