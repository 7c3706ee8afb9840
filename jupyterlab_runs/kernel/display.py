"""What the kernel shows: run cards, the claimed-cell log output, warnings.

Every bundle carries ``text/plain`` for front ends without our renderer. Those texts never
read ``name: number`` or ``name = number``, so Log run's printed-metric scan does not
mistake them for metrics the cell printed.
"""

from __future__ import annotations

import sys
from typing import Any

from ..store.base import Run
from ..store.values import json_float
from .compare_spec import format_number

RUN_MIME = "application/vnd.jupyterlab-runs.run+json"
LOG_MIME = "application/vnd.jupyterlab-runs.log+json"
CARD_LIMIT = 50  # params and metrics listed on a card; the panel has the rest
WARNING_PREFIX = "jupyterlab-runs: "

__all__ = ["format_number", "emit", "warn", "run_card", "show_card", "log_bundle"]


def emit(bundle: dict[str, Any], **kwargs: Any) -> Any:
    """Display a raw MIME bundle in the current cell; a no-op outside IPython."""
    from .context import get_shell

    if get_shell() is None:
        return None
    from IPython.display import display

    return display(bundle, raw=True, **kwargs)


def warn(message: str) -> None:
    """Tell the user something went wrong with tracking, without disturbing their cell."""
    print(WARNING_PREFIX + message, file=sys.stderr, flush=True)


def run_card(run: Run, experiment_name: str) -> dict[str, Any]:
    """The compact card shown after a run is logged."""
    params = dict(list(run.params.items())[:CARD_LIMIT])
    metrics = dict(list(run.metrics.items())[:CARD_LIMIT])
    payload = {
        "version": 1,
        "run": {
            "id": run.id,
            "experiment_id": run.experiment_id,
            "experiment_name": experiment_name,
            "version": run.version,
            "name": run.name,
            "status": run.status,
            "params": {key: param.value for key, param in params.items()},
            "metrics": {key: json_float(metric.value) for key, metric in metrics.items()},
            "duration_ms": run.duration_ms,
        },
    }
    return {RUN_MIME: payload, "text/plain": card_text(run, experiment_name)}


def card_text(run: Run, experiment_name: str) -> str:
    """``Logged run v7 · accuracy 0.964 (experiment …)``."""
    # Version 0: the MLflow server was unreachable; it numbers the run when the outbox delivers it.
    parts = [f"Logged run v{run.version}" if run.version else "Logged run v? · waiting to sync"]
    if run.status != "FINISHED":
        parts.append(run.status)
    parts += [f"{key} {format_number(m.value)}" for key, m in list(run.metrics.items())[:3]]
    if len(run.metrics) > 3:
        parts.append(f"+{len(run.metrics) - 3} more")
    return " · ".join(parts) + f" (experiment {experiment_name})"


def show_card(run: Run, experiment_name: str) -> None:
    """Display a run card in the current cell."""
    emit(run_card(run, experiment_name))


def log_bundle(payload: dict[str, Any]) -> dict[str, Any]:
    """The output a claimed cell leaves for the front end's Log run to read."""
    params, metrics = len(payload["params"]), len(payload["metrics"])
    keys = sorted({m["key"] for m in payload["metrics"]})
    text = f"jupyterlab-runs logged {params} param(s) and {metrics} metric point(s)"
    if keys:
        text += " for " + ", ".join(keys[:5]) + (" …" if len(keys) > 5 else "")
    return {LOG_MIME: payload, "text/plain": text}
