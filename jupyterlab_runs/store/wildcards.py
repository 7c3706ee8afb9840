"""LIKE / ILIKE wildcard matching (``%`` any run of characters, ``_`` one) without backtracking.

A regex built from the pattern (``%`` → ``.*``) backtracks: ``'%a%a%a%b'`` against 1,500
characters takes minutes. Here the pattern is cut at its ``%`` signs; the first piece must
start the value, the last must end it, and each piece between is found at its leftmost place
after the previous one (leftmost is always safe, since what follows is free to start later).
Each piece is found with ``str.find`` on its longest run of literal characters, so a match
costs at most (value length × pattern length) character tests and usually one pass.
"""

from __future__ import annotations

_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def like_match(value: str, pattern: str, fold_ascii: bool = False) -> bool:
    """Whether all of ``value`` matches the LIKE ``pattern``; ``fold_ascii`` ignores ASCII
    case, as ILIKE (and SQLite's LIKE) do."""
    if fold_ascii:
        value, pattern = value.translate(_ASCII_FOLD), pattern.translate(_ASCII_FOLD)
    first, *rest = pattern.split("%")
    if not rest:
        return len(value) == len(first) and _fits(value, 0, first)
    last = rest.pop()
    end = len(value) - len(last)
    if end < len(first) or not (_fits(value, 0, first) and _fits(value, end, last)):
        return False
    at = len(first)
    for piece in rest:
        found = _find(value, piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _fits(value: str, at: int, piece: str) -> bool:
    """Whether ``piece`` (``_`` matching any one character) matches ``value`` at ``at``."""
    window = value[at : at + len(piece)]
    return all(want == "_" or want == got for want, got in zip(piece, window, strict=True))


def _find(value: str, piece: str, start: int, end: int) -> int:
    """The leftmost place in ``value[start:end]`` where ``piece`` fits, or -1."""
    if end - start < len(piece):
        return -1
    if "_" not in piece:
        return value.find(piece, start, end)
    # Anchor the search on the piece's longest literal run; test the rest where it lands.
    offset, literal = max(_literal_runs(piece), key=lambda item: len(item[1]))
    if not literal:
        return start
    last_start = end - len(piece)
    candidate = value.find(literal, start + offset, last_start + offset + len(literal))
    while candidate >= 0:
        if _fits(value, candidate - offset, piece):
            return candidate - offset
        candidate = value.find(literal, candidate + 1, last_start + offset + len(literal))
    return -1


def _literal_runs(piece: str) -> list[tuple[int, str]]:
    """The runs of non-``_`` characters in ``piece`` with their offsets ([(0, '')] if none)."""
    runs, at = [], 0
    for run in piece.split("_"):
        if run:
            runs.append((at, run))
        at += len(run) + 1
    return runs or [(0, "")]
