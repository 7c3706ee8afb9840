"""Metric histories packed in blocks: one row per (run, key, block) of up to BLOCK_POINTS points.

A point in a row of its own cost ~30 bytes on disk (run, key, record header and cell pointer
again for every point); packed, it costs its value (8 bytes) and two small deltas. The
blocks of one (run, key) are sorted and disjoint: each block's points are unique and
ordered by (step, timestamp), and all come before the next block's, so a history is its
blocks read in order. A write merges its points into the blocks from the first one they
reach to the end (usually only the last, partly filled block) and rewrites those.
"""

from __future__ import annotations

import json
import math
import operator
import sqlite3
import struct
import sys
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate

BLOCK_POINTS = 1024
_FORMAT = 1
_HEADER = struct.Struct("<BI")  # format, number of points
_COLUMN = struct.Struct("<ccq")  # mode (d: deltas, r: raw values), array typecode, base
_SWAP = sys.byteorder == "big"  # blocks are little-endian on every machine
_INT_CODES = "bhiq"  # the narrowest signed array type that holds every delta

CREATE_TABLE = """CREATE TABLE metric_blocks (
    run INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,
    key_id INTEGER NOT NULL REFERENCES keys(id),
    block INTEGER NOT NULL,
    count INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    last_time INTEGER NOT NULL,
    max_time INTEGER NOT NULL,
    min REAL,
    max REAL,
    data BLOB NOT NULL,
    PRIMARY KEY (run, key_id, block)
) WITHOUT ROWID"""

# (steps, timestamps, values), parallel and sorted by (step, timestamp).
Columns = tuple[list[int], list[int], list[float]]


def _pack_ints(numbers: Sequence[int]) -> bytes:
    deltas = list(map(operator.sub, numbers[1:], numbers[:-1]))
    low, high = min(deltas, default=0), max(deltas, default=0)
    for code in _INT_CODES:
        limit = 1 << (8 * array(code).itemsize - 1)
        if -limit <= low and high < limit:
            return _COLUMN.pack(b"d", code.encode(), numbers[0]) + _bytes(array(code, deltas))
    # Deltas between extreme 64-bit numbers can overflow 64 bits: keep the numbers themselves.
    return _COLUMN.pack(b"r", b"q", 0) + _bytes(array("q", numbers))


def _bytes(numbers: array) -> bytes:
    if _SWAP:
        numbers = array(numbers.typecode, numbers)
        numbers.byteswap()
    return numbers.tobytes()


def _unpack_array(code: str, data: bytes, offset: int, count: int) -> tuple[array, int]:
    numbers = array(code)
    end = offset + numbers.itemsize * count
    numbers.frombytes(data[offset:end])
    if _SWAP:
        numbers.byteswap()
    return numbers, end


def _int_array(data: bytes, offset: int, count: int) -> tuple[array, int | None, int]:
    """The integer column at ``offset`` as stored: its numbers (base None) or its deltas and
    base, and where it ends."""
    mode, code, base = _COLUMN.unpack_from(data, offset)
    raw = mode == b"r"
    numbers, end = _unpack_array(code.decode(), data, offset + _COLUMN.size, count - (not raw))
    return numbers, None if raw else base, end


def _nth(numbers: array, base: int | None, index: int) -> int:
    return numbers[index] if base is None else base + sum(numbers[:index])


def _unpack_ints(data: bytes, offset: int, count: int) -> tuple[list[int], int]:
    numbers, base, offset = _int_array(data, offset, count)
    if base is None:
        return numbers.tolist(), offset
    return list(accumulate(numbers, initial=base)), offset


def pack(steps: Sequence[int], stamps: Sequence[int], values: Sequence[float]) -> bytes:
    """One block's bytes: steps and timestamps as deltas in the narrowest type, values as
    IEEE doubles (NaN, ±Inf and -0.0 kept as they are)."""
    return (
        _HEADER.pack(_FORMAT, len(values))
        + _pack_ints(steps)
        + _pack_ints(stamps)
        + _bytes(array("d", values))
    )


def _count(data: bytes) -> int:
    version, count = _HEADER.unpack_from(data)
    if version != _FORMAT:
        raise ValueError(f"metric block of unknown format {version}")
    return count


