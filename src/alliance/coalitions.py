"""Coalition expressions: set algebra over groups and countries, evaluated at a date.

Grammar (the precedence of Python's set operators, so `A | B - C` means `A | (B - C)`)::

    union        := intersection ("|" intersection)*
    intersection := difference ("&" difference)*
    difference   := operand ("-" operand)*
    operand      := "(" union ")" | NAME | QUOTED
    NAME         := one or more words of letters, digits, "_", "-", "." or "'"

An operand is, in this order: a preset (`EU-NATO`), a group (`NATO`, `JEF`), a country (ISO3,
ISO2 or name; several words may stand unquoted: `United Kingdom`). A hyphenated word that is none
of those is read as a difference (`NATO-USA` is `NATO - USA`).

Membership of a group at a date follows `alliance.memberships` (member iff joined <= on < left).
For a yearly series a coalition is evaluated on one day of each year, by default 1 July: NATO in
2014 has 28 members, and the EU of 2019 includes the United Kingdom. NATO's own aggregates count an
Ally from the year it joined; every accession so far (Montenegro 5 June 2017, North Macedonia
27 March 2020, Finland 4 April 2023, Sweden 7 March 2024) fell before 1 July, so the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from alliance.errors import (
    AllianceError,
    ExpressionError,
    InvalidArgumentError,
    InvalidDateError,
)


@dataclass(frozen=True)
class Preset:
    """A named coalition defined as an expression over groups."""

    name: str
    expression: str
    description: str


PRESETS: Final[tuple[Preset, ...]] = (
    Preset("NATO", "NATO", "North Atlantic Treaty Organization: all Allies."),
    Preset("EU", "EU", "European Union: all member states."),
    Preset("EU-NATO", "NATO & EU", "EU member states that are NATO Allies."),
    Preset("NATO-Europe", "NATO - USA - CAN", "European Allies: NATO without the US and Canada."),
    Preset(
        "NATO-Europe-and-Canada",
        "NATO - USA",
        "NATO without the United States, NATO's own aggregate 'NATO Europe and Canada'.",
    ),
    Preset(
        "ARCTIC-ALLIES",
        "ARCTIC_COUNCIL & NATO",
        "Arctic Council member states that are NATO Allies.",
    ),
    Preset("JEF", "JEF", "Joint Expeditionary Force (UK-led)."),
    Preset("NB8", "NB8", "Nordic-Baltic Eight."),
)

MEMBERSHIP_DAY: Final = (7, 1)
MEMBERSHIP_RULE: Final = "member on 1 July of the year"

_PRESETS_BY_KEY: Final = {p.name.upper(): p for p in PRESETS}
_WORD: Final = re.compile(r"[A-Za-z0-9_.'\u00C0-\u024F]+(?:-[A-Za-z0-9_.'\u00C0-\u024F]+)*")
_OPERATORS: Final = {"|": "union", "&": "intersection", "-": "difference"}


@dataclass(frozen=True)
class Coalition:
    """The members of a coalition expression on a date (sorted ISO3 codes)."""

    expression: str
    on: date
    members: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, iso3: object) -> bool:
        return iso3 in self.members


# --- syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """An operand as written, with its position in the expression."""

    text: str
    position: int


@dataclass(frozen=True)
class Operation:
    operator: str  # "|", "&" or "-"
    left: Node
    right: Node


Node = Name | Operation


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "(", ")", "word", "quoted", "end"
    text: str
    position: int


def _tokens(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(expression):
        char = expression[index]
        if char.isspace():
            index += 1
        elif char in "|&-()":
            kind = "op" if char in _OPERATORS else char
            tokens.append(_Token(kind, char, index))
            index += 1
        elif char in "\"'":
            end = expression.find(char, index + 1)
            if end < 0:
                raise ExpressionError(expression, index, f"a closing {char} for this quote")
            text = expression[index + 1 : end].strip()
            if not text:
                raise ExpressionError(expression, index, "a name between the quotes")
            tokens.append(_Token("quoted", text, index))
            index = end + 1
        elif match := _WORD.match(expression, index):
            tokens.append(_Token("word", match.group(), index))
            index = match.end()
        else:
            raise ExpressionError(
                expression, index, "a group, a country, '(' or one of the operators | & -"
            )
    tokens.append(_Token("end", "", len(expression)))
    return tokens


# Bounds on an expression, so that hostile input is refused with a message rather than running
# out of stack (5,000 nested parentheses ended in RecursionError) or time. The longest preset
# expression is under 60 characters.
MAX_EXPRESSION_LENGTH: Final = 500
MAX_NESTING: Final = 20
MAX_OPERATORS: Final = 100


class _Parser:
    def __init__(self, expression: str) -> None:
        if len(expression) > MAX_EXPRESSION_LENGTH:
            raise ExpressionError(
                expression[:60] + "...",
                0,
                f"an expression of at most {MAX_EXPRESSION_LENGTH} characters "
                f"(got {len(expression):,})",
            )
        self.expression = expression
        self.tokens = _tokens(expression)
        operators = [t for t in self.tokens if t.kind == "op"]
        if len(operators) > MAX_OPERATORS:
            raise ExpressionError(
                expression,
                operators[MAX_OPERATORS].position,
                f"at most {MAX_OPERATORS} operators | & - in one expression",
            )
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ExpressionError(self.expression, 0, "a group or a country, e.g. NATO & EU")
        node = self.binary(0)
        token = self.peek()
        if token.kind != "end":
            expected = (
                "an operator | & - or the end"
                if token.kind != ")"
                else "an operator | & - or the end, not a ')' without its '('"
            )
            raise ExpressionError(self.expression, token.position, expected)
        return node

    _LEVELS: Final = ("|", "&", "-")

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.operand()
        operator = self._LEVELS[level]
        node = self.binary(level + 1)
        while self.peek().kind == "op" and self.peek().text == operator:
            self.take()
            node = Operation(operator, node, self.binary(level + 1))
        return node

    def operand(self) -> Node:
        token = self.take()
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise ExpressionError(
                    self.expression, token.position, f"at most {MAX_NESTING} nested parentheses"
                )
            node = self.binary(0)
            self.depth -= 1
            closing = self.take()
            if closing.kind != ")":
                raise ExpressionError(self.expression, closing.position, "a closing ')'")
            return node
        if token.kind == "quoted":
            return Name(token.text, token.position)
        if token.kind == "word":
            words = [token.text]
            while self.peek().kind == "word":
                words.append(self.take().text)
            return Name(" ".join(words), token.position)
        what = "the end of the expression" if token.kind == "end" else repr(token.text)
        raise ExpressionError(
            self.expression, token.position, f"a group, a country or '(' instead of {what}"
        )


def parse(expression: str) -> Node:
    """The syntax tree of `expression`; an ExpressionError points at the offending character."""
    return _Parser(expression).parse()


# --- evaluation -------------------------------------------------------------------------------

GroupMembers = Callable[[str, date], list[str]]
CountryResolver = Callable[[str], str]


def _group_members(group: str, on: date) -> list[str]:
    from alliance.memberships import members

    return members(group, on)


def _group_names() -> set[str]:
    from alliance.memberships import groups

    return {g.group.upper() for g in groups()}


def _resolve_country(text: str) -> str:
    from alliance.countries import resolve_country

    return resolve_country(text)


@dataclass
class _Evaluator:
    expression: str
    on: date
    group_members: GroupMembers
    group_names: set[str]
    resolve_country: CountryResolver

    def evaluate(self, node: Node) -> frozenset[str]:
        if isinstance(node, Operation):
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            if node.operator == "|":
                return left | right
            if node.operator == "&":
                return left & right
            return left - right
        return self.name(node.text, node.position)

    def name(self, text: str, position: int) -> frozenset[str]:
        key = text.upper().replace(" ", "_")
        if (preset := _PRESETS_BY_KEY.get(text.upper())) and preset.expression != text.upper():
            return self.evaluate(_reposition(parse(preset.expression), position))
        if key in self.group_names:
            return frozenset(self.group_members(key, self.on))
        try:
            return frozenset({self.resolve_country(text)})
        except AllianceError:
            pass
        if "-" in text and " " not in text:
            return self.hyphenated(text, position)
        raise ExpressionError(
            self.expression,
            position,
            f"a group ({', '.join(sorted(self.group_names))}), a preset "
            f"({', '.join(p.name for p in PRESETS)}) or a country instead of {text!r}",
        )

    def hyphenated(self, text: str, position: int) -> frozenset[str]:
        parts = text.split("-")
        offsets = [position + sum(len(p) + 1 for p in parts[:i]) for i in range(len(parts))]
        result = self.name(parts[0], offsets[0])
        for part, offset in zip(parts[1:], offsets[1:], strict=True):
            result = result - self.name(part, offset)
        return result


def _reposition(node: Node, position: int) -> Node:
    """A preset's tree with every name pointing at the preset's own place in the expression."""
    if isinstance(node, Operation):
        return Operation(
            node.operator, _reposition(node.left, position), _reposition(node.right, position)
        )
    return Name(node.text, position)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidDateError(text) from None


def membership_date(year: int, day: tuple[int, int] = MEMBERSHIP_DAY) -> date:
    """The day of `year` on which membership is read for a yearly figure (default 1 July)."""
    if not 1900 <= year <= 2100:
        raise InvalidArgumentError(f"Year {year} is outside 1900 to 2100.")
    return date(year, *day)


def coalition(
    expression: str,
    on: date | str | None = None,
    *,
    group_members: GroupMembers | None = None,
    group_names: set[str] | None = None,
    resolve_country: CountryResolver | None = None,
) -> Coalition:
    """The members of `expression` on `on` (default today): coalition("NATO & EU", "2024-07-01").

    `group_members`, `group_names` and `resolve_country` replace the shipped membership and country
    tables (for what-if coalitions and tests).
    """
    day = parse_date(on) if isinstance(on, str) else (on or date.today())
    tree = parse(expression)
    evaluator = _Evaluator(
        expression,
        day,
        group_members or _group_members,
        {g.upper() for g in group_names} if group_names is not None else _group_names(),
        resolve_country or _resolve_country,
    )
    return Coalition(expression, day, tuple(sorted(evaluator.evaluate(tree))))


def coalition_in_year(
    expression: str,
    year: int,
    *,
    group_members: GroupMembers | None = None,
    group_names: set[str] | None = None,
    resolve_country: CountryResolver | None = None,
) -> Coalition:
    """The coalition of `year` under the stated rule: members on 1 July of that year."""
    return coalition(
        expression,
        membership_date(year),
        group_members=group_members,
        group_names=group_names,
        resolve_country=resolve_country,
    )


def presets() -> tuple[Preset, ...]:
    return PRESETS


@dataclass(frozen=True)
class MembershipChange:
    """Who entered and who left a coalition between the previous year given and `year`."""

    expression: str
    year: int
    joined: tuple[str, ...]  # ISO3, sorted
    left: tuple[str, ...]


def membership_changes(
    expression: str, years: Iterable[int], *, group_members: GroupMembers | None = None
) -> list[MembershipChange]:
    """The years in which `expression`'s members (on 1 July) differ from the year before among
    `years`: membership_changes("EU", range(2015, 2025)) is the United Kingdom leaving in 2020.

    A change is dated to the first year whose membership shows it, the year a yearly figure
    moves; the first year given is the baseline, so it never carries a change itself.
    """
    changes: list[MembershipChange] = []
    ordered = sorted(set(years))
    before: Coalition | None = None
    for year in ordered:
        now = coalition_in_year(expression, year, group_members=group_members)
        if before is not None and now.members != before.members:
            joined = tuple(sorted(set(now.members) - set(before.members)))
            left = tuple(sorted(set(before.members) - set(now.members)))
            changes.append(MembershipChange(expression, year, joined, left))
        before = now
    return changes
