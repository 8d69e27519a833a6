"""The watched-topic query language: a tokenizer and a recursive-descent parser into a small tree.

    query  := or
    or     := and ("OR" and)*
    and    := unary (["AND"] unary | "NOT" unary)*      adjacent terms are ANDed; `a NOT b` = a AND NOT b
    unary  := "NOT" unary | near
    near   := primary ("NEAR/n" primary)*               at most n words between, either order; a side
                                                        is a word, a phrase or an OR group of them
    primary:= word | word* | "a phrase" | "(" or ")"

Operators are upper case, so `and`, `or`, `not` stay ordinary words (`và`, `hoặc` are words too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicpulse.errors import InputError

_NEAR = re.compile(r"NEAR/(\d+)$")
_BARE = re.compile(r"[^\s()\"]+")
OPERATORS = frozenset({"AND", "OR", "NOT"})


class QuerySyntaxError(InputError):
    """A query that cannot be parsed; the message shows the column and a caret under it.

    `code` names the problem for translation (the web app words it in Vietnamese or English), and
    `token` is the offending text where the problem names one.
    """

    def __init__(self, problem: str, query: str, position: int, code: str = "", token: str = "") -> None:
        self.problem, self.query, self.position = problem, query, position
        self.code, self.token = code, token
        line = query.replace("\n", " ")
        super().__init__(f"{problem} at column {position + 1}\n  {line}\n  {' ' * position}^")


@dataclass(frozen=True)
class Token:
    """One lexical token of a query: kind is word, phrase, and, or, not, near, open or close."""

    kind: str
    text: str
    position: int
    distance: int = 0


@dataclass(frozen=True)
class Term:
    """A word or phrase as typed (`ngập*`, `"Thủ Đức"`); `prefix` when it ends with `*`."""

    text: str
    prefix: bool
    position: int


@dataclass(frozen=True)
class Near:
    """Both sides with at most `distance` words between them; a side is a term or an OR of terms."""

    left: Node
    right: Node
    distance: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Near | And | Or | Not


def positional(node: Node) -> bool:
    """Return whether `node` has word positions: a term, or an OR of terms (which NEAR can use)."""
    return isinstance(node, Term) or (isinstance(node, Or) and all(positional(c) for c in node.children))


def tokenize(query: str) -> list[Token]:
    """Split `query` into tokens; raise `QuerySyntaxError` on an unterminated quote or a bad NEAR."""
    tokens: list[Token] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token("open" if ch == "(" else "close", ch, i))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("this quote is never closed", query, i, "unclosed_quote")
            tokens.append(Token("phrase", query[i + 1 : end], i))
            i = end + 1
        else:
            match = _BARE.match(query, i)
            assert match is not None  # any other character starts a bare word
            tokens.append(_bare(match.group(0), query, i))
            i = match.end()
    return tokens


def _bare(word: str, query: str, position: int) -> Token:
    if word in OPERATORS:
        return Token(word.lower(), word, position)
    if word.startswith("NEAR/"):
        near = _NEAR.match(word)
        if near is None or int(near.group(1)) < 1:
            raise QuerySyntaxError(
                "NEAR needs a distance in words, like NEAR/5", query, position, "near_distance", word
            )
        return Token("near", word, position, int(near.group(1)))
    return Token("word", word, position)


def parse(query: str) -> Node:
    """Parse `query` into a tree; raise `QuerySyntaxError` pointing at the problem."""
    parser = _Parser(query, tokenize(query))
    if not parser.tokens:
        raise QuerySyntaxError("the query is empty", query, 0, "empty")
    node = parser.or_()
    if parser.peek() is not None:
        token = parser.tokens[parser.at]
        if token.kind == "close":
            raise QuerySyntaxError("this ')' has no matching '('", query, token.position, "unmatched_close")
        raise QuerySyntaxError(f"unexpected {token.text!r}", query, token.position, "unexpected", token.text)
    return node


class _Parser:
    def __init__(self, query: str, tokens: list[Token]) -> None:
        self.query, self.tokens, self.at = query, tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.at].kind if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def error(self, problem: str, code: str, token: str = "") -> QuerySyntaxError:
        position = self.tokens[self.at].position if self.at < len(self.tokens) else len(self.query)
        return QuerySyntaxError(problem, self.query, position, code, token)

    def or_(self) -> Node:
        children = [self.and_()]
        while self.peek() == "or":
            self.take()
            children.append(self.and_())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_(self) -> Node:
        children = [self.unary()]
        while self.peek() in {"and", "not", "word", "phrase", "open"}:
            if self.peek() == "and":
                self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.unary())
        return self.near()

    def near(self) -> Node:
        left = self.primary()
        while self.peek() == "near":
            operator = self.take()
            right = self.primary()
            if not positional(left) or not positional(right):
                raise QuerySyntaxError(
                    "NEAR joins words, phrases or (a OR b) groups of them",
                    self.query,
                    operator.position,
                    "near_sides",
                )
            left = Near(left, right, operator.distance)
        return left

    def primary(self) -> Node:
        kind = self.peek()
        if kind in {"word", "phrase"}:
            token = self.take()
            text = token.text.strip()
            prefix = text.endswith("*")
            if "*" in text.rstrip("*") or text.endswith("**") or text == "*":
                raise QuerySyntaxError(
                    "'*' may only end a word, like ngập*", self.query, token.position, "star"
                )
            return Term(text.rstrip("*"), prefix, token.position)
        if kind == "open":
            opening = self.take()
            node = self.or_()
            if self.peek() != "close":
                raise QuerySyntaxError(
                    "this '(' is never closed", self.query, opening.position, "unclosed_paren"
                )
            self.take()
            return node
        if kind is None:
            raise self.error("the query ends where a word, phrase or '(' was expected", "ends_early")
        found = self.tokens[self.at].text
        raise self.error(f"expected a word, phrase or '(' but found {found!r}", "expected_term", found)
