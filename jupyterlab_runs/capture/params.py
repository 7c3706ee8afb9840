"""A cell's params (literal assignments, literal keyword arguments) and assigned names.

Read with CPython's own parser; `tests/vectors/params.json` and its README state the rules.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["ScannedParam", "scan_assigned_names", "scan_params"]

#: Cell magics whose body is Python run in the kernel's namespace.
PYTHON_CELL_MAGICS = frozenset({"capture", "debug", "prun", "time", "timeit", "track"})


@dataclass(frozen=True)
class ScannedParam:
    """A param read from a cell's source."""

    key: str
    value: str
    type: str
    source: str


def scan_params(source: str) -> list[ScannedParam]:
    """Params of a cell in source order; a key's last assignment wins, kwargs fill gaps."""
    return list(_scan(source)[0])


def scan_assigned_names(source: str) -> list[str]:
    """Names a cell binds at module level from non-literal values (metric candidates)."""
    return list(_scan(source)[1])


# --- Cell text: IPython's cleanup, logical lines and top-level chunks ------------------

_BLANK = " \t\f\v"
_MAGIC_ASSIGN = re.compile(r"(\w+)[ \t]*=[ \t]*[%!]")
# A cheap test whether any logical line could be a magic (most cells have none).
_MAYBE_MAGIC = re.compile(r"^[ \t\f]*[%!]|=[ \t]*[%!]", re.MULTILINE)
_LINE_SPECIALS = re.compile(r"[\n#\\\"'()\[\]{}]")
_STRING_STOPS = {q: re.compile(rf"[\\\n{q}]") for q in "'\""}
_CONTINUATIONS = frozenset({"elif", "else", "except", "finally"})
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


class _Line(NamedTuple):
    start: int
    indent: int
    magic: bool


