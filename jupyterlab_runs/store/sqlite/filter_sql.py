"""A parsed filter as SQL over ``runs r``, with every literal and key name bound.

The SQL text is assembled only from fixed pieces of this module. Key names travel as
``KeyRef`` parameters, which the store replaces with interned key ids.

Two renderings answer two questions fast:

- ``probe`` tests one run at a time (``EXISTS`` on a table's primary key): right for a page,
  read in an index order and stopped after a hundred matches;
- ``drive`` reads the matching runs out of the (key, value) indexes (``r.rid IN (…)``): right for
  counting them all. Within AND, likely-selective equality tests come first, since SQLite
  loops over the first such set and only looks the others up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..filter import ATTRIBUTES, Comparison, Junction, Negation, Node, like_to_glob, parse_filter

_KEYED_TABLES = {"metric": "latest_metrics", "param": "params", "tag": "tags"}


@dataclass(frozen=True)
class KeyRef:
    """A bound parameter standing for the interned id of a (kind, name) key."""

    kind: str
    name: str


@dataclass(frozen=True)
class CompiledFilter:
    """A SQL boolean expression over ``runs r`` and its bound parameters (values or KeyRefs)."""

    sql: str
    params: tuple[Any, ...]


def render_filter(tree: Node | None, mode: str = "drive") -> CompiledFilter:
    """The SQL of a parsed filter; ``mode`` is "drive" (for counting) or "probe" (for pages)."""
    if tree is None:
        return CompiledFilter("", ())
    if mode not in ("drive", "probe"):
        raise ValueError(f"unknown mode {mode!r}")
    params: list[Any] = []
    return CompiledFilter(_node(tree, mode, params), tuple(params))


def compile_filter(text: str | None, mode: str = "drive") -> CompiledFilter:
    """Parse and render a filter expression in one step."""
    return render_filter(parse_filter(text), mode)


def _drive_rank(node: Node) -> int:
    """0 for a keyed equality test (usually few runs), 1 for anything else."""
    is_equality = isinstance(node, Comparison) and node.op in ("=", "IN")
    return 0 if is_equality and node.kind != "attribute" else 1


def _node(node: Node, mode: str, params: list[Any]) -> str:
    if isinstance(node, Negation):
        return "NOT " + _node(node.child, mode, params)
    if isinstance(node, Junction):
        children = node.children
        if mode == "drive" and node.op == "AND":
            children = tuple(sorted(children, key=_drive_rank))
        joiner = f" {node.op} "
        return "(" + joiner.join(_node(child, mode, params) for child in children) + ")"
    if node.kind == "attribute":
        return _attribute(node, params)
    return _keyed(node, mode, params)


# SQLite's LIKE ignores ASCII case, so the filter's LIKE is a GLOB and its ILIKE a LIKE.
_SQL_OPERATORS = {"LIKE": "GLOB", "NOT LIKE": "NOT GLOB", "ILIKE": "LIKE", "NOT ILIKE": "NOT LIKE"}


def _condition(column: str, node: Comparison, params: list[Any]) -> str:
    if node.op in ("IS NULL", "IS NOT NULL"):
        return f"{column} {node.op}"
    if node.op in ("LIKE", "NOT LIKE"):
        params.append(like_to_glob(node.literals[0]))
    else:
        params.extend(node.literals)
    if node.op in ("IN", "NOT IN"):
        return f"{column} {node.op} (" + ", ".join("?" * len(node.literals)) + ")"
    return f"{column} {_SQL_OPERATORS.get(node.op, node.op)} ?"


def _attribute(node: Comparison, params: list[Any]) -> str:
    attribute = ATTRIBUTES[node.key]
    condition = _condition(attribute.sql, node, params)
    if attribute.nullable and node.op not in ("IS NULL", "IS NOT NULL"):
        # A missing value never matches, so NOT keeps meaning "the other runs".
        return f"({attribute.sql} IS NOT NULL AND {condition})"
    return condition


def _keyed(node: Comparison, mode: str, params: list[Any]) -> str:
    table = _KEYED_TABLES[node.kind]
    params.append(KeyRef(node.kind, node.key))
    if mode == "drive":
        has_key = f"r.rid IN (SELECT run FROM {table} WHERE key_id = ?"
        lacks_key = f"r.rid NOT IN (SELECT run FROM {table} WHERE key_id = ?"
    else:
        has_key = f"EXISTS (SELECT run FROM {table} WHERE run = r.rid AND key_id = ?"
        lacks_key = f"NOT EXISTS (SELECT run FROM {table} WHERE run = r.rid AND key_id = ?"
    if node.op == "IS NULL":
        return lacks_key + ")"
    if node.op == "IS NOT NULL":
        return has_key + ")"
    column = "num_value" if node.kind == "param" and node.numeric else "value"
    condition = _condition(column, node, params)
    if node.kind == "metric" and node.op in ("!=", "NOT IN"):
        # NaN is stored as NULL; IEEE says NaN differs from every number.
        condition = f"({condition} OR value IS NULL)"
    return f"{has_key} AND {condition})"
