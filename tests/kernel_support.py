"""Helpers shared by the kernel-extension tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TRACKING_ENV = (
    "JUPYTERLAB_RUNS_URI",
    "JUPYTERLAB_RUNS_ROOT",
    "JUPYTERLAB_RUNS_NOTEBOOK",
    "JPY_SESSION_NAME",
)


def run_cell(shell, code: str, cell_id: str | None = None):
    """Run ``code`` as a cell; returns (result, captured stdout, stderr, rich outputs)."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(code, store_history=True, cell_id=cell_id)
    return result, captured.stdout, captured.stderr, [out.data for out in captured.outputs]


def open_store():
    """The store the tracking fixture points at."""
    from jupyterlab_runs.store import open_store as open_

    return open_(os.environ["JUPYTERLAB_RUNS_URI"])


def runs_of(experiment: str, store=None):
    """All runs of ``experiment``, oldest first."""
    store = store or open_store()
    found = store.get_experiment_by_name(experiment)
    page = store.search_runs([found.id], max_results=10_000)
    return sorted(page.items, key=lambda run: run.version)


def kernel_env(**extra: str) -> dict[str, str]:
    """The environment for a real kernel running this checkout's package."""
    env = {k: v for k, v in os.environ.items() if k not in TRACKING_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONWARNINGS"] = "ignore"
    env.update(extra)
    return env