def _prepare(source: str) -> str | None:
    """The Python IPython runs for a cell, or None for a non-Python cell magic."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip(_BLANK)), None)
    if first is None:
        return ""
    lines = lines[first:]
    indent = re.match(r"[ \t]+", lines[0])
    if indent:
        prefix = indent.group()
        lines = [line[len(prefix) :] if line.startswith(prefix) else line for line in lines]
    magic = re.match(r"%%([^ \t\f\v]*)", lines[0])
    if magic:
        return _prepare("\n".join(lines[1:])) if magic.group(1) in PYTHON_CELL_MAGICS else None
    return "\n".join(lines)


def _logical_lines(text: str) -> list[_Line]:
    """Logical lines (brackets and backslashes join physical lines), as the tokenizer cuts them."""
    lines: list[_Line] = []
    pos, end = 0, len(text)
    while pos < end:
        indent = 0
        while pos < end and text[pos] in " \t\f":
            char = text[pos]
            indent = 0 if char == "\f" else (indent // 8 + 1) * 8 if char == "\t" else indent + 1
            pos += 1
        if pos >= end:
            break
        if text[pos] in "\n#":
            pos = _line_end(text, pos) + 1
            continue
        assign = _MAGIC_ASSIGN.match(text, pos)
        magic = text[pos] in "%!" or bool(assign and assign.group(1).isidentifier())
        lines.append(_Line(pos, indent, magic))
        pos = (_line_end(text, pos) if magic else _logical_end(text, pos)) + 1
    return lines


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _logical_end(text: str, pos: int) -> int:
    depth = 0
    while match := _LINE_SPECIALS.search(text, pos):
        i = match.start()
        char = text[i]
        if char == "\n" and depth == 0:
            return i
        if char == "#":
            pos = _line_end(text, i)
            continue
        if char in "'\"":
            pos = _string_end(text, i)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        pos = i + (2 if text.startswith("\\\n", i) else 1)
    return len(text)


def _string_end(text: str, pos: int) -> int:
    quote = text[pos]
    triple = text.startswith(quote * 3, pos)
    pos += 3 if triple else 1
    while match := _STRING_STOPS[quote].search(text, pos):
        i = match.start()
        if text[i] == "\\":
            pos = i + 2
        elif text[i] == "\n":
            if not triple:
                return i
            pos = i + 1
        elif not triple or text.startswith(quote * 3, i):
            return i + (3 if triple else 1)
        else:
            pos = i + 1
    return len(text)


def _parse(text: str) -> list[ast.Module]:
    """Parsed chunks of the cell: the whole cell, or each top-level chunk that parses."""
    lines = _logical_lines(text) if _MAYBE_MAGIC.search(text) else []
    if any(line.magic for line in lines):
        text = _replace_magics(text, lines)
    try:
        return [_ast_parse(text)]
    except _PARSE_ERRORS:
        lines = _logical_lines(text)
    trees = []
    for start, end in _chunk_spans(text, lines):
        try:
            trees.append(_ast_parse(text[start:end]))
        except _PARSE_ERRORS:
            continue
    return trees


def _replace_magics(text: str, lines: list[_Line]) -> str:
    """Read IPython magic and shell lines as `pass`."""
    pieces, pos = [], 0
    for line in lines:
        if line.magic:
            pieces += [text[pos : line.start], "pass"]
            pos = _line_end(text, line.start)
    return "".join(pieces) + text[pos:]


def _chunk_spans(text: str, lines: list[_Line]) -> Iterator[tuple[int, int]]:
    """A chunk starts at each unindented line but `else`-like ones and decorated ones."""
    starts: list[int] = []
    after_decorator = False
    for line in lines:
        word = re.match(r"\w+", text[line.start : line.start + 10])
        continues = bool(starts) and (
            line.indent > 0 or after_decorator or bool(word and word.group() in _CONTINUATIONS)
        )
        if not continues:
            starts.append(text.rfind("\n", 0, line.start) + 1)
        if line.indent == 0:
            after_decorator = text.startswith("@", line.start)
    ends = [*starts[1:], len(text)] if starts else []
    return zip(starts, ends, strict=True)


def _ast_parse(source: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes must not print into the cell
        return ast.parse(source)


# --- Literal values and their text ---------------------------------------------------

# A literal: a scalar, or ("list" | "tuple" | "set", [items]) / ("dict", [(key, value)]).
_Value = None | bool | int | float | str | tuple


def _value(node: ast.AST) -> _Value | ast.AST:
    """The literal value of an expression, or the node itself when it is not a literal."""
    if isinstance(node, ast.Constant):
        return _constant(node)
    if isinstance(node, ast.UnaryOp):
        return _signed_number(node)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_value(item) for item in node.elts]
        if any(isinstance(item, ast.AST) for item in items):
            return node
        return (type(node).__name__.lower(), items)
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            return node
        keys = [_value(key) for key in node.keys]
        values = [_value(value) for value in node.values]
        if any(isinstance(item, ast.AST) for item in keys + values):
            return node
        return ("dict", list(zip(keys, values, strict=True)))
    return node


def _signed_number(node: ast.UnaryOp) -> _Value | ast.AST:
    """`-x`, `+x`, `--x` … of a number (iteratively: chains can be very long)."""
    negative, operand = False, node
    while isinstance(operand, ast.UnaryOp):
        if not isinstance(operand.op, (ast.UAdd, ast.USub)):
            return node
        negative ^= isinstance(operand.op, ast.USub)
        operand = operand.operand
    value = _constant(operand) if isinstance(operand, ast.Constant) else node
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return -value if negative else value
    return node


def _constant(node: ast.Constant) -> _Value | ast.AST:
    value = node.value
    if isinstance(value, (str, bytes)):
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            str(value)
        except ValueError:  # longer than sys.get_int_max_str_digits()
            return node
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return node  # complex, Ellipsis


def _flatten(key: str, value: _Value, source: str) -> tuple[ScannedParam, ...]:
    """Params for one value: a dict with only string keys becomes dotted keys."""
    params: dict[str, ScannedParam] = {}

    def visit(name: str, item: _Value) -> None:
        if (
            isinstance(item, tuple)
            and item[0] == "dict"
            and item[1]
            and all(isinstance(entry_key, str) for entry_key, _ in item[1])
        ):
            for entry_key, entry in _entries(item[1]):
                visit(f"{name}.{entry_key}", entry)
        else:
            params[name] = ScannedParam(name, *_text(item), source)

    visit(key, value)
    return tuple(params.values())


def _text(value: _Value) -> tuple[str, str]:
    """The text and type a param stores for a value."""
    if value is None:
        return "None", "none"
    if isinstance(value, bool):
        return str(value), "bool"
    if isinstance(value, int):
        return str(value), "int"
    if isinstance(value, float):
        return repr(value), "float"
    if isinstance(value, str):
        return value, "str"
    return _json(value), "json"


def _json(value: _Value) -> str:
    """Canonical JSON, as `json.dumps(…, ensure_ascii=False)` writes it; sets sorted."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    kind, items = value
    if kind == "dict":
        pairs = (
            f"{json.dumps(key, ensure_ascii=False)}: {_json(item)}" for key, item in _entries(items)
        )
        return "{" + ", ".join(pairs) + "}"
    texts = _sorted_set(items) if kind == "set" else [_json(item) for item in items]
    return "[" + ", ".join(texts) + "]"


