"""The filter language: MLflow's search syntax plus OR, NOT and parentheses.

``parse_filter`` turns ``metrics.acc > 0.9 and (params.model = 'rf' or not tags.x = 'y')`` into
a small tree of ``Comparison``, ``Junction`` and ``Negation`` nodes, checking names and types
and saying where and why when it cannot; ``filter_sql`` renders the tree as SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .base import FilterError
from .filter_lexer import Token, tokenize
from .values import clean_text

MAX_FILTER_LENGTH = 20_000
MAX_CONDITIONS = 256
MAX_DEPTH = 64
MAX_IN_VALUES = 1000

_OPERATORS = {
    "=": "=",
    "==": "=",
    "!=": "!=",
    "<>": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
_ENTITIES = {
    "metric": "metric",
    "metrics": "metric",
    "param": "param",
    "params": "param",
    "parameter": "param",
    "parameters": "param",
    "tag": "tag",
    "tags": "tag",
    "attribute": "attribute",
    "attributes": "attribute",
    "attr": "attribute",
    "run": "attribute",
}


@dataclass(frozen=True)
class Attribute:
    """A filterable, sortable run column: its SQL over ``runs r`` and its value kind."""

    sql: str
    numeric: bool
    nullable: bool


ATTRIBUTES: dict[str, Attribute] = {
    "id": Attribute("r.id", False, False),
    "experiment_id": Attribute("r.experiment_id", False, False),
    "version": Attribute("r.version", True, False),
    "name": Attribute("r.name", False, False),
    "status": Attribute("r.status", False, False),
    "source": Attribute("r.source", False, False),
    "start_time": Attribute("r.start_time", True, False),
    "end_time": Attribute("r.end_time", True, True),
    "duration": Attribute("(r.end_time - r.start_time)", True, True),
    "user": Attribute("r.user", False, True),
    "notebook_path": Attribute("r.notebook_path", False, True),
    "cell_id": Attribute("r.cell_id", False, True),
    "execution_count": Attribute("r.execution_count", True, True),
    "kernel_name": Attribute("r.kernel_name", False, True),
    "language": Attribute("r.language", False, True),
    "git_commit": Attribute("r.git_commit", False, True),
    "note": Attribute("r.note", False, False),
}
_ATTRIBUTE_ALIASES = {"run_name": "name", "run_id": "id", "duration_ms": "duration"}


@dataclass(frozen=True)
class Comparison:
    """One test of a run: ``kind`` attribute|metric|param|tag, ``op`` one of =, !=, <, <=,
    >, >=, IN, NOT IN, LIKE, NOT LIKE, ILIKE, NOT ILIKE, IS NULL, IS NOT NULL (the filter's own
    words; each back end gives them its meaning: SQL for SQLite, pushed down or matched for
    MLflow)."""

    kind: str
    key: str
    op: str
    literals: tuple[Any, ...]
    numeric: bool


@dataclass(frozen=True)
class Junction:
    """``op`` (AND or OR) over two or more children."""

    op: str
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Negation:
    """NOT ``child``."""

    child: Node


Node = Comparison | Junction | Negation


@dataclass(frozen=True)
class OrderKey:
    """What to sort by: ``kind`` is attribute|metric|param|tag, ``key`` its name."""

    kind: str
    key: str
    descending: bool


DEFAULT_ORDER = OrderKey("attribute", "version", True)


@dataclass(frozen=True)
class _Target:
    """The left side of a comparison: an attribute or a keyed value."""

    kind: str
    key: str
    label: str
    position: int


def like_to_glob(pattern: str) -> str:
    """A case-sensitive LIKE pattern (``%``, ``_``) as the equivalent SQLite GLOB pattern."""
    special = {"%": "*", "_": "?", "*": "[*]", "?": "[?]", "[": "[[]"}
    return "".join(special.get(char, char) for char in pattern)


class _Parser:
    """Recursive descent over the tokens, building the tree."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0
        self.conditions = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.token.kind == "keyword" and self.token.value in words

    def expect_end(self) -> None:
        if self.token.kind != "end":
            raise FilterError(f"unexpected {self.describe(self.token)}", self.token.position)

    @staticmethod
    def describe(token: Token) -> str:
        return "end of filter" if token.kind == "end" else repr(token.text)

    # -- boolean structure ----------------------------------------------------------------
    def expression(self, depth: int = 0) -> Node:
        parts = [self.conjunction(depth)]
        while self.at_keyword("OR"):
            self.advance()
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else Junction("OR", tuple(parts))

    def conjunction(self, depth: int) -> Node:
        parts = [self.negation(depth)]
        while self.at_keyword("AND"):
            self.advance()
            parts.append(self.negation(depth))
        return parts[0] if len(parts) == 1 else Junction("AND", tuple(parts))

    def negation(self, depth: int) -> Node:
        # Both NOT and parentheses nest here; a deep tree would overflow SQLite's parser stack.
        if depth > MAX_DEPTH:
            raise FilterError(
                f"too deeply nested (more than {MAX_DEPTH} levels of NOT or parentheses)",
                self.token.position,
            )
        if self.at_keyword("NOT"):
            self.advance()
            return Negation(self.negation(depth + 1))
        if self.token.kind == "punct" and self.token.text == "(":
            self.advance()
            inner = self.expression(depth + 1)
            if not (self.token.kind == "punct" and self.token.text == ")"):
                raise FilterError(
                    f"expected ')' but found {self.describe(self.token)}", self.token.position
                )
            self.advance()
            return inner
        return self.comparison()

    # -- comparisons ----------------------------------------------------------------------
    def target(self) -> _Target:
        token = self.advance()
        if token.kind in ("quoted", "dquoted"):
            return self.attribute(token.value, token.position)
        if token.kind != "ident":
            raise FilterError(
                f"expected a key such as metrics.accuracy but found {self.describe(token)}",
                token.position,
            )
        head, dot, rest = token.text.partition(".")
        if not dot and not (self.token.kind == "punct" and self.token.text == "."):
            return self.attribute(token.text, token.position)
        entity = _ENTITIES.get(head.lower())
        if entity is None:
            raise FilterError(
                f"unknown entity {head!r}; expected metrics., params., tags. or attributes.",
                token.position,
            )
        if not dot:
            self.advance()
            key_token = self.advance()
            if key_token.kind not in ("ident", "quoted", "dquoted", "keyword"):
                raise FilterError(f"expected a key after '{head}.'", key_token.position)
            rest = key_token.value if key_token.kind != "keyword" else key_token.text
        if entity == "attribute":
            return self.attribute(rest, token.position)
        return _Target(entity, rest, f"{head}.{rest}", token.position)

    def attribute(self, name: str, position: int) -> _Target:
        canonical = _ATTRIBUTE_ALIASES.get(name.lower(), name.lower())
        if canonical not in ATTRIBUTES:
            raise FilterError(f"unknown attribute {name!r}", position)
        return _Target("attribute", canonical, name, position)

    def comparison(self) -> Comparison:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise FilterError(f"too many conditions (limit {MAX_CONDITIONS})", self.token.position)
        target = self.target()
        token = self.token
        if token.kind == "op":
            self.advance()
            return self.emit(target, _OPERATORS[token.text], [self.value(token.text)])
        if self.at_keyword("IS"):
            self.advance()
            negated = self.at_keyword("NOT")
            if negated:
                self.advance()
            if not self.at_keyword("NULL"):
                raise FilterError(
                    f"expected NULL after IS but found {self.describe(self.token)}",
                    self.token.position,
                )
            self.advance()
            return self.emit(target, "IS NOT NULL" if negated else "IS NULL", [])
        negated = self.at_keyword("NOT")
        if negated:
            self.advance()
        if self.at_keyword("IN"):
            self.advance()
            return self.emit(target, "NOT IN" if negated else "IN", self.value_list())
        if self.at_keyword("LIKE", "ILIKE"):
            word = self.advance().value
            pattern = self.value(word)
            return self.emit(target, ("NOT " if negated else "") + word, [pattern])
        expected = "IN, LIKE or ILIKE after NOT" if negated else "a comparison operator"
        raise FilterError(
            f"expected {expected} after {target.label!r} but found {self.describe(self.token)}",
            self.token.position,
        )

    def value(self, after: str) -> Token:
        token = self.advance()
        if token.kind not in ("number", "string", "dquoted"):
            raise FilterError(f"expected a value after '{after}'", token.position)
        return token

    def value_list(self) -> list[Token]:
        if not (self.token.kind == "punct" and self.token.text == "("):
            raise FilterError("expected '(' after IN", self.token.position)
        self.advance()
        values = [self.value("(")]
        while self.token.kind == "punct" and self.token.text == ",":
            self.advance()
            values.append(self.value(","))
        if not (self.token.kind == "punct" and self.token.text == ")"):
            raise FilterError(
                f"expected ',' or ')' in the IN list but found {self.describe(self.token)}",
                self.token.position,
            )
        self.advance()
        if len(values) > MAX_IN_VALUES:
            raise FilterError(f"IN lists hold at most {MAX_IN_VALUES} values", values[0].position)
        return values

    def emit(self, target: _Target, op: str, values: list[Token]) -> Comparison:
        numeric = self.numeric_values(target, op, values)
        literals = tuple(v.value if numeric else str(v.value) for v in values)
        return Comparison(target.kind, target.key, op, literals, numeric)

    @staticmethod
    def numeric_values(target: _Target, op: str, values: list[Token]) -> bool:
        """Whether the literals compare as numbers; FilterError when they cannot apply."""
        if not values:
            return False
        kinds = {"number" if v.kind == "number" else "string" for v in values}
        if len(kinds) > 1:
            raise FilterError("IN lists must hold only numbers or only strings", values[0].position)
        numeric = kinds == {"number"}
        first = values[0]
        if op.endswith("LIKE") and numeric:
            raise FilterError(f"{op} needs a string pattern, got {first.text}", first.position)
        wants_numbers = target.kind == "metric" or (
            target.kind == "attribute" and ATTRIBUTES[target.key].numeric
        )
        if target.kind == "metric" and not numeric:
            raise FilterError(f"metrics compare with numbers, got {first.text}", first.position)
        if target.kind == "attribute" and wants_numbers != numeric:
            kind = "numbers" if wants_numbers else "strings"
            raise FilterError(
                f"attribute {target.label!r} compares with {kind}, got {first.text}",
                first.position,
            )
        if target.kind == "tag" and numeric:
            raise FilterError(f"tags compare with strings, got {first.text}", first.position)
        return numeric


