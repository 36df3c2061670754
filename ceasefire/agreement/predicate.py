"""The predicate language: parse and type-check a clause's condition.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand]
    operand    := NUMBER | STRING | "true" | "false" | set | call | name | "(" expr ")"
    set        := "{" [literal ("," literal)*] "}"
    call       := NAME "(" NAME ")"
    name       := NAME ("." NAME)*

Example::

    event_type == "heavy_weapon_present" and weapon.calibre_mm >= 100
      and distance_km(contact_line) < 25 and after(withdrawal_end)

Every node keeps its character offset so errors point at the exact token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ceasefire.agreement.context import (
    BOOL,
    DATETIME,
    FUNCTIONS,
    NON_NEGATIVE,
    NUMBER,
    TEXT,
    VOCABULARY_OF_FIELD,
    Type,
    enum,
    set_of,
)
from ceasefire.errors import PredicateError as PredicateError  # re-exported
from ceasefire.errors import suggest

COMPARISONS = ("==", "!=", "<=", ">=", "<", ">", "in", "not in")
ORDERED = ("<", "<=", ">", ">=")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>"[^"\n]*"|'[^'\n]*')
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\{|\}|,|\.)
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<bad>.)
    """,
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "in", "true", "false"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


# ---------------------------------------------------------------- syntax tree


@dataclass
class Expr:
    """A node of the checked predicate; ``type`` is filled by the checker."""

    offset: int
    type: Type | None = field(default=None, init=False)


@dataclass
class Literal(Expr):
    value: float | str | bool


@dataclass
class SetLiteral(Expr):
    items: list[Literal]


@dataclass
class Name(Expr):
    path: str
    role: str = field(default="field", init=False)
    """'field', 'instant' or 'term' once resolved."""


@dataclass
class Call(Expr):
    function: str
    argument: str
    argument_offset: int


