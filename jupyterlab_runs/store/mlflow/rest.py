"""A thin client of the MLflow tracking server's REST API, with our errors and timeouts.

We speak REST with ``requests`` rather than through ``mlflow.MlflowClient``: importing mlflow
takes seconds (the server and every kernel would pay it), its REST store retries with
exponential backoff for minutes when the server is down (we want a prompt, clear
``StoreUnavailable``), and we need the raw page tokens, error codes and artifact proxy.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

from ..base import Conflict, InvalidArgument, NotFound, StoreError, StoreUnavailable
from ..redact import redact

API = "api/2.0/mlflow"
ARTIFACTS_API = "api/2.0/mlflow-artifacts/artifacts"
DEFAULT_TIMEOUT = (5.0, 60.0)  # (connect, read) seconds
MAX_CONCURRENT = 4  # requests one call sends at once (a page's OR branches, its probes)
T = TypeVar("T")
_log = logging.getLogger(__name__)

_NOT_FOUND = {"RESOURCE_DOES_NOT_EXIST", "ENDPOINT_NOT_FOUND"}
_CONFLICT = {"RESOURCE_ALREADY_EXISTS", "RESOURCE_CONFLICT", "ABORTED"}
_INVALID = {"INVALID_PARAMETER_VALUE", "BAD_REQUEST", "INVALID_STATE", "MALFORMED_REQUEST"}
# MLflow reports a param logged again with another value as INVALID_PARAMETER_VALUE.
_PARAM_CHANGED = "Changing param values is not allowed"


def tracking_url(uri: str) -> str:
    """The http(s) base URL a tracking URI stands for; ``mlflow`` reads MLFLOW_TRACKING_URI."""
    given = uri
    if uri == "mlflow":
        uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
        if not uri:
            raise StoreUnavailable(
                "the tracking URI 'mlflow' means $MLFLOW_TRACKING_URI, which is not set; set it "
                "to your MLflow tracking server's URL (http://host:5000)"
            )
    if uri.startswith(("http://", "https://")):
        return uri.rstrip("/")
    if uri.startswith("databricks"):
        raise StoreUnavailable(
            f"Databricks tracking URIs ({redact(uri)!r}) are not supported as a store; use an "
            "MLflow tracking server's http(s) URL, or copy runs over with `jupyter-runs import`"
        )
    where = f"{given!r} (MLFLOW_TRACKING_URI={uri!r})" if given != uri else repr(uri)
    raise StoreUnavailable(
        f"the tracking URI {redact(where)} is not an MLflow tracking server; jupyterlab-runs "
        "talks to MLflow over HTTP: start one with `mlflow server --backend-store-uri <that "
        "URI>` and use its http://host:port URL, or import that store with `jupyter-runs "
        "import <URI>`"
    )


def _session() -> requests.Session:
    """A session carrying the auth and TLS settings MLflow's own client reads from the env."""
    session = requests.Session()
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    user = os.environ.get("MLFLOW_TRACKING_USERNAME")
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    elif user:
        session.auth = (user, os.environ.get("MLFLOW_TRACKING_PASSWORD", ""))
    if os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true":
        session.verify = False
    elif os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH"):
        session.verify = os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"]
    return session