def parse_filter(text: str | None) -> Node | None:
    """The tree of a filter expression; None for an empty filter (every run matches)."""
    if text is not None and not isinstance(text, str):
        raise FilterError(f"filter must be a string, got {type(text).__name__}")
    if text is None or not text.strip():
        return None
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"filter is longer than {MAX_FILTER_LENGTH} characters", 0)
    parser = _Parser(clean_text(text))
    tree = parser.expression()
    parser.expect_end()
    return tree


def parse_order_by(order_by: Sequence[str]) -> OrderKey:
    """The sort key of an MLflow-style ``order_by`` list (one clause; default version DESC)."""
    if isinstance(order_by, str):
        order_by = [order_by]
    if any(not isinstance(clause, str) for clause in order_by):
        raise FilterError("order_by must hold strings such as 'metrics.accuracy DESC'")
    clauses = [clause for clause in order_by if clause.strip()]
    if not clauses:
        return DEFAULT_ORDER
    if len(clauses) > 1:
        raise FilterError("order_by takes one clause, such as 'metrics.accuracy DESC'")
    parser = _Parser(clean_text(clauses[0]))
    target = parser.target()
    descending = False
    if parser.at_keyword("ASC", "DESC"):
        descending = parser.advance().value == "DESC"
    parser.expect_end()
    return OrderKey(target.kind, target.key, descending)