@dataclass
class Compare(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass
class BoolOp(Expr):
    op: str
    operands: list[Expr]


@dataclass
class Not(Expr):
    operand: Expr


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of a tree, parents first."""
    yield node
    children: list[Expr] = []
    if isinstance(node, Compare):
        children = [node.left, node.right]
    elif isinstance(node, BoolOp):
        children = list(node.operands)
    elif isinstance(node, Not):
        children = [node.operand]
    elif isinstance(node, SetLiteral):
        children = list(node.items)
    for child in children:
        yield from walk(child)


# ---------------------------------------------------------------- parser


def tokenize(text: str) -> list[Token]:
    """Split a predicate into tokens, rejecting characters the language lacks."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "bad"
        value = match.group()
        if kind == "space":
            continue
        if kind == "bad":
            raise PredicateError(
                f"unexpected character {value!r}",
                match.start(),
                value=value,
                expected="a name, number, quoted string, comparison, 'and', 'or' or 'not'",
                suggestion={"=": "==", "&": "and", "|": "or", "!": "not"}.get(value),
            )
        if kind == "name" and value in KEYWORDS:
            kind = value
        tokens.append(Token(kind, value, match.start()))
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.current
        self.index += 1
        return token

    def expect(self, text: str, what: str) -> Token:
        if self.current.text != text:
            raise self.unexpected(what)
        return self.take()

    def unexpected(self, expected: str) -> PredicateError:
        token = self.current
        shown = "end of predicate" if token.kind == "end" else repr(token.text)
        return PredicateError(
            f"unexpected {shown}", token.offset, value=token.text, expected=expected
        )

    def parse(self) -> Expr:
        node = self.or_expr()
        if self.current.kind != "end":
            raise self.unexpected("'and', 'or' or the end of the predicate")
        return node

    def or_expr(self) -> Expr:
        return self._chain("or", self.and_expr)

    def and_expr(self) -> Expr:
        return self._chain("and", self.not_expr)

    def _chain(self, keyword: str, operand: Any) -> Expr:
        first = operand()
        operands = [first]
        while self.current.kind == keyword:
            self.take()
            operands.append(operand())
        return (
            operands[0]
            if len(operands) == 1
            else BoolOp(first.offset, keyword, operands)
        )

    def not_expr(self) -> Expr:
        if self.current.kind == "not":
            token = self.take()
            return Not(token.offset, self.not_expr())
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.operand()
        token = self.current
        op = token.text if token.text in COMPARISONS else None
        if token.kind == "not" and self.tokens[self.index + 1].kind == "in":
            self.take()
            op = "not in"
        if op is None:
            return left
        self.take()
        return Compare(token.offset, op, left, self.operand())

    def operand(self) -> Expr:
        token = self.current
        if token.kind == "number":
            self.take()
            return Literal(token.offset, float(token.text))
        if token.kind == "string":
            self.take()
            return Literal(token.offset, token.text[1:-1])
        if token.kind in ("true", "false"):
            self.take()
            return Literal(token.offset, token.kind == "true")
        if token.text == "(":
            self.take()
            inner = self.or_expr()
            self.expect(")", "')' to close an earlier '('")
            return inner
        if token.text == "{":
            return self.set_literal()
        if token.kind == "name":
            return self.name_or_call()
        raise self.unexpected("a value: a name, number, quoted string, set or '('")

    def set_literal(self) -> Expr:
        opening = self.take()
        items: list[Literal] = []
        while self.current.text != "}":
            value = self.operand()
            if not isinstance(value, Literal):
                raise PredicateError(
                    "a set may hold only literal values",
                    value.offset,
                    expected='quoted strings or numbers, e.g. {"mlrs", "artillery"}',
                )
            items.append(value)
            if self.current.text == ",":
                self.take()
            elif self.current.text != "}":
                raise self.unexpected("',' or '}'")
        self.take()
        return SetLiteral(opening.offset, items)

    def name_or_call(self) -> Expr:
        first = self.take()
        if self.current.text == "(":
            self.take()
            argument = self.current
            if argument.kind != "name":
                raise self.unexpected("the id of a geometry or a named instant")
            self.take()
            self.expect(")", "')' after the function's one argument")
            return Call(first.offset, first.text, argument.text, argument.offset)
        parts = [first.text]
        while self.current.text == ".":
            self.take()
            part = self.current
            if part.kind not in ("name", "in", "not", "and", "or"):
                raise self.unexpected("a field name after '.'")
            parts.append(self.take().text)
        return Name(first.offset, ".".join(parts))


def parse(text: str) -> Expr:
    """Parse a predicate into an unchecked syntax tree."""
    if not text.strip():
        raise PredicateError("empty predicate", 0, expected="a condition")
    return _Parser(text).parse()


# ---------------------------------------------------------------- type checker


@dataclass(frozen=True)
class Scope:
    """What the names in a predicate can refer to, in one agreement."""

    fields: dict[str, Type]
    instants: frozenset[str]
    terms: dict[str, tuple[str, tuple[str, ...]]]
    """Term → (vocabulary it applies to, included values)."""
    geometries: dict[str, str]
    """Geometry id → kind (line, zone, corridor, site)."""
    parties: tuple[str, ...]


@dataclass
class Predicate:
    """A checked predicate and everything it refers to."""

    text: str
    tree: Expr
    fields: set[str] = field(default_factory=set)
    geometries: set[str] = field(default_factory=set)
    instants: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)


