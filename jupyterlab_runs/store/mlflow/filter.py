"""Our filter language over MLflow: filter.py's tree, split into what MLflow's search can
evaluate (pushed down to the server) and the rest (evaluated here on what comes back).

Both back ends read the same nodes (``filter.Comparison``, ``Junction``, ``Negation``).
``matches`` gives every comparison the meaning the SQL has in the embedded store (NaN differs
from every number, a missing key fails every comparison but IS NULL, LIKE is case-sensitive
and ILIKE folds ASCII only), matching wildcards in linear time (``wildcards``).
``server_filters`` turns the tree into MLflow filters whose union selects a *superset* of
the answer: one filter per branch of an OR (MLflow has no OR), each the AND of the conditions
MLflow can spell; NOT, our own attributes and numeric param tests stay here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..base import Run
from ..filter import Comparison, Junction, Negation, Node
from ..values import numeric_param_value
from ..wildcards import like_match
from .mapping import hidden_tag

MAX_BRANCHES = 8


def attribute_value(run: Run, name: str) -> Any:
    """A run attribute as filters and sorts see it (``duration`` is end - start)."""
    if name == "duration":
        return run.duration_ms
    return getattr(run, name)


def _compare(value: Any, op: str, literals: tuple[Any, ...]) -> bool:
    if op in ("IN", "NOT IN"):
        return (value in literals) == (op == "IN")
    if op.endswith("LIKE"):
        return like_match(value, literals[0], op.endswith("ILIKE")) != op.startswith("NOT")
    other = literals[0]
    return {
        "=": value == other,
        "!=": value != other,
        "<": value < other,
        "<=": value <= other,
        ">": value > other,
        ">=": value >= other,
    }[op]


def _holds(node: Comparison, run: Run) -> bool:
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
    return _compare(value, node.op, node.literals)


def matches(node: Node | None, run: Run) -> bool:
    """Whether ``run`` satisfies the filter tree (None matches every run)."""
    if node is None:
        return True
    if isinstance(node, Junction):
        test = all if node.op == "AND" else any
        return test(matches(child, run) for child in node.children)
    if isinstance(node, Negation):
        return not matches(node.child, run)
    return _holds(node, run)


# -- the part MLflow evaluates ---------------------------------------------------------------

_NUMERIC_OPS = ("=", "<", "<=", ">", ">=")
_TEXT_OPS = ("=", "!=", "LIKE", "ILIKE")
_ENDED = ("FINISHED", "FAILED", "KILLED")


def identifier(key: str) -> str | None:
    """A key quoted for MLflow's search syntax, or None if no quote can hold it."""
    for quote in ("`", '"'):
        if quote not in key:
            return f"{quote}{key}{quote}"
    return None


def _text(value: str) -> str | None:
    # MLflow strips the quotes of a literal but does not unescape it: skip what needs escaping.
    return None if "'" in value or "\\" in value else f"'{value}'"


def _number(value: float) -> str | None:
    return repr(value) if math.isfinite(value) else None


def translate(node: Node) -> str | None:
    """MLflow's spelling of a comparison it evaluates at least as loosely as we do, or None."""
    if not isinstance(node, Comparison) or len(node.literals) != 1 and node.op != "IN":
        return None
    value = node.literals[0] if node.literals else None
    if node.kind == "metric" and node.op in _NUMERIC_OPS:
        key, literal = identifier(node.key), _number(float(value))
        return key and literal and f"metrics.{key} {node.op} {literal}"
    if node.kind in ("param", "tag") and not node.numeric and node.op in _TEXT_OPS:
        if node.kind == "tag" and hidden_tag(node.key):
            return None  # not among our runs' tags, so never matched here
        key, literal = identifier(node.key), _text(value)
        entity = "params" if node.kind == "param" else "tags"
        return key and literal and f"{entity}.{key} {node.op} {literal}"
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
        literals = [_text(v) for v in node.literals]
        if all(literals) and node.literals:
            return f"attributes.run_id IN ({', '.join(literals)})"  # type: ignore[arg-type]
    return None


@dataclass(frozen=True)
class Pushdown:
    """MLflow filters whose union holds every match (``[""]``: every run), and whether
    they say all the tree says (then nearly every run MLflow returns matches)."""

    filters: tuple[str, ...]
    complete: bool


def _branches(node: Node) -> tuple[list[tuple[str, ...]] | None, bool]:
    """The AND-lists of MLflow conditions whose union covers ``node`` (None: no narrowing)."""
    if isinstance(node, Comparison):
        condition = translate(node)
        return ([(condition,)] if condition else None), condition is not None
    if isinstance(node, Negation):
        return None, False
    parts = [_branches(child) for child in node.children]
    complete = all(done for _, done in parts)
    if node.op == "OR":
        branches: list[tuple[str, ...]] = []
        for found, _ in parts:
            if found is None:
                return None, False
            branches += found
        return (branches, complete) if len(branches) <= MAX_BRANCHES else (None, False)
    product: list[tuple[str, ...]] = [()]
    for found, _ in parts:
        wider = [mine + theirs for mine in product for theirs in found or [()]]
        if len(wider) > MAX_BRANCHES:
            complete = False  # leaving this part out only widens the selection
            continue
        product = wider
    return (None if product == [()] else product), complete


def server_filters(node: Node | None) -> Pushdown:
    """What of the tree MLflow evaluates: one filter in its syntax per OR branch."""
    if node is None:
        return Pushdown(("",), True)
    branches, complete = _branches(node)
    if branches is None:
        return Pushdown(("",), False)
    filters = (" and ".join(dict.fromkeys(branch)) for branch in branches)
    return Pushdown(tuple(dict.fromkeys(filters)), complete)


def server_filter(node: Node | None) -> str:
    """The top-level AND conditions of the tree that MLflow can evaluate, in its syntax."""
    if node is None:
        return ""
    conditions = node.children if isinstance(node, Junction) and node.op == "AND" else (node,)
    return " and ".join(part for part in map(translate, conditions) if part)
