"""A real subset of SendGrid's Segmentation Query Language (``POST .../contacts/search``).

Grammar (keywords in any case)::

    query   := or
    or      := and ("OR" and)*
    and     := factor ("AND" factor)*
    factor  := "(" or ")"
             | "CONTAINS" "(" field "," value ")"
             | field ("=" | "!=" | "<>") value
             | field ["NOT"] "IN" "(" value ("," value)* ")"
             | field ["NOT"] "LIKE" string
    value   := 'text' (a '' inside is one quote) | number

A field is a reserved field by name (``email``, ``first_name``, ``list_ids``, ...) or a custom
field by name. ``LIKE`` takes ``%`` (any run) and ``_`` (one character). ``CONTAINS`` is true
when an array field (``list_ids``, ``alternate_emails``) holds the value. A query it cannot
read raises ``QueryError`` with the position and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Contact = dict[str, Any]  # field name -> value, custom fields by name
Predicate = Callable[[Contact], bool]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>!=|<>|=|\(|\)|,)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""", re.VERBOSE)
_KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "LIKE", "CONTAINS"})


class QueryError(ValueError):
    """The query cannot be read; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Token:
    """One piece of a query: its kind (string, number, op, word, end), text and position."""

    kind: str
    text: str
    position: int


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: ``matches`` tells whether a contact fits; ``emails`` is the set of
    emails every match must have (when the query pins them), so callers can look those up."""

    matches: Predicate
    emails: frozenset[str] | None


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = len(text) - len(text[position:].lstrip())
            raise QueryError(f"unexpected character {text[start]!r} at position {start + 1}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse(text: str, fields: Iterable[str]) -> Query:
    """Parse ``text``; ``fields`` are the names a query may use. QueryError when it cannot."""
    if not isinstance(text, str) or not text.strip():
        raise QueryError("query is required")
    parser = _Parser(tokenize(text), frozenset(fields))
    query = parser.parse_or()
    parser.expect_end()
    return query


class _Parser:
    def __init__(self, tokens: list[Token], fields: frozenset[str]) -> None:
        self.tokens = tokens
        self.at = 0
        self.fields = fields

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token.kind == "word" and token.text.upper() == word:
            self.at += 1
            return True
        return False

    def op(self, text: str) -> bool:
        token = self.peek()
        if token.kind == "op" and token.text == text:
            self.at += 1
            return True
        return False

    def fail(self, expected: str) -> QueryError:
        token = self.peek()
        found = "the end of the query" if token.kind == "end" else repr(token.text)
        return QueryError(f"expected {expected} at position {token.position + 1}, "
                          f"found {found}")

    def expect_op(self, text: str) -> None:
        if not self.op(text):
            raise self.fail(f"'{text}'")

    def expect_end(self) -> None:
        if self.peek().kind != "end":
            raise self.fail("AND, OR or the end of the query")

    def parse_or(self) -> Query:
        parts = [self.parse_and()]
        while self.keyword("OR"):
            parts.append(self.parse_and())
        if len(parts) == 1:
            return parts[0]
        tests = [part.matches for part in parts]
        pinned = [part.emails for part in parts]
        known = [p for p in pinned if p is not None]
        emails = frozenset[str]().union(*known) if len(known) == len(pinned) else None
        return Query(lambda contact: any(test(contact) for test in tests), emails)

    def parse_and(self) -> Query:
        parts = [self.parse_factor()]
        while self.keyword("AND"):
            parts.append(self.parse_factor())
        if len(parts) == 1:
            return parts[0]
        tests = [part.matches for part in parts]
        pinned = [part.emails for part in parts if part.emails is not None]
        emails = frozenset.intersection(*pinned) if pinned else None
        return Query(lambda contact: all(test(contact) for test in tests), emails)

    def parse_factor(self) -> Query:
        if self.op("("):
            inner = self.parse_or()
            self.expect_op(")")
            return inner
        if self.keyword("CONTAINS"):
            self.expect_op("(")
            name = self.field()
            self.expect_op(",")
            wanted = self.value()
            self.expect_op(")")
            return Query(lambda contact: _contains(contact.get(name), wanted), None)
        name = self.field()
        if self.op("="):
            wanted = self.value()
            pinned = frozenset({wanted}) if name == "email" and isinstance(wanted, str) \
                else None
            return Query(lambda contact: _equal(contact.get(name), wanted), pinned)
        if self.op("!=") or self.op("<>"):
            wanted = self.value()
            return Query(lambda contact: not _equal(contact.get(name), wanted), None)
        negated = self.keyword("NOT")
        if self.keyword("IN"):
            options = self.values()
            if negated:
                return Query(lambda contact: not any(_equal(contact.get(name), o)
                                                     for o in options), None)
            pinned = frozenset(o for o in options if isinstance(o, str)) \
                if name == "email" and all(isinstance(o, str) for o in options) else None
            return Query(lambda contact: any(_equal(contact.get(name), o) for o in options),
                         pinned)
        if self.keyword("LIKE"):
            if self.peek().kind != "string":
                raise self.fail("a quoted pattern")
            regex = _like(str(self.value()))

            def like(contact: Contact) -> bool:
                return _is_like(contact.get(name), regex) != negated

            return Query(like, None)
        raise self.fail("an operator (=, !=, IN, LIKE)" if not negated else "IN or LIKE")

    def field(self) -> str:
        token = self.peek()
        if token.kind != "word" or token.text.upper() in _KEYWORDS:
            raise self.fail("a field name")
        self.at += 1
        if token.text not in self.fields:
            raise QueryError(f"unknown field {token.text!r} at position {token.position + 1}")
        return token.text

    def value(self) -> str | float | int:
        token = self.peek()
        if token.kind == "string":
            self.at += 1
            return token.text[1:-1].replace("''", "'")
        if token.kind == "number":
            self.at += 1
            number = float(token.text)
            return int(number) if number.is_integer() and "." not in token.text else number
        raise self.fail("a quoted value or a number")

    def values(self) -> list[str | float | int]:
        self.expect_op("(")
        found = [self.value()]
        while self.op(","):
            found.append(self.value())
        self.expect_op(")")
        return found


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(value, list):
        return False
    if isinstance(wanted, str):
        return isinstance(value, str) and value == wanted
    return isinstance(value, int | float) and not isinstance(value, bool) and value == wanted


def _contains(value: Any, wanted: Any) -> bool:
    return isinstance(value, list | tuple) and wanted in value


def _like(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _is_like(value: Any, regex: re.Pattern[str]) -> bool:
    return isinstance(value, str) and regex.fullmatch(value) is not None