def _entries(pairs: list) -> list[tuple[str, _Value]]:
    """Dict entries keyed by text (non-string keys as JSON); a repeated key keeps its place."""
    entries: dict[str, _Value] = {}
    for key, item in pairs:
        entries[key if isinstance(key, str) else _json(key)] = item
    return list(entries.items())


def _sorted_set(items: list) -> list[str]:
    """None < bools < numbers < strings < containers; duplicates (same JSON) dropped."""
    unique: dict[str, _Value] = {}
    for item in items:
        unique.setdefault(_json(item), item)

    def order(entry: tuple[str, _Value]) -> tuple:
        text, item = entry
        if item is None:
            return (0, 0, text)
        if isinstance(item, bool):
            return (1, int(item), text)
        if isinstance(item, (int, float)):
            return (2, item, text)
        if isinstance(item, str):
            return (3, item, text)
        return (5 if item[0] == "dict" else 4, text, text)

    return [text for text, _ in sorted(unique.items(), key=order)]


# --- Bindings and keyword arguments -------------------------------------------------

_Bindings = dict[str, tuple[ScannedParam, ...] | None]
_FLOW = tuple(
    getattr(ast, name)
    for name in ("If", "For", "AsyncFor", "While", "With", "AsyncWith", "Try", "TryStar", "Match")
    if hasattr(ast, name)
)


@functools.lru_cache(maxsize=32)
def _scan(source: str) -> tuple[tuple[ScannedParam, ...], tuple[str, ...]]:
    text = _prepare(source)
    if text is None:
        return (), ()
    # A name's params (its last binding was a literal) or None (a non-literal one).
    bindings: _Bindings = {}
    kwargs: dict[str, tuple[ScannedParam, ...]] = {}
    for tree in _parse(text):
        _bind_body(tree.body, True, bindings)
        for keyword in _keywords(tree):
            value = _value(keyword.value)
            if not isinstance(value, ast.AST):
                kwargs[keyword.arg] = _flatten(keyword.arg, value, "kwarg")
    params = {param.key: param for group in bindings.values() for param in group or ()}
    assigned = set(params)
    for group in kwargs.values():
        params.update((param.key, param) for param in group if param.key not in assigned)
    names = tuple(name for name, group in bindings.items() if group is None)
    return tuple(params.values()), names


def _bind_body(body: list[ast.stmt], top: bool, bindings: _Bindings) -> None:
    """Bind a block's statements; def and class bodies are another scope, skipped."""
    for statement in body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                _bind(target, statement.value, top, bindings)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            _bind(statement.target, statement.value, top, bindings)
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            bindings[statement.target.id] = None
        elif isinstance(statement, _FLOW):
            blocks = [getattr(statement, "body", [])]
            blocks += [handler.body for handler in getattr(statement, "handlers", [])]
            blocks += [case.body for case in getattr(statement, "cases", [])]
            blocks += [getattr(statement, "orelse", []), getattr(statement, "finalbody", [])]
            for block in blocks:
                _bind_body(block, False, bindings)


def _bind(target: ast.AST, value: ast.AST, top: bool, bindings: _Bindings) -> None:
    if isinstance(target, ast.Name):
        literal = _value(value)
        if isinstance(literal, ast.AST):
            bindings[target.id] = None
        elif top:
            bindings[target.id] = _flatten(target.id, literal, "assign")
        return
    if not isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
        return
    if (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, (ast.Tuple, ast.List))
        and len(value.elts) == len(target.elts)
        and not any(isinstance(item, ast.Starred) for item in value.elts + target.elts)
    ):
        for item, item_value in zip(target.elts, value.elts, strict=True):
            _bind(item, item_value, top, bindings)
    elif isinstance(_value(value), ast.AST):
        for name in _target_names(target):
            bindings[name] = None


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for item in target.elts for name in _target_names(item)]
    return []


def _keywords(tree: ast.AST) -> list[ast.keyword]:
    """Named keyword arguments of every call, in source order; f-strings are opaque."""
    found: list[ast.keyword] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr):
            continue
        # print's keywords (sep, end, file, flush) format output; they are not params.
        if isinstance(node, ast.Call) and not _is_print(node.func):
            found += [keyword for keyword in node.keywords if keyword.arg is not None]
        for field in node._fields:
            child = getattr(node, field, None)
            if isinstance(child, list):
                stack += [item for item in child if isinstance(item, ast.AST)]
            elif isinstance(child, ast.AST):
                stack.append(child)
    return sorted(found, key=lambda keyword: (keyword.lineno, keyword.col_offset))


def _is_print(func: ast.expr) -> bool:
    return isinstance(func, ast.Name) and func.id == "print"
