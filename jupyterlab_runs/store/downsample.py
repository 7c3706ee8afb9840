"""Fewer points of a metric history that still show its shape: the first and last point and,
in each of equal buckets of points between them, the lowest and the highest value (the
min/max per pixel column a line chart draws), so no spike or dip is lost."""

from __future__ import annotations

import math
from collections.abc import Sequence


def extremes(values: Sequence[float], limit: int) -> list[int]:
    """Indices of at most ``limit`` (≥ 2) of ``values``, ascending: the first, the last, and
    each bucket's minimum and maximum. NaN never counts as an extreme."""
    length = len(values)
    if length <= limit:
        return list(range(length))
    if limit < 2:
        raise ValueError("limit must be at least 2")
    buckets = (limit - 2) // 2
    keep = {0, length - 1}
    inner = length - 2
    for b in range(buckets):
        start = 1 + b * inner // buckets
        chunk = values[start : 1 + (b + 1) * inner // buckets]
        finite = chunk if not any(map(math.isnan, chunk)) else [v for v in chunk if v == v]
        if finite:  # min() and max() run in C; index() finds the first occurrence
            keep.add(start + chunk.index(min(finite)))
            keep.add(start + chunk.index(max(finite)))
    return sorted(keep)
