"""Helpers of the outbox tests: an ``mlflow server`` that a test stops and starts again on the
same port and backend (by process id), and servers that answer 5xx or too slowly."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from mlflow_fixtures import STARTUP_TIMEOUT, _healthy, _stop, free_port


class MlflowProcess:
    """``mlflow server`` on 127.0.0.1:``port`` with a SQLite backend under ``root``."""

    def __init__(self, root: Path, port: int | None = None):
        self.root = root
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start it (same port, same database as before) and wait until it is healthy."""
        command = [
            sys.executable, "-m", "mlflow", "server",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--backend-store-uri", f"sqlite:///{self.root / 'mlflow.db'}",
            "--artifacts-destination", str(self.root / "artifacts"),
            "--workers", "1",
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        with open(self.root / "server.log", "ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.root / "server.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"mlflow server did not start:\n{tail}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop it and its workers (its process group), and wait until they are gone."""
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


class FaultyServer:
    """An HTTP server on 127.0.0.1 that answers every request with a 503 page, or only after
    ``delay`` seconds (a tracking server behind a failing proxy, or an overloaded one)."""

    def __init__(self, status: int = 503, delay: float = 0.0):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                if outer.delay:
                    outer.released.wait(outer.delay)
                body = b"<html><body>503 Service Unavailable</body></html>"
                self.send_response(outer.status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args):
                pass

        self.status, self.delay = status, delay
        self.released = threading.Event()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