def unpack(data: bytes) -> Columns:
    """A block's steps, timestamps and values."""
    count = _count(data)
    steps, offset = _unpack_ints(data, _HEADER.size, count)
    stamps, offset = _unpack_ints(data, offset, count)
    values, _ = _unpack_array("d", data, offset, count)
    return steps, stamps, values.tolist()


def point_of(data: bytes, value: float) -> tuple[int, int, int, float]:
    """The block's first point equal to ``value`` (not NaN) as (index, step, timestamp, value),
    found in C without decoding the block into lists: ``index`` on the values array, ``sum``
    of the deltas before that index."""
    count = _count(data)
    steps, step_base, offset = _int_array(data, _HEADER.size, count)
    stamps, stamp_base, offset = _int_array(data, offset, count)
    values, _ = _unpack_array("d", data, offset, count)
    index = values.index(value)
    return index, _nth(steps, step_base, index), _nth(stamps, stamp_base, index), values[index]


def reaching(
    conn: sqlite3.Connection, columns: str, rid: int, key_id: int, first: int | None
) -> sqlite3.Cursor:
    """``columns`` of a history's blocks in order, from the first that ends at or after step
    ``first`` (None: from the first block) to the last. Blocks are sorted and disjoint, so
    the ones ending at or after ``first`` are a suffix."""
    return conn.execute(
        f"SELECT {columns} FROM metric_blocks WHERE run = ? AND key_id = ? AND block >= ("
        "SELECT coalesce(min(block), 1 << 62) FROM metric_blocks"
        " WHERE run = ? AND key_id = ? AND last_step >= coalesce(?, last_step)) ORDER BY block",
        (rid, key_id, rid, key_id, first),
    )


def read(
    conn: sqlite3.Connection, rid: int, key_id: int, within: tuple[int, int] | None = None
) -> Columns:
    """The history of one metric of one run, in (step, timestamp) order: whole, or (``within``
    = first, last step) the blocks holding those steps, whole, for the caller to trim: those
    ``reaching`` the first step, read until one starts past ``last``."""
    steps: list[int] = []
    stamps: list[int] = []
    values: list[float] = []
    first, last = within if within is not None else (None, None)
    for (data,) in reaching(conn, "data", rid, key_id, first):
        block = unpack(data)
        if last is not None and block[0][0] > last:
            break
        steps += block[0]
        stamps += block[1]
        values += block[2]
    return steps, stamps, values


def bounds(values: Sequence[float]) -> tuple[float | None, float | None]:
    """The least and greatest of ``values`` that are not NaN (None, None: all are NaN)."""
    numbers = values
    if math.isnan(sum(values)):  # a NaN among them (or +Inf with -Inf): skip NaNs
        numbers = [v for v in values if not math.isnan(v)]
    return min(numbers, default=None), max(numbers, default=None)


# A block's row without its run and key: (block, count, last_step, last_time, max_time,
# min, max, data).
Block = tuple[int, int, int, int, int, float | None, float | None, bytes]


def blocks(columns: Columns, first_block: int = 0) -> list[Block]:
    """Sorted, unique points packed as consecutive blocks from number ``first_block`` on."""
    steps, stamps, values = columns
    packed = []
    for block, start in enumerate(range(0, len(values), BLOCK_POINTS), first_block):
        part = slice(start, start + BLOCK_POINTS)
        block_steps, block_stamps, block_values = steps[part], stamps[part], values[part]
        packed.append(
            (
                block,
                len(block_values),
                block_steps[-1],
                block_stamps[-1],
                max(block_stamps),
                *bounds(block_values),
                pack(block_steps, block_stamps, block_values),
            )
        )
    return packed


def insert_blocks(
    conn: sqlite3.Connection, rid: int, key_id: int, first_block: int, columns: Columns
) -> None:
    """Write sorted, unique points as consecutive blocks from number ``first_block`` on."""
    insert_packed(conn, rid, key_id, blocks(columns, first_block))


def insert_packed(conn: sqlite3.Connection, rid: int, key_id: int, packed: list[Block]) -> None:
    """Write blocks made by ``blocks``."""
    conn.executemany(
        "INSERT INTO metric_blocks (run, key_id, block, count, last_step, last_time, max_time, "
        "min, max, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(rid, key_id, *block) for block in packed],
    )