class _Checker:
    def __init__(self, scope: Scope, predicate: Predicate) -> None:
        self.scope = scope
        self.predicate = predicate

    def check(self, node: Expr) -> Type:
        node.type = self._type_of(node)
        return node.type

    def _type_of(self, node: Expr) -> Type:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return BOOL
            return NUMBER if isinstance(node.value, float) else TEXT
        if isinstance(node, SetLiteral):
            kinds = [self.check(item) for item in node.items]
            for item, kind in zip(node.items, kinds, strict=True):
                if kind != kinds[0]:
                    raise PredicateError(
                        f"a set mixes a {kinds[0]} with the {kind} {_shown(item.value)}",
                        item.offset,
                        value=item.value,
                        expected=f"only {kinds[0]} values, like the set's first member",
                    )
            return set_of(kinds[0] if kinds else TEXT)
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Not):
            self._boolean(node.operand, "'not'")
            return BOOL
        if isinstance(node, BoolOp):
            for operand in node.operands:
                self._boolean(operand, f"'{node.op}'")
            return BOOL
        assert isinstance(node, Compare)
        return self._compare(node)

    def _boolean(self, node: Expr, where: str) -> None:
        found = self.check(node)
        if found != BOOL:
            raise PredicateError(
                f"{where} needs a condition, but this is a {found}",
                node.offset,
                expected="a comparison or a true/false function such as inside(zone)",
            )

    def _name(self, node: Name) -> Type:
        scope = self.scope
        if node.path in scope.fields:
            self.predicate.fields.add(node.path)
            return scope.fields[node.path]
        if node.path in scope.instants:
            node.role = "instant"
            self.predicate.instants.add(node.path)
            return DATETIME
        if node.path in scope.terms:
            node.role = "term"
            self.predicate.terms.add(node.path)
            return set_of(TEXT)
        known = [*scope.fields, *scope.instants, *scope.terms]
        hint = suggest(node.path, known)
        if hint is None and node.path in scope.geometries:
            hint = f"distance_km({node.path})"
        raise PredicateError(
            f"unknown name {node.path!r}",
            node.offset,
            value=node.path,
            expected="an incident field, a named instant of the timeline or a defined term",
            suggestion=hint,
        )

    def _call(self, node: Call) -> Type:
        function = FUNCTIONS.get(node.function)
        if function is None:
            raise PredicateError(
                f"unknown function {node.function!r}",
                node.offset,
                value=node.function,
                expected="one of " + ", ".join(FUNCTIONS),
                suggestion=suggest(node.function, FUNCTIONS),
            )
        if function.argument == "instant":
            self._instant_argument(node)
        else:
            self._geometry_argument(node, function.argument)
        return {
            "number": NUMBER,
            "boolean": BOOL,
            "datetime": DATETIME,
            "party": enum("party", self.scope.parties),
        }[function.returns]

    def _instant_argument(self, node: Call) -> None:
        if node.argument not in self.scope.instants:
            raise PredicateError(
                f"{node.function}() needs a named instant of the timeline,"
                f" not {node.argument!r}",
                node.argument_offset,
                value=node.argument,
                expected="one of "
                + ", ".join(sorted(self.scope.instants) or ["(none)"]),
                suggestion=suggest(node.argument, self.scope.instants),
            )
        self.predicate.instants.add(node.argument)

    def _geometry_argument(self, node: Call, wanted: str) -> None:
        kind = self.scope.geometries.get(node.argument)
        allowed = {
            "line": {"line"},
            "area": {"zone", "corridor", "site"},
            "geometry": {"line", "zone", "corridor", "site"},
        }[wanted]
        if kind is None or kind not in allowed:
            candidates = [g for g, k in self.scope.geometries.items() if k in allowed]
            what = f"a {kind}" if kind else "not a geometry of this agreement"
            needs = "geometry" if wanted == "geometry" else " or ".join(sorted(allowed))
            raise PredicateError(
                f"{node.function}() needs a {needs}; {node.argument!r} is {what}",
                node.argument_offset,
                value=node.argument,
                expected="one of " + ", ".join(sorted(candidates) or ["(none)"]),
                suggestion=suggest(node.argument, candidates),
            )
        self.predicate.geometries.add(node.argument)

    def _compare(self, node: Compare) -> Type:
        left = self.check(node.left)
        right = self.check(node.right)
        if node.op in ("in", "not in"):
            self._membership(node, left, right)
        elif node.op in ORDERED:
            if left != right or left not in (NUMBER, DATETIME):
                raise PredicateError(
                    f"cannot order a {left} against a {right} with {node.op!r}",
                    node.offset,
                    expected="two numbers or two instants",
                )
            self._non_negative(node)
        else:
            self._equality(node, left, right)
        return BOOL

    def _equality(self, node: Compare, left: Type, right: Type) -> None:
        if left.is_enum and isinstance(node.right, Literal):
            self._member(left, node.right)
        elif right.is_enum and isinstance(node.left, Literal):
            self._member(right, node.left)
        elif _base(left) != _base(right) or (
            left.is_enum and right.is_enum and left != right
        ):
            raise PredicateError(
                f"cannot compare a {left} with a {right}",
                node.offset,
                expected=f"a {left} on both sides",
            )
        self._non_negative(node)

    def _membership(self, node: Compare, left: Type, right: Type) -> None:
        if right.element is None:
            raise PredicateError(
                f"'{node.op}' needs a set or a defined term on its right, not a {right}",
                node.right.offset,
                expected='a set like {"mlrs", "artillery"} or a term',
            )
        if isinstance(node.right, SetLiteral) and left.is_enum:
            for item in node.right.items:
                self._member(left, item)
        elif isinstance(node.right, Name) and node.right.role == "term":
            self._term_fits(node, left)
        elif _base(left) != right.element.name:
            raise PredicateError(
                f"a {left} cannot be a member of a {right}",
                node.right.offset,
                expected=f"a set of {_base(left)} values",
            )

    def _term_fits(self, node: Compare, left: Type) -> None:
        assert isinstance(node.right, Name)
        vocabulary, values = self.scope.terms[node.right.path]
        field_name = node.left.path if isinstance(node.left, Name) else ""
        wanted = VOCABULARY_OF_FIELD.get(field_name)
        if wanted is None or vocabulary != wanted:
            raise PredicateError(
                f"term {node.right.path!r} lists {vocabulary} categories,"
                f" which {field_name or 'this value'} cannot be",
                node.right.offset,
                expected=f"a term whose applies_to is {wanted or 'matching'}",
            )
        bad = [v for v in values if v not in left.values]
        if bad:
            raise PredicateError(
                f"term {node.right.path!r} includes {bad[0]!r}, not a known {left}",
                node.right.offset,
                value=bad[0],
                expected="one of " + ", ".join(left.values),
                suggestion=suggest(bad[0], left.values),
            )

    def _member(self, kind: Type, literal: Literal) -> None:
        if literal.value not in kind.values:
            raise PredicateError(
                f"{_shown(literal.value)} is not a known {kind}",
                literal.offset,
                value=literal.value,
                expected="one of " + ", ".join(kind.values),
                suggestion=suggest(str(literal.value), kind.values),
            )

    def _non_negative(self, node: Compare) -> None:
        for quantity, other in ((node.left, node.right), (node.right, node.left)):
            name = _quantity_name(quantity)
            if (
                name in NON_NEGATIVE
                and isinstance(other, Literal)
                and isinstance(other.value, float)
                and other.value < 0
            ):
                raise PredicateError(
                    f"negative value {other.value:g} for {name}, which is never negative",
                    other.offset,
                    value=other.value,
                    expected="a number ≥ 0",
                )


def _shown(value: float | str | bool) -> str:
    """A literal as the author wrote it: 5 rather than 5.0, strings quoted."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _base(kind: Type) -> str:
    """Enums compare as text; everything else by its own name."""
    return "text" if kind.is_enum or kind == TEXT else kind.name


def _quantity_name(node: Expr) -> str | None:
    if isinstance(node, Name):
        return node.path
    if isinstance(node, Call):
        return node.function
    return None


def check(text: str, scope: Scope) -> Predicate:
    """Parse and type-check ``text``; raise PredicateError at the first problem."""
    tree = parse(text)
    predicate = Predicate(text=text, tree=tree)
    checker = _Checker(scope, predicate)
    found = checker.check(tree)
    if found != BOOL:
        raise PredicateError(
            f"a predicate must be a condition, but this is a {found}",
            0,
            expected="a comparison, e.g. weapon.calibre_mm >= 100",
        )
    return predicate
