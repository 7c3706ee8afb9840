"""Models as versioned artifacts: ``models/<name>/model.pkl`` plus a small ``meta.json``.

Only models signed by this user's key (see ``model_trust``) or trusted explicitly unpickle.
"""

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
from .model_trust import UntrustedModel, is_trusted, sign, trust_bytes
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
        "hmac_sha256": sign(data),
        "size": len(data),
        "python": platform.python_version(),
        "libraries": _library_version(obj),
        "created": time.time_ns() // 1_000_000,
    }
    log_bytes(model_path, data, "application/octet-stream")
    log_bytes(meta_path, json.dumps(meta, indent=1).encode(), "application/json")
    return model_path


def _read_model(experiment, version, run_id, name) -> tuple[Any, bytes, dict[str, Any]]:
    """(run, model bytes, meta) after checking the bytes against the recorded sha256."""
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
    return run, data, meta


def load_model(
    experiment: str | None = None,
    version: int | str | None = None,
    *,
    run_id: str | None = None,
    name: str = "model",
    trust: bool = False,
) -> Any:
    """Unpickle model ``name`` of a run (a version of ``experiment``, or ``run_id``).

    Unpickling runs code, so only models this user logged on this machine (signed with the
    key in the Jupyter data directory) or trusted with ``trust_model`` load; ``trust=True``
    trusts this one model first. Anything else raises ``UntrustedModel``.
    """
    run, data, meta = _read_model(experiment, version, run_id, name)
    if trust:
        trust_bytes(data)
    elif not is_trusted(data, meta.get("hmac_sha256")):
        where = f"run_id={run.id!r}, name={name!r}"
        raise UntrustedModel(
            f"model {name!r} of run v{run.version} was not logged by you on this machine "
            "(it carries no valid signature from your key in the Jupyter data directory), "
            "and unpickling it would run whatever code its author put in it. If you trust "
            f"where it came from, call jupyterlab_runs.trust_model({where}) once, or "
            f"load_model({where}, trust=True)."
        )
    return pickle.loads(data)


def trust_model(
    experiment: str | None = None,
    version: int | str | None = None,
    *,
    run_id: str | None = None,
    name: str = "model",
) -> str:
    """Trust this exact model (its sha256, kept in your Jupyter data directory) for
    ``load_model``; returns the digest. Only trust models whose author you trust."""
    _run, data, _meta = _read_model(experiment, version, run_id, name)
    return trust_bytes(data)
