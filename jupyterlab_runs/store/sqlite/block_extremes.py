"""A long history's extremes read from its blocks' summaries, not from its points (issue 13,
B8: the first chart of 100 runs × 100,000 steps).

Every block row holds its last step and its least and greatest value (NaN excluded), so the
lowest and the highest point of a stretch of whole blocks are found in those columns, and
only the blocks holding them are opened, and in those only the values array and the deltas
before the point (``points.point_of``). The two blocks at the ends of the range may be cut
by a step range: they are decoded whole and trimmed. Like ``downsample.extremes`` the result
is the first and the last point and each stretch's lowest and highest, the stretches being
runs of whole blocks instead of equal numbers of points.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..downsample import spans
from . import points

#: A point of a history: (step, timestamp, value).
Point = tuple[int, int, float]


@dataclass
class _Part:
    """One block in range: its number, its least and greatest value in range (None: all
    NaN) and, for the blocks at the ends, its points in range."""

    block: int
    low: float | None
    high: float | None
    decoded: points.Columns | None = None


def read(
    conn: sqlite3.Connection,
    rid: int,
    key_id: int,
    max_points: int,
    within: tuple[int, int] | None = None,
) -> points.Columns | None:
    """At most ``max_points`` (≥ 2) points of a history (``within``: of those steps, both
    ends included), in order: the first, the last and, in each of ``(max_points - 2) // 2``
    stretches of whole blocks, the lowest and the highest (the first of equals; NaN never
    counts). None when the range reaches too few blocks for stretches of a block or more
    (``_coarse``): every point is needed then."""
    first, last = within if within is not None else (None, None)
    rows = []
    for row in points.reaching(conn, "block, last_step, min, max", rid, key_id, first):
        rows.append(row)
        if last is not None and row[1] > last:
            break  # this block holds the range's end; the ones after it start past it
    if not _coarse(len(rows), max_points):
        return None
    parts = [_Part(block, low, high) for block, _, low, high in rows]
    _decode(conn, rid, key_id, parts[0], within)
    _decode(conn, rid, key_id, parts[-1], within)
    if not parts[-1].decoded[0]:  # the range ends before this block starts
        parts.pop()
        if not _coarse(len(parts), max_points):
            return None
        _decode(conn, rid, key_id, parts[-1], within)
    head, tail = parts[0].decoded, parts[-1].decoded
    # (part, index in it) → point, so sorting the positions orders the points.
    kept = {(0, 0): _point(head, 0), (len(parts) - 1, len(tail[0]) - 1): _point(tail, -1)}
    wanted: list[tuple[int, float]] = []  # (part, value): a stretch's lowest or highest
    for begin, end in spans(0, len(parts), (max_points - 2) // 2):
        counted = [i for i in range(begin, end) if parts[i].low is not None]
        if counted:  # min() and max() give the first of equal parts
            lowest = min(counted, key=lambda i: parts[i].low)
            highest = max(counted, key=lambda i: parts[i].high)
            wanted += [(lowest, parts[lowest].low), (highest, parts[highest].high)]
    undecoded = [parts[i].block for i, _ in wanted if parts[i].decoded is None]
    data = _blocks(conn, rid, key_id, undecoded)
    for at, value in wanted:
        part = parts[at]
        if part.decoded is not None:
            index = part.decoded[2].index(value)
            kept[at, index] = _point(part.decoded, index)
        else:
            index, *point = points.point_of(data[part.block], value)
            kept[at, index] = tuple(point)
    ordered = [kept[position] for position in sorted(kept)]
    return (
        [step for step, _, _ in ordered],
        [stamp for _, stamp, _ in ordered],
        [value for _, _, value in ordered],
    )


def _coarse(blocks: int, max_points: int) -> bool:
    """Whether stretches of a range reaching ``blocks`` blocks hold a block or more each (as
    equal stretches of points would), so the blocks' summaries are fine enough."""
    return blocks >= 3 and 2 * blocks >= max_points


def _point(columns: points.Columns, index: int) -> Point:
    return columns[0][index], columns[1][index], columns[2][index]


def _blocks(conn: sqlite3.Connection, rid: int, key_id: int, blocks: list[int]) -> dict:
    """The data of these blocks of a history, by number, in one statement."""
    if not blocks:
        return {}
    return dict(
        conn.execute(
            "SELECT block, data FROM metric_blocks WHERE run = ? AND key_id = ? AND block IN ("
            + ", ".join("?" * len(blocks))
            + ")",
            (rid, key_id, *blocks),
        )
    )


def _decode(
    conn: sqlite3.Connection, rid: int, key_id: int, part: _Part, within: tuple[int, int] | None
) -> None:
    """Decode ``part``'s block and keep its points in ``within``, their extremes its own."""
    steps, stamps, values = points.unpack(_blocks(conn, rid, key_id, [part.block])[part.block])
    if within is not None:
        cut = slice(bisect_left(steps, within[0]), bisect_right(steps, within[1]))
        steps, stamps, values = steps[cut], stamps[cut], values[cut]
    numbers = [v for v in values if v == v]
    part.low, part.high = min(numbers, default=None), max(numbers, default=None)
    part.decoded = steps, stamps, values
