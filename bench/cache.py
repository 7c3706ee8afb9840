"""Where seeded stores are kept between ``python -m bench`` runs.

One folder per store schema version and MLflow version, so a schema migration or an MLflow
upgrade seeds afresh instead of timing an old layout; each workload names its seeds by size
inside it (``store-5000``, ``points-1000``). ``JUPYTERLAB_RUNS_BENCH_CACHE`` moves the root.
"""

from __future__ import annotations

import os
import shutil
from importlib.metadata import version
from pathlib import Path

from jupyterlab_runs.store.sqlite.migrations import SCHEMA_VERSION

ROOT = Path(os.environ.get("JUPYTERLAB_RUNS_BENCH_CACHE") or Path(__file__).parent / ".cache")
#: This checkout's seeds (gitignored).
CACHE = ROOT / f"schema-{SCHEMA_VERSION}-mlflow-{version('mlflow')}"


def seeds() -> set[Path]:
    """The seed folders and files the cache holds now."""
    return set(CACHE.iterdir()) if CACHE.is_dir() else set()


def drop_new(before: set[Path]) -> list[Path]:
    """Remove seeds made since ``before`` (a stopped workload's seed may be partial, and the
    next run would take it as complete); returns what was removed."""
    gone = sorted(seeds() - before)
    for path in gone:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return gone