class RestClient:
    """Calls to one tracking server; one HTTP session per thread; every call has a timeout."""

    def __init__(self, base_url: str, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT):
        self.base_url = base_url
        self.shown_url = redact(base_url)  # for messages: never the credentials it may hold
        self.timeout = timeout
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = _session()
        return session

    @property
    def current_timeout(self) -> float | tuple[float, float]:
        """The timeout calls from this thread wait (``bounded``'s, else the client's)."""
        return getattr(self._local, "timeout", None) or self.timeout

    @contextlib.contextmanager
    def bounded(self, timeout: float | tuple[float, float]) -> Iterator[None]:
        """Calls this thread makes inside the block wait at most ``timeout`` (the outbox's
        writes: a slow server must not hold a Log run for a minute before it is queued)."""
        previous = getattr(self._local, "timeout", None)
        self._local.timeout = timeout
        try:
            yield
        finally:
            self._local.timeout = previous

    def concurrently(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        """The results of ``calls``, made at once from worker threads with this thread's
        timeout (requests that wait on each other's answers cost one round trip, not n)."""
        if len(calls) <= 1:
            return [call() for call in calls]
        timeout = self.current_timeout

        def run(call: Callable[[], T]) -> T:
            try:
                with self.bounded(timeout):
                    return call()
            finally:
                self.close()  # the worker's session: the thread ends with the pool

        with ThreadPoolExecutor(min(len(calls), MAX_CONCURRENT)) as pool:
            return list(pool.map(run, calls))

    def close(self) -> None:
        """Close this thread's session (the others close when their threads end)."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    def get(self, endpoint: str, **query: Any) -> dict[str, Any]:
        """GET ``/api/2.0/mlflow/<endpoint>`` with a query string."""
        return self._json(self._send("GET", f"{API}/{endpoint}", params=query))

    def post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a JSON body to ``/api/2.0/mlflow/<endpoint>``."""
        return self._json(self._send("POST", f"{API}/{endpoint}", json=body))

    def put_artifact(self, location: str, data: bytes) -> None:
        """Upload one file through the server's artifact proxy."""
        self._json(self._send("PUT", f"{ARTIFACTS_API}/{quote(location)}", data=data))

    def get_artifact(self, location: str) -> bytes:
        """Download one file through the server's artifact proxy."""
        response = self._send("GET", f"{ARTIFACTS_API}/{quote(location)}")
        if response.status_code != 200:
            self._json(response)
        return response.content

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}/{path}"
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, timeout=self.current_timeout, **kwargs)
            if _log.isEnabledFor(logging.DEBUG):  # how many requests a page costs, and where
                elapsed = (time.perf_counter() - started) * 1000
                size = len(response.content)
                _log.debug("MLflow %s %s: %.0f ms, %d bytes", method, path, elapsed, size)
            return response
        except requests.Timeout:
            raise StoreUnavailable(
                f"the MLflow tracking server at {self.shown_url} did not answer in time "
                f"({method} {path.split('?')[0]})"
            ) from None
        except requests.RequestException as error:
            raise StoreUnavailable(
                f"cannot reach the MLflow tracking server at {self.shown_url}: "
                f"{type(error).__name__}: {redact(_reason(error))}"
            ) from None

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            payload = response.json() if response.content else {}
        except ValueError:
            payload = None
        if response.status_code == 200 and isinstance(payload, dict):
            return payload
        if not isinstance(payload, dict) or "error_code" not in payload:
            raise StoreUnavailable(
                f"{self.shown_url} did not answer like an MLflow tracking server "
                f"(HTTP {response.status_code} for {urlsplit(response.url).path})"
            )
        raise error_of(payload.get("error_code", ""), str(payload.get("message", "")))


def _reason(error: requests.RequestException) -> str:
    """The innermost cause of a connection error, which names the real problem."""
    cause: BaseException = error
    while cause.__context__ is not None and cause.__context__ is not cause:
        cause = cause.__context__
    return str(cause) or str(error)


def error_of(code: str, message: str) -> StoreError:
    """Our error for an MLflow ``{error_code, message}``."""
    text = f"MLflow: {message}"
    if code in _NOT_FOUND:
        error: StoreError = NotFound(text)
    elif code in _CONFLICT or _PARAM_CHANGED in message:
        error = Conflict(text)
    elif code in _INVALID:
        error = InvalidArgument(text)
    elif code in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
        error = StoreUnavailable(f"MLflow refused the request ({code}): {message}")
    else:
        error = StoreUnavailable(f"MLflow failed ({code or 'unknown error'}): {message}")
    error.error_code = code  # type: ignore[attr-defined]
    return error
