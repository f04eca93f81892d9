"""Condition expressions of Interactly edges (spec §6.3), parsed and evaluated for real.

Grammar (case-insensitive keywords)::

    expr     := or
    or       := and ("OR" and)*
    and      := not ("AND" not)*
    not      := "NOT" not | compare
    compare  := unary (("=="|"!="|"<"|"<="|">"|">=") unary)?
    unary    := FUNC "(" expr ")" | "(" expr ")" | VAR | STRING | NUMBER | BOOL | NULL
    VAR      := "[[" path ("|" filter)* "]]"        e.g. [[user.name | upcase]]
    FUNC     := isPresent | isAbsent | isEmpty | isNonEmpty

Nothing is ever passed to ``eval``: the parser builds a small tree and the evaluator walks it,
so an expression can only read variables. Errors raise :class:`ExpressionError` with a message
the engine turns into a ``workflow_error`` event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class ExpressionError(ValueError):
    pass


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<var>\[\[(?P<body>.*?)\]\])
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|<|>|\(|\))
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""", re.VERBOSE | re.DOTALL)

FUNCTIONS = {"ispresent", "isabsent", "isempty", "isnonempty"}
FILTERS: dict[str, Callable[[Any], Any]] = {
    "upcase": lambda v: str(v).upper(),
    "downcase": lambda v: str(v).lower(),
    "capitalize": lambda v: str(v).capitalize(),
    "strip": lambda v: str(v).strip(),
    "size": lambda v: len(v) if isinstance(v, str | list | dict) else 0,  # Liquid: no length
    "to_number": lambda v: _number(v),
    "string": lambda v: "" if v is None else str(v),
}
MAX_LENGTH = 4000
# Parentheses, function calls and NOTs nest at most this deep. The parser and the evaluator
# recurse once per level, so without a bound a 4000-character expression such as "((((...))))"
# overflows the interpreter's stack (RecursionError) instead of failing as a bad expression.
MAX_DEPTH = 50
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}


@dataclass(frozen=True)
class Token:
    kind: str
    value: Any
    pos: int


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError("expression is too long")
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(f"unexpected character at {pos}: {text[pos:pos + 10]!r}")
        kind = match.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        start = match.start(kind)
        if kind == "body":
            kind = "var"
        raw = match.group(kind)
        if kind == "var":
            tokens.append(Token("var", match.group("body"), start))
        elif kind == "string":
            tokens.append(Token("literal", _unescape(raw[1:-1], start), start))
        elif kind == "number":
            tokens.append(Token("literal", float(raw) if "." in raw else int(raw), start))
        elif kind == "op":
            tokens.append(Token("op", raw, start))
        else:
            word = raw.lower()
            if word in ("and", "or", "not"):
                tokens.append(Token(word, word, start))
            elif word in ("true", "false"):
                tokens.append(Token("literal", word == "true", start))
            elif word in ("null", "none"):
                tokens.append(Token("literal", None, start))
            elif word in FUNCTIONS:
                tokens.append(Token("func", word, start))
            else:
                raise ExpressionError(f"unknown word {raw!r} at {start}")
        pos = match.end()
    return tokens


def _unescape(body: str, pos: int) -> str:
    """The text of a string literal: the escapes Python's ``repr`` writes (the engine quotes
    ``{{dynamic}}`` values with it) and ``\\"``; any other escape is an ExpressionError.
    Unescaped text is taken as written, so non-ASCII stays itself (``unicode_escape`` read
    'José' as UTF-8 bytes in Latin-1, and raised UnicodeDecodeError on a stray ``\\x``)."""
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) > 1:
            value = int(code[1:], 16)
            if value > 0x10FFFF:
                raise ExpressionError(f"bad escape \\{code} in the string at {pos}")
            return chr(value)
        if code not in _SIMPLE_ESCAPES:
            raise ExpressionError(f"bad escape \\{code} in the string at {pos}")
        return _SIMPLE_ESCAPES[code]

    return _ESCAPE.sub(one, body)


