"""A papermill engine that tells the kernel which notebook it runs.

papermill loads the ``papermill.engine`` entry points when it is imported. Loading this module
registers :class:`TrackingEngine` as papermill's default engine when the default is still
papermill's own ``NBClientEngine`` (so another plugin's choice is kept): it behaves exactly
like ``NBClientEngine`` and only adds ``JUPYTERLAB_RUNS_NOTEBOOK=<input path>`` to the
environment of the kernel it starts, for both the CLI and ``papermill.execute_notebook``.

Declared in pyproject.toml as::

    [project.entry-points."papermill.engine"]
    jupyterlab_runs = "jupyterlab_runs.kernel.papermill_engine:TrackingEngine"
"""

from __future__ import annotations

import os
from typing import Any

from .notebook_path import NOTEBOOK_ENV

ENTRY_POINT = "jupyterlab_runs = jupyterlab_runs.kernel.papermill_engine:TrackingEngine"

# papermill imports its entry points while ``papermill.engines`` is still being imported,
# so this module must not import papermill at import time: the engine class is built on
# first access (PEP 562 ``__getattr__``), which works whichever of the two comes first.
_engine: Any = None


def input_notebook(input_path: object) -> str | None:
    """The notebook path papermill was given, absolute when it is a local file."""
    if not isinstance(input_path, str) or not input_path or input_path == "-":
        return None
    if "://" in input_path or os.path.isabs(input_path):
        return input_path
    # papermill resolves a relative input before it changes to ``cwd``, as we are called
    # after that change only an existing file tells which directory it was relative to.
    absolute = os.path.abspath(input_path)
    return absolute if os.path.exists(absolute) else input_path


def _define(base: type) -> type:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class TrackingEngine(base):  # type: ignore[valid-type,misc]
        """``NBClientEngine`` whose kernel knows the input notebook's path."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            """Execute like ``NBClientEngine``, adding the notebook path to the kernel's env."""
            path = input_notebook(kwargs.get("input_path"))
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, **final_kwargs)
            if path is None or NOTEBOOK_ENV in os.environ:
                return client.execute()
            # Passed to the kernel launcher rather than set in os.environ: safe with threads.
            return client.execute(env={**os.environ, NOTEBOOK_ENV: path})

    TrackingEngine.__qualname__ = "TrackingEngine"
    return TrackingEngine


def _tracking_engine() -> type:
    global _engine
    if _engine is None:
        # May re-enter through papermill's entry-point loading; the names needed exist by
        # then, and the inner call defines and registers the engine.
        from papermill.engines import NBClientEngine, papermill_engines

        if _engine is None:
            _engine = _define(NBClientEngine)
            # Become the default only while papermill's own engine is (keep another
            # plugin's choice).
            if papermill_engines.get_engine(None) is NBClientEngine:
                papermill_engines.register(None, _engine)
    return _engine


def __getattr__(name: str) -> Any:
    if name == "TrackingEngine":
        return _tracking_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
