"""Matching: thresholds, the short-text rule, the optional embedding signal and its budget."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from civicpulse.store.claims import LINKED, SUGGESTED, Claim
from civicpulse.understand.claims import ClaimMatcher, Thresholds
from civicpulse.understand.claims.embedding import Vectors
from civicpulse.understand.claims.evaluate import evaluate, read_set

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "claims"
CLAIM = Claim(id=7, text="Hưng Yên đã phong tỏa thôn Hoàng Xá, nơi có 2 ca mắc Covid-19.", verdict="false")
OTHER = Claim(id=8, text="Vũng Tàu cấm tắm biển từ ngày mai.", verdict="false")


class KeywordEmbedder:
    """A stand-in for e5: texts sharing a marker word get the same vector."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed_many(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        rows = [[1.0, 0.0] if ("Hoàng Xá" in t or "Hoang Xa" in t) else [0.0, 1.0] for t in texts]
        return np.asarray(rows, dtype=np.float32)


def test_a_close_paraphrase_is_linked_and_a_loose_one_suggested() -> None:
    matcher = ClaimMatcher([CLAIM, OTHER])
    [linked] = matcher.match("Thôn Hoàng Xá ở Hưng Yên bị phong tỏa vì có 2 ca mắc Covid-19.")
    assert (linked.claim_id, linked.status) == (7, LINKED)
    [suggested] = matcher.match("Nghe nói Hưng Yên phong tỏa cả thôn, có người mắc Covid-19, ai biết không?")
    assert (suggested.claim_id, suggested.status) == (7, SUGGESTED)
    assert matcher.match("Giá vàng hôm nay tăng mạnh.") == []


def test_short_texts_are_never_linked() -> None:
    [found] = ClaimMatcher([CLAIM]).match("Phong tỏa thôn Hoàng Xá")
    assert found.lexical >= Thresholds().link
    assert found.status == SUGGESTED


def test_a_claim_inside_a_long_article_is_found_by_its_sentence() -> None:
    article = (
        "Sáng nay trời mưa to ở nhiều nơi. " * 20
        + "Hưng Yên đã phong tỏa thôn Hoàng Xá vì có 2 ca mắc Covid-19."
    )
    [found] = ClaimMatcher([CLAIM]).match(article)
    assert found.status == LINKED


def test_embeddings_find_what_words_miss_within_the_budget() -> None:
    embedder = KeywordEmbedder()
    matcher = ClaimMatcher([CLAIM, OTHER], embedder=embedder, embed_budget=4)
    [found] = matcher.match("Hoang Xa bi khoa?")  # short, no diacritics: few shared terms
    assert found.claim_id == 7
    assert found.semantic == pytest.approx(1.0)
    assert found.status == SUGGESTED  # short: never linked, however similar
    assert sum(embedder.calls) <= 4


def test_the_budget_limits_embedding_per_batch() -> None:
    embedder = KeywordEmbedder()
    matcher = ClaimMatcher([CLAIM, OTHER], embedder=embedder, embed_budget=3)
    matcher.match_many([("Hoàng Xá?", "vi")] * 10)
    assert sum(embedder.calls) == 3


def test_claim_vectors_carry_over_to_a_rebuilt_matcher() -> None:
    embedder = KeywordEmbedder()
    first = ClaimMatcher([CLAIM, OTHER], embedder=embedder)
    first.match("Hoàng Xá?")
    again = ClaimMatcher([CLAIM, OTHER], embedder=embedder, vectors=first.vectors)
    calls = len(embedder.calls)
    again.match("Hoàng Xá?")
    assert embedder.calls[calls:] == [1]  # only the text; the claims were kept


def test_the_evaluation_set_meets_its_floor() -> None:
    claims, names, probes = read_set(FIXTURES)
    assert len(claims) + len(probes) <= 50
    scores = evaluate(claims, names, probes, Thresholds())
    assert scores["link"].precision == 1.0
    assert scores["link"].recall >= 0.4
    assert scores["suggest"].precision >= 0.9
    assert scores["suggest"].recall >= 0.8
