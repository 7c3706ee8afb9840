"""A real MLflow tracking server on 127.0.0.1 (SQLite backend, proxied artifacts), once per
test session; use it with ``pytest_plugins = ("mlflow_fixtures",)``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

STARTUP_TIMEOUT = 240  # seconds; a cold `import mlflow` on a busy machine takes a while


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique(name: str) -> str:
    """``name`` made unique, since every test shares the one server."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class MlflowProcess:
    """``mlflow server`` on 127.0.0.1:``port`` (default: a free one) over ``backend`` (default:
    a SQLite database under ``root``, artifacts proxied to ``root/artifacts``), its log in
    ``root/server.log``; a test may stop it and start it again on the same port and backend."""

    def __init__(self, root: Path, port: int | None = None, backend: str | None = None):
        self.root = root
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.backend = backend
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start it and wait until it is healthy."""
        storage = (
            ["--backend-store-uri", self.backend]
            if self.backend
            else [
                "--backend-store-uri", f"sqlite:///{self.root / 'mlflow.db'}",
                "--artifacts-destination", str(self.root / "artifacts"),
            ]
        )  # fmt: skip
        command = [
            sys.executable, "-m", "mlflow", "server",
            "--host", "127.0.0.1", "--port", str(self.port), *storage, "--workers", "1",
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        with open(self.root / "server.log", "ab") as log:
            # A session of its own, so the process group (uvicorn and its worker) stops together.
            self.proc = subprocess.Popen(
                command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.root / "server.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(
                    f"mlflow server did not start (exit {self.proc.poll()}):\n{tail}"
                )
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop it and its workers (its process group), and wait until they are gone."""
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """The URL of a running ``mlflow server``, stopped (with its workers) after the session."""
    pytest.importorskip("mlflow", reason="the MLflow backend tests need `pip install mlflow`")
    server = MlflowProcess(tmp_path_factory.mktemp("mlflow-server"))
    try:
        server.start()
        yield server.url
    finally:
        server.stop()


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, then SIGKILL to whatever is left of it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    server.wait()
