"""Models as versioned artifacts: ``models/<name>/model.pkl`` plus a small ``meta.json``."""

from __future__ import annotations

import hashlib
import json
import pickle
import platform
import re
import sys
import time
from typing import Any

from ..store.base import InvalidArgument, NotFound
from .api import log_bytes
from .lookup import find_run
from .session import get_session

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _paths(name: str) -> tuple[str, str]:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidArgument(
            f"model name {name!r} must be 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return f"models/{name}/model.pkl", f"models/{name}/meta.json"


def _library_version(obj: Any) -> dict[str, str]:
    """The version of the library that defines ``obj``'s class, when it says."""
    root = type(obj).__module__.split(".")[0]
    version = getattr(sys.modules.get(root), "__version__", None)
    return {root: version} if isinstance(version, str) else {}


def log_model(obj: Any, name: str = "model") -> str:
    """Pickle ``obj`` into the active run as ``models/<name>/model.pkl``; returns that path."""
    model_path, meta_path = _paths(name)
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    meta = {
        "name": name,
        "format": "pickle",
        "class": f"{type(obj).__module__}.{type(obj).__qualname__}",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "python": platform.python_version(),
        "libraries": _library_version(obj),
        "created": time.time_ns() // 1_000_000,
    }
    log_bytes(model_path, data, "application/octet-stream")
    log_bytes(meta_path, json.dumps(meta, indent=1).encode(), "application/json")
    return model_path


def load_model(
    experiment: str | None = None,
    version: int | str | None = None,
    *,
    run_id: str | None = None,
    name: str = "model",
) -> Any:
    """Unpickle model ``name`` of a run (a version of ``experiment``, or ``run_id``).

    Only load models you trust: unpickling runs code. The bytes are checked against the
    sha256 recorded when the model was logged.
    """
    if (version is None) == (run_id is None):
        raise InvalidArgument("load_model needs exactly one of version=… or run_id=…")
    model_path, meta_path = _paths(name)
    session = get_session()
    store = session.store()
    run = find_run(store, run_id or version, session.experiment_name(experiment))
    try:
        data = store.read_artifact(run.id, model_path)
        meta = json.loads(store.read_artifact(run.id, meta_path))
    except NotFound:
        raise NotFound(f"run v{run.version} has no model named {name!r}") from None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise ValueError(f"model {name!r} of run v{run.version} does not match its sha256")
    return pickle.loads(data)