Node = tuple  # ("lit", v) | ("var", path, filters) | ("not", n) | ("and"|"or", a, b, ...) | ...


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            token = self.peek()
            where = f" at {token.pos}" if token is not None else ""
            raise ExpressionError(f"expression nests more than {MAX_DEPTH} levels deep{where}")

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str, value: Any = None) -> Token:
        token = self.peek()
        if token is None or token.kind != kind or (value is not None and token.value != value):
            where = "end of expression" if token is None else f"{token.value!r} at {token.pos}"
            raise ExpressionError(f"expected {value or kind}, found {where}")
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("empty expression")
        node = self.or_()
        token = self.peek()
        if token is not None:
            raise ExpressionError(f"unexpected {token.value!r} at {token.pos}")
        return node

    def or_(self) -> Node:
        # Flat ("or", a, b, c, ...): a long chain must not nest (the evaluator recurses).
        items = [self.and_()]
        while (t := self.peek()) is not None and t.kind == "or":
            self.i += 1
            items.append(self.and_())
        return items[0] if len(items) == 1 else ("or", *items)

    def and_(self) -> Node:
        items = [self.not_()]
        while (t := self.peek()) is not None and t.kind == "and":
            self.i += 1
            items.append(self.not_())
        return items[0] if len(items) == 1 else ("and", *items)

    def not_(self) -> Node:
        if (t := self.peek()) is not None and t.kind == "not":
            self.i += 1
            self.nest()
            node = ("not", self.not_())
            self.depth -= 1
            return node
        return self.compare()

    def compare(self) -> Node:
        left = self.unary()
        t = self.peek()
        if t is not None and t.kind == "op" and t.value in ("==", "!=", "<", "<=", ">", ">="):
            self.i += 1
            return ("cmp", t.value, left, self.unary())
        return left

    def unary(self) -> Node:
        t = self.peek()
        if t is None:
            raise ExpressionError("expression ends too early")
        if t.kind == "func":
            self.i += 1
            self.take("op", "(")
            self.nest()
            inner = self.or_()
            self.depth -= 1
            self.take("op", ")")
            return ("func", t.value, inner)
        if t.kind == "op" and t.value == "(":
            self.i += 1
            self.nest()
            inner = self.or_()
            self.depth -= 1
            self.take("op", ")")
            return inner
        if t.kind == "literal":
            self.i += 1
            return ("lit", t.value)
        if t.kind == "var":
            self.i += 1
            return _variable(t)
        raise ExpressionError(f"unexpected {t.value!r} at {t.pos}")


def _variable(token: Token) -> Node:
    path, *filters = [part.strip() for part in str(token.value).split("|")]
    if not path or not re.fullmatch(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*", path):
        raise ExpressionError(f"bad variable [[{token.value}]] at {token.pos}")
    for name in filters:
        if name.lower() not in FILTERS:
            raise ExpressionError(f"unknown filter {name!r} in [[{token.value}]]")
    return ("var", path, tuple(f.lower() for f in filters))


def parse(text: str) -> Node:
    return _Parser(tokenize(text)).parse()


MISSING = object()


def lookup(variables: Mapping[str, Any], path: str) -> Any:
    current: Any = variables
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return MISSING
    return current


def evaluate(node: Node, resolve: Callable[[str], Any]) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "var":
        value = resolve(node[1])
        for name in node[2]:
            value = FILTERS[name](None if value is MISSING else value)
        return value
    if kind == "not":
        return not _truthy(evaluate(node[1], resolve))
    if kind == "and":
        return all(_truthy(evaluate(item, resolve)) for item in node[1:])
    if kind == "or":
        return any(_truthy(evaluate(item, resolve)) for item in node[1:])
    if kind == "func":
        value = evaluate(node[2], resolve)
        empty = value is MISSING or value is None or value == "" or value == [] or value == {}
        return {"ispresent": value is not MISSING and value is not None,
                "isabsent": value is MISSING or value is None,
                "isempty": empty, "isnonempty": not empty}[node[1]]
    if kind == "cmp":
        return _compare(node[1], evaluate(node[2], resolve), evaluate(node[3], resolve))
    raise ExpressionError(f"cannot evaluate {kind}")


def _truthy(value: Any) -> bool:
    return value is not MISSING and bool(value)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float range
        return None


def _compare(op: str, left: Any, right: Any) -> bool:
    left = None if left is MISSING else left
    right = None if right is MISSING else right
    if op in ("==", "!="):
        ln, rn = _number(left), _number(right)
        same = ln == rn if ln is not None and rn is not None and not isinstance(
            left, bool) and not isinstance(right, bool) else left == right
        if not same and isinstance(left, str) and isinstance(right, str):
            same = left == right
        return same if op == "==" else not same
    ln, rn = _number(left), _number(right)
    if ln is not None and rn is not None:
        return _ordered(op, ln, rn)
    if isinstance(left, str) and isinstance(right, str):
        return _ordered(op, left, right)
    return False


def _ordered(op: str, a: Any, b: Any) -> bool:
    """``a op b`` for two numbers or two strings (never mixed: the caller checks)."""
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def check(text: str, variables: Mapping[str, Any]) -> bool:
    """Parse and evaluate ``text`` against runtime variables; raises ExpressionError."""
    return _truthy(evaluate(parse(text), lambda path: lookup(variables, path)))
