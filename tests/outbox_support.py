"""Helpers of the outbox tests: servers that answer 5xx or too slowly."""

from __future__ import annotations

import http.server
import threading


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
