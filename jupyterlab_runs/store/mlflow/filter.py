"""Our filter language over MLflow: a tree from filter.py's parser, evaluated in Python, and
the part of it MLflow can evaluate sent along to narrow what the server returns.

The parser is filter.py's own (same syntax, same type checks, same error positions); only
its output differs: ``_TreeParser`` overrides the four methods that emit SQL so they build a
tree instead. ``matches`` gives every comparison the meaning the SQL has in the embedded
store (NaN differs from every number, a missing key fails every comparison but IS NULL, LIKE
is case-sensitive and ILIKE folds ASCII only). ``server_filter`` translates the top-level AND
conditions MLflow can evaluate into MLflow's syntax; it only ever narrows to a *superset* of
the answer, because ``matches`` then checks the whole filter on what comes back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, cast

from ..base import Run
from ..filter import _Parser, _Target
from ..filter import parse_filter as parse_tree
from ..filter_lexer import Token
from ..values import numeric_param_value
from .mapping import hidden_tag


@dataclass(frozen=True)
class Compare:
    """One comparison: ``kind`` attribute|metric|param|tag, literals compared as numbers or text."""

    kind: str
    key: str
    op: str
    values: tuple[Any, ...]
    numeric: bool


@dataclass(frozen=True)
class Both:
    """All of ``items`` hold (AND)."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class Either:
    """Any of ``items`` holds (OR)."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class Negation:
    """``item`` does not hold (NOT)."""

    item: Any


Node = Compare | Both | Either | Negation


class _TreeParser(_Parser):
    """filter.py's parser building a tree instead of SQL."""

    def junction(self, op: str, parts: tuple) -> Node:
        return Both(parts) if op == "AND" else Either(parts)

    def negate(self, node: Node) -> Node:
        return Negation(node)

    def emit(self, target: _Target, op: str, values: list[Token]) -> Compare:  # type: ignore[override]
        numeric = self.numeric_values(target, op, values)
        literals = tuple(v.value if numeric else str(v.value) for v in values)
        return Compare(target.kind, target.key, op, literals, numeric)


def parse_filter(text: str | None) -> Node | None:
    """The tree of a filter expression; None for an empty filter (every run matches)."""
    return cast(Node | None, parse_tree(text, _TreeParser))


# -- evaluation ------------------------------------------------------------------------------


def attribute_value(run: Run, name: str) -> Any:
    """A run attribute as filters and sorts see it (``duration`` is end - start)."""
    if name == "duration":
        return run.duration_ms
    return getattr(run, name)


def _pattern(pattern: str, fold: bool) -> re.Pattern[str]:
    body = "".join(
        ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern
    )
    flags = re.DOTALL | (re.IGNORECASE | re.ASCII if fold else 0)
    return re.compile(body, flags)


def _compare(value: Any, op: str, literals: tuple[Any, ...]) -> bool:
    if op in ("IN", "NOT IN"):
        return (value in literals) == (op == "IN")
    if op.endswith("LIKE"):
        found = _pattern(literals[0], op.endswith("ILIKE")).fullmatch(value) is not None
        return found != op.startswith("NOT")
    other = literals[0]
    return {
        "=": value == other,
        "!=": value != other,
        "<": value < other,
        "<=": value <= other,
        ">": value > other,
        ">=": value >= other,
    }[op]


def _holds(node: Compare, run: Run) -> bool:
    if node.kind == "attribute":
        value = attribute_value(run, node.key)
    elif node.kind == "metric":
        metric = run.metrics.get(node.key)
        value = None if metric is None else metric.value
    elif node.kind == "param":
        param = run.params.get(node.key)
        value = None if param is None else param.value
        if param is not None and node.numeric:
            value = numeric_param_value(param)
            if value is None:
                return False  # text never equals, nor orders against, a number
    else:
        value = run.tags.get(node.key)
    if node.op in ("IS NULL", "IS NOT NULL"):
        return (value is None) == (node.op == "IS NULL")
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return node.op in ("!=", "NOT IN")  # IEEE: NaN differs from every number
    return _compare(value, node.op, node.values)


def matches(node: Node | None, run: Run) -> bool:
    """Whether ``run`` satisfies the filter tree (None matches every run)."""
    if node is None:
        return True
    if isinstance(node, Both):
        return all(matches(item, run) for item in node.items)
    if isinstance(node, Either):
        return any(matches(item, run) for item in node.items)
    if isinstance(node, Negation):
        return not matches(node.item, run)
    return _holds(node, run)


# -- the part MLflow evaluates ---------------------------------------------------------------

_NUMERIC_OPS = ("=", "<", "<=", ">", ">=")
_TEXT_OPS = ("=", "!=", "LIKE", "ILIKE")
_ENDED = ("FINISHED", "FAILED", "KILLED")


def _identifier(key: str) -> str | None:
    for quote in ("`", '"'):
        if quote not in key:
            return f"{quote}{key}{quote}"
    return None


def _text(value: str) -> str | None:
    # MLflow strips the quotes of a literal but does not unescape it: skip what needs escaping.
    return None if "'" in value or "\\" in value else f"'{value}'"


def _number(value: float) -> str | None:
    return repr(value) if math.isfinite(value) else None


def _translate(node: Node) -> str | None:
    """MLflow's spelling of a comparison it evaluates at least as loosely as we do, or None."""
    if not isinstance(node, Compare) or len(node.values) != 1 and node.op != "IN":
        return None
    value = node.values[0] if node.values else None
    if node.kind == "metric" and node.op in _NUMERIC_OPS:
        identifier, literal = _identifier(node.key), _number(float(value))
        return identifier and literal and f"metrics.{identifier} {node.op} {literal}"
    if node.kind in ("param", "tag") and not node.numeric and node.op in _TEXT_OPS:
        if node.kind == "tag" and hidden_tag(node.key):
            return None  # not among our runs' tags, so never matched here
        identifier, literal = _identifier(node.key), _text(value)
        entity = "params" if node.kind == "param" else "tags"
        return identifier and literal and f"{entity}.{identifier} {node.op} {literal}"
    if node.kind != "attribute":
        return None
    if node.key in ("start_time", "end_time") and node.op in _NUMERIC_OPS:
        return f"attributes.{node.key} {node.op} {int(value)}" if value == int(value) else None
    if node.key == "status" and node.op == "=" and value in _ENDED:
        return f"attributes.status = '{value}'"
    if node.key == "name" and node.op in _TEXT_OPS:
        literal = _text(value)
        return literal and f"attributes.run_name {node.op} {literal}"
    if node.key == "id" and node.op in ("=", "IN"):
        literals = [_text(v) for v in node.values]
        if all(literals) and node.values:
            return f"attributes.run_id IN ({', '.join(literals)})"  # type: ignore[arg-type]
    return None


def server_filter(node: Node | None) -> str:
    """The top-level AND conditions of the tree that MLflow can evaluate, in its syntax."""
    if node is None:
        return ""
    conditions = node.items if isinstance(node, Both) else (node,)
    return " and ".join(part for part in map(_translate, conditions) if part)