def _columns(ordered: Sequence[tuple[tuple[int, int], float]]) -> Columns:
    return (
        [step for (step, _), _ in ordered],
        [stamp for (_, stamp), _ in ordered],
        [value for _, value in ordered],
    )


def ordered(columns: Columns) -> Columns:
    """Points as columns sorted by (step, timestamp), each (step, timestamp) once: a later
    point replaces an earlier one. Computed before a write takes the lock; a training loop's
    points are in order already, which is checked without sorting."""
    steps, stamps, values = columns
    keys = list(zip(steps, stamps, strict=True))
    if all(map(operator.lt, keys, keys[1:])):
        return columns
    return _columns(sorted(dict(zip(keys, values, strict=True)).items()))


# A history's last block: (number, last step, last timestamp, data if it has room, else None).
LastBlock = tuple[int, int, int, bytes | None]


def last_blocks(conn: sqlite3.Connection, rid: int, key_ids: Iterable[int]) -> dict[int, LastBlock]:
    """The last block of each of these histories of a run that has any, in one statement
    (CROSS JOIN: key by key, each a primary-key lookup, never a scan of the run's blocks)."""
    rows = conn.execute(
        "SELECT b.key_id, b.block, b.last_step, b.last_time, "
        "CASE WHEN b.count < ? THEN b.data END FROM json_each(?) k CROSS JOIN metric_blocks b "
        "ON b.run = ? AND b.key_id = k.value AND b.block = "
        "(SELECT max(block) FROM metric_blocks WHERE run = ? AND key_id = k.value)",
        (BLOCK_POINTS, json.dumps(list(key_ids)), rid, rid),
    )
    return {key_id: tuple(last) for key_id, *last in rows}


def create(conn: sqlite3.Connection, rid: int, key_id: int, columns: Columns) -> None:
    """Write the first points of a history (``ordered`` columns)."""
    insert_blocks(conn, rid, key_id, 0, columns)


def merge(
    conn: sqlite3.Connection,
    rid: int,
    key_id: int,
    new: Columns,
    last: LastBlock | None,
    packed: list[Block] | None = None,
) -> tuple[int, int, float]:
    """Add ``ordered`` points to a history whose last block is ``last`` (``last_blocks``; a
    point with the step and timestamp of one already there replaces it); returns the
    history's latest point. ``packed``: ``blocks(new)``, made before the write, for a new
    history."""
    first = (new[0][0], new[1][0])
    if last is None and packed is not None:
        insert_packed(conn, rid, key_id, packed)
        return new[0][-1], new[1][-1], new[2][-1]
    if last is None:  # a new history
        start, columns = 0, new
    elif first > (last[1], last[2]):  # all after the history, the common case: top it up
        start, columns = last[0] + (last[3] is None), new
        if last[3] is not None:
            steps, stamps, values = unpack(last[3])
            columns = (steps + new[0], stamps + new[1], values + new[2])
    else:  # the points reach into the history: merge them with the blocks they reach
        reached = conn.execute(
            "SELECT block, data FROM metric_blocks WHERE run = ? AND key_id = ? "
            "AND (last_step, last_time) >= (?, ?) ORDER BY block",
            (rid, key_id, *first),
        ).fetchall()
        start = reached[0][0]
        old: dict[tuple[int, int], float] = {}
        for _, data in reached:
            steps, stamps, values = unpack(data)
            old.update(zip(zip(steps, stamps, strict=True), values, strict=True))
        old.update(zip(zip(new[0], new[1], strict=True), new[2], strict=True))
        columns = _columns(sorted(old.items()))
    if last is not None and start <= last[0]:
        conn.execute(
            "DELETE FROM metric_blocks WHERE run = ? AND key_id = ? AND block >= ?",
            (rid, key_id, start),
        )
    insert_blocks(conn, rid, key_id, start, columns)
    return columns[0][-1], columns[1][-1], columns[2][-1]


def totals(
    conn: sqlite3.Connection, rid: int, key_id: int
) -> tuple[int, float | None, float | None]:
    """How many points a history holds and its least and greatest value (None: all NaN)."""
    return conn.execute(
        "SELECT sum(count), min(min), max(max) FROM metric_blocks WHERE run = ? AND key_id = ?",
        (rid, key_id),
    ).fetchone()
