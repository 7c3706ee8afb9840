"""The tokenizer of the filter language: numbers, strings, quoted keys, words and operators."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .base import FilterError

# Longer literals cost quadratic time to convert (Python caps int strings at 4,300 digits).
MAX_NUMBER_LENGTH = 100
KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "NULL", "ASC", "DESC"})
_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<ident>[^\W\d]\w*(?:\.\w+)*)
      | (?P<string>'(?:[^']|'')*')
      | (?P<dquoted>"(?:[^"]|"")*")
      | (?P<backtick>`(?:[^`]|``)*`)
      | (?P<op>==|!=|<>|<=|>=|=|<|>)
      | (?P<punct>[().,])""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """One token; ``kind``: number, string, quoted (backticks), dquoted, ident, keyword, op,
    punct or end."""

    kind: str
    text: str
    value: Any
    position: int


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; FilterError on a stray character."""
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char in "'\"`":
                raise FilterError(f"unterminated quoted text starting with {char}", position)
            raise FilterError(f"unexpected character {char!r}", position)
        kind, raw = match.lastgroup, match.group()
        if kind == "number" and len(raw) > MAX_NUMBER_LENGTH:
            raise FilterError(
                f"number is too long ({len(raw)} characters, limit {MAX_NUMBER_LENGTH})", position
            )
        if kind == "number":
            number: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
            if isinstance(number, int) and not -(2**63) <= number < 2**63:
                number = float(number)  # SQLite integers are 64-bit
            tokens.append(Token("number", raw, number, position))
        elif kind == "ident" and raw.upper() in KEYWORDS:
            tokens.append(Token("keyword", raw, raw.upper(), position))
        elif kind == "ident":
            tokens.append(Token("ident", raw, raw, position))
        elif kind == "string":
            tokens.append(Token("string", raw, raw[1:-1].replace("''", "'"), position))
        elif kind in ("dquoted", "backtick"):
            quote = raw[0]
            value = raw[1:-1].replace(quote * 2, quote)
            tokens.append(Token("quoted" if quote == "`" else "dquoted", raw, value, position))
        elif kind in ("op", "punct"):
            tokens.append(Token(kind, raw, raw, position))
        position = match.end()
    tokens.append(Token("end", "", None, len(text)))
    return tokens
