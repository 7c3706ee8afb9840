"""Which pickled models this user may unpickle: signed here, or trusted explicitly.

Unpickling runs code, and a run's ``meta.json`` sits beside its ``model.pkl``, so a checksum
in the store proves nothing about who wrote the bytes (a shared MLflow server, an imported
``mlruns/`` folder, a cloned ``.jupyterlab-runs/``). ``log_model`` therefore signs the bytes
with an HMAC-SHA256 key that never leaves this user's Jupyter data directory (mode 0600);
``load_model`` unpickles only bytes carrying a valid signature, or whose sha256 the user
listed with ``trust_model`` (kept in the same private directory, never in the store).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32
_SHA256_HEX = 64


class UntrustedModel(PermissionError):
    """A model that was not logged by this user on this machine and was not trusted explicitly."""


def trust_dir() -> Path:
    """``<jupyter data dir>/jupyterlab_runs``: the private home of the key and the trust list."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jupyterlab_runs"


def _private_file(path: Path) -> int:
    """Open ``path`` for appending, creating it (and its folder) readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)


def _key() -> bytes:
    """This user's signing key, created on first use."""
    path = trust_dir() / "model-key"
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    if len(key) >= KEY_BYTES:
        return key[:KEY_BYTES]
    # O_EXCL: of two processes creating the key at once, one writes it and both read it back.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _wait_for_key(path)
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(KEY_BYTES))
    return path.read_bytes()[:KEY_BYTES]


def _wait_for_key(path: Path) -> bytes:
    """The key another process is writing right now (it writes 32 bytes in one call)."""
    import time

    for _ in range(100):
        key = path.read_bytes()
        if len(key) >= KEY_BYTES:
            return key[:KEY_BYTES]
        time.sleep(0.01)
    raise UntrustedModel(f"the model key {path} is empty or truncated; delete it to make a new one")


def sign(data: bytes) -> str:
    """The hex HMAC-SHA256 of ``data`` under this user's key (recorded by ``log_model``)."""
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


def _trusted_digests() -> set[str]:
    try:
        text = (trust_dir() / "trusted-models").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return set()
    return {line.strip() for line in text.splitlines() if len(line.strip()) == _SHA256_HEX}


def is_trusted(data: bytes, signature: object) -> bool:
    """Whether ``data`` was signed with this user's key or its sha256 was trusted explicitly."""
    if isinstance(signature, str) and hmac.compare_digest(sign(data), signature):
        return True
    return hashlib.sha256(data).hexdigest() in _trusted_digests()


def trust_bytes(data: bytes) -> str:
    """Add the sha256 of ``data`` to this user's trust list; returns the digest."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _trusted_digests():
        fd = _private_file(trust_dir() / "trusted-models")
        with os.fdopen(fd, "a", encoding="ascii") as out:
            out.write(digest + "\n")
    return digest
