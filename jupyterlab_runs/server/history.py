"""Pages of one metric's history for ``GET runs/{id}/metrics/{key}``: a history of millions of
steps is answered a bounded page at a time, resumed after the last (step, timestamp) sent."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from ..store import InvalidArgument
from ..store.base import MetricPoint

DEFAULT_POINTS = 10_000
MAX_POINTS = 100_000
_TOKEN = re.compile(r"(-?\d{1,19}):(-?\d{1,19})")


def parse_token(token: str | None) -> tuple[int, int] | None:
    """The (step, timestamp) a history page token stands for; ``InvalidArgument`` if forged."""
    if not token:
        return None
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise InvalidArgument("page_token is not a metric-history token this server issued")
    return int(match.group(1)), int(match.group(2))


def history_page(
    points: Sequence[MetricPoint], after: tuple[int, int] | None, limit: int
) -> tuple[list[MetricPoint], str | None]:
    """Up to ``limit`` points (sorted by step, then timestamp) after ``after``, and the token of
    the next page (None on the last)."""
    if not 1 <= limit <= MAX_POINTS:
        raise InvalidArgument(f"max_results must be between 1 and {MAX_POINTS}")
    start = 0
    if after is not None:
        start = bisect.bisect_right([(p.step, p.timestamp) for p in points], after)
    page = list(points[start : start + limit])
    more = start + limit < len(points)
    return page, (f"{page[-1].step}:{page[-1].timestamp}" if more else None)
