"""Metrics a cell printed: ``name: number`` / ``name = number`` lines of its output.

`tests/vectors/metrics.json` and its README state the rules.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

_BLANK = " \t\f\v"
_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-_])")
_SEGMENT_SPECIALS = re.compile(r"[()\[\]{}|,;-]")
_WORD_SPECIALS = re.compile(r"[()\[\]{} \t\f\v]")
_SEPARATOR_SPECIALS = re.compile(r"[()\[\]{}:=]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NUMPY = re.compile(r"(?:np|numpy)\.(?:float|int|uint)(?:8|16|32|64|128)?\(([^()]*)\)")
_TENSOR = re.compile(r"tensor\(([^(),]*)(?:,[^()]*)?\)")
_MAX_NAME_LENGTH = 64
_MAX_VALUE_LENGTH = 100


def extract_metrics(text: str) -> list[tuple[str, float]]:
    """Metrics printed as `name: number` / `name = number`: last value per key, first order."""
    found: dict[str, float] = {}
    for line in re.split(r"\r\n|\r|\n", _ANSI_ESCAPE.sub("", text)):
        found.update(_line_pairs(line) or ())
    return list(found.items())


def extract_printed(texts: Iterable[str]) -> list[tuple[str, float]]:
    """Metrics of several outputs: a key's last value wins, placed where it was last printed."""
    found: dict[str, float] = {}
    for text in texts:
        for key, value in extract_metrics(text):
            found.pop(key, None)
            found[key] = value
    return list(found.items())


def _line_pairs(line: str) -> list[tuple[str, float]] | None:
    """A line's pairs, or None when a segment is neither a pair, a label nor `k=v` words."""
    pairs = []
    for segment in _split_outside(line, _SEGMENT_SPECIALS, _is_segment_break):
        if _separator_at(segment) < 0:
            continue
        pair = _parse_pair(segment)
        if pair:
            pairs.append(pair)
            continue
        for word in _split_outside(segment, _WORD_SPECIALS, lambda text, i: True):
            if _separator_at(word) < 0:
                continue
            word_pair = _parse_pair(word)
            if word_pair is None:
                return None
            pairs.append(word_pair)
    return pairs


def _is_segment_break(text: str, i: int) -> bool:
    char, after = text[i], text[i + 1 : i + 2] or " "
    if char == "|":
        return True
    if char in ",;":
        return after in _BLANK
    return i > 0 and text[i - 1] in _BLANK and after in _BLANK  # " - "


def _split_outside(text: str, specials: re.Pattern, is_break) -> list[str]:
    """Trimmed, non-empty pieces of `text` cut where `is_break` holds outside brackets."""
    pieces, depth, start = [], 0, 0
    for match in specials.finditer(text):
        i = match.start()
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and is_break(text, i):
            pieces.append(text[start:i].strip(_BLANK))
            start = i + 1
    pieces.append(text[start:].strip(_BLANK))
    return [piece for piece in pieces if piece]


def _separator_at(text: str) -> int:
    depth = 0
    for match in _SEPARATOR_SPECIALS.finditer(text):
        char = match.group()
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            return match.start()
    return -1


def _parse_pair(text: str) -> tuple[str, float] | None:
    at = _separator_at(text)
    key = _metric_key(text[:at].strip(_BLANK))
    value = _metric_value(text[at + 1 :].strip(_BLANK))
    return None if key is None or value is None else (key, value)


def _metric_key(name: str) -> str | None:
    """`Test Accuracy` → `test_accuracy`; None for what does not look like a name."""
    if not name or len(name) > _MAX_NAME_LENGTH or not _is_letter(name[0]):
        return None
    if not all(_is_letter(c) or _is_name_char(c) for c in name[1:]):
        return None
    if name.split(" ")[-1].isdecimal():  # a counter such as `Epoch 3`
        return None
    return re.sub(" +", "_", name.lower()).rstrip("._/-")


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _is_name_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category.startswith("M") or category == "Nd" or char in " _./-"


def _metric_value(text: str) -> float | None:
    """`0.96`, `87.5%` (87.5), `nan`, `-inf`, `np.float64(0.93)`, `tensor(0.5)`; else None."""
    if len(text) > _MAX_VALUE_LENGTH:
        return None
    wrapped = _NUMPY.fullmatch(text) or _TENSOR.fullmatch(text)
    if wrapped:
        return _plain_number(wrapped.group(1).strip(_BLANK))
    return _plain_number(text[:-1] if text.endswith("%") else text)


def _plain_number(text: str) -> float | None:
    if _NUMBER.fullmatch(text):
        return float(text)
    word = (text[1:] if text.startswith(("+", "-")) else text).lower()
    if word == "nan":
        return math.nan
    if word in ("inf", "infinity"):
        return -math.inf if text.startswith("-") else math.inf
    return None
