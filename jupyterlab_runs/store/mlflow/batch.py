"""Splitting params, metric points and tags into log-batch requests within MLflow's limits."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

# mlflow/utils/validation.py: MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH,
# MAX_ENTITIES_PER_BATCH and MAX_BATCH_LOG_REQUEST_SIZE (1 MB; we keep a margin).
MAX_METRICS = 1000
MAX_PARAMS = 100
MAX_TAGS = 100
MAX_ENTITIES = 1000
MAX_BYTES = 900_000


def _size(item: Mapping[str, Any]) -> int:
    return len(json.dumps(item, ensure_ascii=False).encode()) + 1


def log_batches(
    run_id: str,
    params: Sequence[Mapping[str, Any]] = (),
    metrics: Sequence[Mapping[str, Any]] = (),
    tags: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """log-batch bodies for ``run_id``: params first (so a changed param fails before
    anything is written), then metrics, then tags."""
    items = [("params", p) for p in params]
    items += [("metrics", m) for m in metrics]
    items += [("tags", {"key": k, "value": v}) for k, v in (tags or {}).items()]
    limits = {"params": MAX_PARAMS, "metrics": MAX_METRICS, "tags": MAX_TAGS}
    body: dict[str, list[Mapping[str, Any]]] = {"params": [], "metrics": [], "tags": []}
    count = size = 0
    for kind, item in items:
        item_size = _size(item)
        full = (
            len(body[kind]) >= limits[kind]
            or count >= MAX_ENTITIES
            or (count and size + item_size > MAX_BYTES)
        )
        if full:
            yield {"run_id": run_id, **body}
            body = {"params": [], "metrics": [], "tags": []}
            count = size = 0
        body[kind].append(item)
        count += 1
        size += item_size
    if count:
        yield {"run_id": run_id, **body}
