"""Fewer points of a metric history that still show its shape: the first and last point and,
in each of equal buckets of points between them, the lowest and the highest value (the
min/max per pixel column a line chart draws), so no spike or dip is lost."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from operator import attrgetter
from typing import TypeVar

#: A point with a ``value`` (``MetricPoint``, or anything shaped like it).
P = TypeVar("P")


def spans(start: int, length: int, count: int) -> Iterator[tuple[int, int]]:
    """``count`` consecutive (begin, end) slices of ``length`` items from ``start``, as equal
    as whole items allow (some are empty when ``length`` < ``count``)."""
    for b in range(count):
        yield start + b * length // count, start + (b + 1) * length // count


def extremes(values: Sequence[float], limit: int) -> list[int]:
    """Indices of at most ``limit`` (≥ 2) of ``values``, ascending: the first, the last, and
    each bucket's minimum and maximum. NaN never counts as an extreme."""
    length = len(values)
    if length <= limit:
        return list(range(length))
    if limit < 2:
        raise ValueError("limit must be at least 2")
    keep = {0, length - 1}
    for start, end in spans(1, length - 2, (limit - 2) // 2):
        chunk = values[start:end]
        finite = chunk if not any(map(math.isnan, chunk)) else [v for v in chunk if v == v]
        if finite:  # min() and max() run in C; index() finds the first occurrence
            keep.add(start + chunk.index(min(finite)))
            keep.add(start + chunk.index(max(finite)))
    return sorted(keep)


def thin(points: Sequence[P], limit: int) -> Sequence[P]:
    """At most ``limit`` (≥ 2) of ``points``: the ones ``extremes`` keeps of their values."""
    if len(points) <= limit:
        return points
    return [points[i] for i in extremes(list(map(attrgetter("value"), points)), limit)]
