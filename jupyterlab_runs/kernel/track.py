"""``%%track``: run a cell in the user namespace and log it as one run.

The cell runs like a normal cell (IPython transforms, magics, display of the last
expression) and its exceptions propagate unchanged, so the cell fails exactly as it would
without ``%%track`` and nbclient/papermill stop on it. The run is saved whole afterwards,
unless it still logs steps after half a second: then it is written as it goes (flusher.py).
"""

from __future__ import annotations

import ast
import numbers
import sys
import time
from collections import deque
from typing import Any

from ..store.base import MetricInput, ParamInput
from .context import execution_count
from .display import warn
from .session import get_session

CAPTURE_LIMIT = 1_000_000  # characters of printed output kept for metric extraction (the tail)


class Tee:
    """A text stream that keeps what is written (its tail) and passes it on unless muted."""

    def __init__(self, stream: Any, show: bool) -> None:
        self._stream = stream
        self._show = show
        self._capturing = True
        self._chunks: deque[str] = deque()
        self._size = 0

    def release(self) -> None:
        """Pass everything through from now on (a handler made in the cell may keep us)."""
        self._show, self._capturing = True, False

    def write(self, text: str) -> int:
        if self._show:
            self._stream.write(text)
        if not self._capturing:
            return len(text)
        self._chunks.append(text)
        self._size += len(text)
        while self._size > CAPTURE_LIMIT and len(self._chunks) > 1:
            self._size -= len(self._chunks.popleft())
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def text(self) -> str:
        """What was written (at most the last ``CAPTURE_LIMIT`` characters or so)."""
        return "".join(self._chunks)

    def __getattr__(self, name: str) -> Any:
        # encoding, isatty, fileno… of the real stream, for libraries that ask.
        return getattr(self._stream, name)


def execute(shell: Any, cell: str) -> None:
    """Run ``cell`` in the user namespace like IPython runs a cell, letting errors propagate."""
    __tracebackhide__ = True
    transformed = shell.transform_cell(cell)
    filename = shell.compile.cache(transformed, execution_count(shell) or 0, raw_code=cell)
    tree = shell.transform_ast(shell.compile.ast_parse(transformed, filename=filename))
    body = list(tree.body)
    last = body.pop() if body and isinstance(body[-1], ast.Expr) else None
    namespace = shell.user_global_ns, shell.user_ns
    if body:
        exec(shell.compile(ast.Module(body, type_ignores=[]), filename, "exec"), *namespace)
    if last is not None:
        # "single" mode sends the value to the display hook, as Out[n].
        exec(shell.compile(ast.Interactive([last]), filename, "single"), *namespace)


def track_cell(
    shell: Any,
    cell: str,
    *,
    experiment: str | None = None,
    name: str | None = None,
    tags: dict[str, str] | None = None,
    show_output: bool = True,
) -> None:
    """Execute ``cell`` and save it as a run with the capture rules of Log run."""
    __tracebackhide__ = True
    session = get_session()
    run = session.start(
        experiment=experiment, name=name, tags=tags, kind="track", source="magic", code=cell
    )
    streams = sys.stdout, sys.stderr
    out, err = Tee(sys.stdout, show_output), Tee(sys.stderr, show_output)
    sys.stdout, sys.stderr = out, err
    error: BaseException | None = None
    try:
        execute(shell, cell)
    except BaseException as exc:
        error = exc
        raise
    finally:
        sys.stdout, sys.stderr = streams
        out.release()
        err.release()
        _finish(shell, run, cell, out.text() + "\n" + err.text(), error)


def _finish(shell: Any, run: Any, cell: str, printed: str, error: BaseException | None) -> None:
    """Add what the capture found and save; tracking problems never hide the cell's error."""
    session = get_session()
    try:
        run.add_fallback_params(scanned_params(cell))
        now = time.time_ns() // 1_000_000
        run.add_captured_metrics(variable_metrics(shell, cell, now))
        run.add_captured_metrics(printed_metrics(printed, now))
    except Exception as exc:  # noqa: BLE001 - the capture must not break the user's cell
        warn(f"the cell's params and metrics could not be captured: {exc!r}")
    try:
        session.end(run, error=error)
    except Exception as exc:  # noqa: BLE001 - nor may saving the run
        warn(f"the run was not saved: {exc!r}")


def scanned_params(cell: str) -> list[ParamInput]:
    """Top-level literal assignments of the cell, as Log run's scan finds them."""
    from ..capture import scan_params

    return [ParamInput(p.key, p.value, p.type, p.source) for p in scan_params(cell)]


def real_number(value: Any) -> float | None:
    """``value`` as a float when it is a real number but not a bool (the front end's rule)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def variable_metrics(shell: Any, cell: str, timestamp: int) -> list[MetricInput]:
    """Numeric scalars the cell assigned, read from the namespace after it ran."""
    from ..capture import scan_assigned_names

    metrics = []
    for name in scan_assigned_names(cell):
        number = real_number(shell.user_ns.get(name))
        if number is not None:
            metrics.append(MetricInput(name, number, 0, timestamp, "variable"))
    return metrics


def printed_metrics(text: str, timestamp: int) -> list[MetricInput]:
    """``name: number`` lines the cell printed, last value per key."""
    from ..capture import extract_metrics

    return [MetricInput(k, v, 0, timestamp, "printed") for k, v in extract_metrics(text)]
