"""Compiled topic queries and a matcher for thousands of them.

Each query compiles to a predicate over a `Document` (word positions of one text) and a set of anchor
words, at least one of which must occur for the query to match. The matcher indexes topics by anchor,
so each item only evaluates the few topics whose anchors it contains.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from civicpulse.models import Topic
from civicpulse.understand.text import fold
from civicpulse.understand.topics.parser import And, Near, Node, Not, Or, QuerySyntaxError, Term, parse
from civicpulse.understand.vietnamese import standard_tones

_WORD = re.compile(r"[^\W_]+")
Span = tuple[int, int]


def words(text: str, *, exact: bool = False) -> list[str]:
    """Return the matching words of `text`: folded, or lower-case with old-style tone marks if `exact`."""
    if exact:
        return _WORD.findall(standard_tones(unicodedata.normalize("NFC", text)).lower())
    return _WORD.findall(fold(text))


class Document:
    """One text as the matcher sees it: word positions, folded and (on demand) with diacritics."""

    def __init__(self, text: str) -> None:
        self.text = text
        folded = words(text)
        self.tokens = folded
        self.folded = _Positions(folded)

    @cached_property
    def accented(self) -> bool:
        """Whether the text is typed with diacritics (asked only when a candidate topic is evaluated)."""
        # Text typed with diacritics is matched with them, so `sổ đỏ` does not match `số đó`; text typed
        # without them can only be matched folded.
        return len(self.tokens) > 0 and _accented_share(self.text, len(self.tokens)) >= ACCENTED_SHARE

    @cached_property
    def exact(self) -> _Positions:
        return _Positions(words(self.text, exact=True))

    @cached_property
    def pairs(self) -> set[str]:
        """Adjacent folded word pairs (`thu duc`), the anchors of phrases."""
        return {f"{a} {b}" for a, b in zip(self.tokens, self.tokens[1:], strict=False)}


ACCENTED_SHARE = 0.2
_ACCENTED = re.compile(r"[^\W\d_]*[^\x00-\x7f][^\W\d_]*")


def _accented_share(text: str, total: int) -> float:
    """Return the share of words with a non-ASCII letter (Vietnamese news has over half)."""
    return len(_ACCENTED.findall(text)) / total


class _Positions:
    """Where each word occurs, and the sorted vocabulary for prefix look-ups."""

    def __init__(self, tokens: list[str]) -> None:
        self.at: dict[str, list[int]] = {}
        for i, token in enumerate(tokens):
            self.at.setdefault(token, []).append(i)

    @cached_property
    def vocabulary(self) -> list[str]:
        return sorted(self.at)

    def starting_with(self, prefix: str) -> list[str]:
        vocabulary = self.vocabulary
        start = bisect.bisect_left(vocabulary, prefix)
        end = start
        while end < len(vocabulary) and vocabulary[end].startswith(prefix):
            end += 1
        return vocabulary[start:end]


Predicate = Callable[[Document], bool]
Spans = Callable[[Document], list[Span]]


Anchor = tuple[str, str]
"""(kind, key): ("word", "ngap"), ("prefix", "ngap"), or ("pair", "thu duc") for a phrase."""


@dataclass(frozen=True)
class CompiledQuery:
    """A query ready to run: `matches(Document(text))`, with the anchors that let it be indexed."""

    query: str
    exact: bool
    matches: Predicate
    anchors: frozenset[Anchor] | None = field(default=None)
    """None when no word is required (`NOT x`), so the query must be tried on every document."""

    def __call__(self, text: str) -> bool:
        return self.matches(Document(text))


def compile_query(query: str, *, exact: bool = False) -> CompiledQuery:
    """Parse and compile `query`; diacritics are ignored unless `exact`. Raises `QuerySyntaxError`."""
    tree = parse(query)
    compiler = _Compiler(query, exact)
    return CompiledQuery(query, exact, compiler.predicate(tree), compiler.anchors(tree))


class _Compiler:
    def __init__(self, query: str, exact: bool) -> None:
        self.query, self.exact = query, exact

    def words(self, term: Term) -> list[str]:
        found = words(term.text)
        if not found:
            raise QuerySyntaxError(
                "this term has no letters or digits", self.query, term.position, "no_letters", term.text
            )
        return found

    def predicate(self, node: Node) -> Predicate:
        if isinstance(node, Term | Near):
            spans = self.spans(node)
            return lambda doc: bool(spans(doc))
        if isinstance(node, And):
            children = [self.predicate(c) for c in _positive_first(node.children)]
            return lambda doc: all(child(doc) for child in children)
        if isinstance(node, Or):
            options = [self.predicate(c) for c in node.children]
            return lambda doc: any(option(doc) for option in options)
        child = self.predicate(node.child)
        return lambda doc: not child(doc)

    def spans(self, node: Node) -> Spans:
        if isinstance(node, Near):
            left, right, distance = self.spans(node.left), self.spans(node.right), node.distance
            return lambda doc: _near(left(doc), right(doc), distance)
        if isinstance(node, Or):
            options = [self.spans(c) for c in node.children]
            return lambda doc: [span for option in options for span in option(doc)]
        assert isinstance(node, Term)  # the parser lets only terms and OR groups of them reach here
        folded = self.words(node)
        exact_terms = words(node.text, exact=True)
        accented = exact_terms != folded and len(exact_terms) == len(folded)
        strict, prefix = self.exact, node.prefix

        def spans(doc: Document) -> list[Span]:
            # Diacritics count when the query demands it, or when both the term and the text have them.
            use_exact = strict or (accented and doc.accented)
            positions, terms = (doc.exact, exact_terms) if use_exact else (doc.folded, folded)
            starts = _starts(positions, terms[0], prefix and len(terms) == 1)
            for offset, word in enumerate(terms[1:], 1):
                if not starts:
                    break
                last = prefix and offset == len(terms) - 1
                following = set(_starts(positions, word, last))
                starts = [s for s in starts if s + offset in following]
            return [(s, s + len(terms) - 1) for s in starts]

        return spans

    def anchors(self, node: Node) -> frozenset[Anchor] | None:
        """Return anchors of which at least one must occur for `node` to match, or None if there are none."""
        if isinstance(node, Term):
            terms = self.words(node)
            whole = terms[: len(terms) - 1] if node.prefix else terms
            if len(whole) >= 2:
                # A word pair is far rarer than either word, so few documents reach evaluation.
                pairs = [f"{a} {b}" for a, b in itertools.pairwise(whole)]
                return frozenset({("pair", max(pairs, key=len))})
            kind, key = (
                ("prefix", terms[0]) if node.prefix and len(terms) == 1 else ("word", max(whole, key=len))
            )
            return frozenset({(kind, key)})
        if isinstance(node, Near):
            return self.anchors(node.left)
        if isinstance(node, Not):
            return None
        found = [self.anchors(child) for child in node.children]
        required = [f for f in found if f is not None]
        if isinstance(node, Or):
            # Any branch may match alone, so every branch needs an anchor and all of them count.
            return frozenset().union(*required) if len(required) == len(found) else None
        return min(required, key=len) if required else None


def _positive_first(children: tuple[Node, ...]) -> list[Node]:
    """Order AND children so cheap positive checks run before negations."""
    return sorted(children, key=lambda c: isinstance(c, Not))


def _starts(positions: _Positions, word: str, prefix: bool) -> list[int]:
    if not prefix:
        return positions.at.get(word, [])
    return sorted(p for w in positions.starting_with(word) for p in positions.at[w])


def _near(left: list[Span], right: list[Span], distance: int) -> list[Span]:
    """Return spans covering a left and a right span with at most `distance` words between, either order."""
    found = []
    for a in left:
        for b in right:
            between = b[0] - a[1] - 1 if b[0] > a[1] else a[0] - b[1] - 1
            if 0 <= between <= distance:
                found.append((min(a[0], b[0]), max(a[1], b[1])))
    return found


@dataclass(frozen=True)
class _Compiled:
    topic_id: int
    query: CompiledQuery


class TopicMatcher:
    """Matches texts against many topics at once: `match(text)` -> the ids of the topics it matches."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.errors: dict[str, str] = {}
        self._by_word: dict[str, list[_Compiled]] = {}
        self._by_pair: dict[str, list[_Compiled]] = {}
        self._by_prefix: dict[str, list[_Compiled]] = {}
        self._always: list[_Compiled] = []
        self.size = 0
        for topic in topics:
            if topic.id is None or not topic.enabled:
                continue
            try:
                query = compile_query(topic.query, exact=bool(topic.settings.get("exact", False)))
            except QuerySyntaxError as error:
                self.errors[topic.name] = str(error)  # one bad topic must not stop the stream
                continue
            self._index(_Compiled(topic.id, query))
            self.size += 1
        self._prefix_lengths = sorted({len(p) for p in self._by_prefix})

    def _index(self, compiled: _Compiled) -> None:
        anchors = compiled.query.anchors
        if anchors is None:
            self._always.append(compiled)
            return
        index = {"word": self._by_word, "pair": self._by_pair, "prefix": self._by_prefix}
        for kind, key in anchors:
            index[kind].setdefault(key, []).append(compiled)

    def match(self, text: str) -> tuple[int, ...]:
        """Return the ids of the topics `text` matches, in ascending order."""
        if not self.size:
            return ()
        document = Document(text)
        candidates = self.candidates(document)
        if not candidates:
            return ()
        return tuple(sorted({c.topic_id for c in candidates if c.query.matches(document)}))

    def candidates(self, document: Document) -> list[_Compiled]:
        """Return the topics whose anchors occur in `document` (each once)."""
        found: dict[int, _Compiled] = {id(c): c for c in self._always}
        vocabulary = document.folded.at
        for word in vocabulary.keys() & self._by_word.keys():
            found.update((id(c), c) for c in self._by_word[word])
        if self._by_pair:
            for pair in document.pairs & self._by_pair.keys():
                found.update((id(c), c) for c in self._by_pair[pair])
        for word in vocabulary if self._prefix_lengths else ():
            for length in self._prefix_lengths:
                if length > len(word):
                    break
                for c in self._by_prefix.get(word[:length], ()):
                    found[id(c)] = c
        return list(found.values())
