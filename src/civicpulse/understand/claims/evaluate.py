"""Precision and recall of claim matching at both thresholds, on claims and labelled probe texts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from civicpulse.store.claims import LINKED, Claim
from civicpulse.understand.claims.embedding import Embedder
from civicpulse.understand.claims.matcher import ClaimMatcher, Found, Thresholds


@dataclass(frozen=True)
class Probe:
    """A text and the claim it repeats (None: it repeats none), with the kind of test it is."""

    text: str
    claim: str | None
    kind: str
    lang: str = "vi"


@dataclass
class Score:
    """Counts at one threshold: a probe counts once, by its best match."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def read_set(folder: Path) -> tuple[list[Claim], dict[int, str], list[Probe]]:
    """Read `claims.jsonl` and `probes.jsonl`; return claims with ids, their names by id, and probes."""
    rows = _jsonl(folder / "claims.jsonl")
    claims = [
        Claim(text=r["text"], verdict=r["verdict"], lang=r.get("lang", ""), id=i)
        for i, r in enumerate(rows, 1)
    ]
    names = {i: r["id"] for i, r in enumerate(rows, 1)}
    probes = [
        Probe(text=p["text"], claim=p["claim"], kind=p["kind"], lang=p.get("lang", "vi"))
        for p in _jsonl(folder / "probes.jsonl")
    ]
    return claims, names, probes


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(
    claims: Sequence[Claim],
    names: dict[int, str],
    probes: Sequence[Probe],
    thresholds: Thresholds,
    embedder: Embedder | None = None,
) -> dict[str, Score]:
    """Return the scores at `suggest` (any match) and at `link` (automatic links only)."""
    # A budget as large as the set, so every probe gets the same treatment in the evaluation.
    matcher = ClaimMatcher(claims, thresholds, embedder, embed_budget=len(claims) + len(probes) + 1)
    found = matcher.match_many([(p.text, p.lang) for p in probes])
    scores = {"suggest": Score(), "link": Score()}
    for probe, matches in zip(probes, found, strict=True):
        for level, score in scores.items():
            kept = [m for m in matches if level == "suggest" or m.status == LINKED]
            _count(score, probe, names, kept[0] if kept else None)
    return scores


def _count(score: Score, probe: Probe, names: dict[int, str], best: Found | None) -> None:
    predicted = names.get(best.claim_id) if best is not None else None
    if predicted is not None and predicted == probe.claim:
        score.tp += 1
        return
    if predicted is not None:
        score.fp += 1
        score.errors.append(f"false match {predicted} ({best.score if best else 0:.2f}): {probe.text}")
    if probe.claim is not None:
        score.fn += 1
        if predicted is None:
            score.errors.append(f"missed {probe.claim}: {probe.text}")


def scores_by_pair(
    claims: Sequence[Claim], names: dict[int, str], probes: Sequence[Probe], embedder: Embedder | None = None
) -> list[dict[str, Any]]:
    """Return the best lexical (and semantic) score of every probe, for tuning: all thresholds at zero."""
    zero = Thresholds(suggest=0.0, link=2.0, candidate=0.01, max_matches=len(claims))
    matcher = ClaimMatcher(claims, zero, embedder, embed_budget=len(claims) + len(probes) + 1)
    rows = []
    for probe, matches in zip(probes, matcher.match_many([(p.text, p.lang) for p in probes]), strict=True):
        gold = next((m for m in matches if names.get(m.claim_id) == probe.claim), None)
        others = [m for m in matches if m is not gold]
        rows.append(
            {
                "kind": probe.kind,
                "gold": probe.claim,
                "gold_lexical": gold.lexical if gold else 0.0,
                "gold_semantic": gold.semantic if gold else None,
                "other_lexical": max((m.lexical for m in others), default=0.0),
                "other_semantic": max((m.semantic or 0.0 for m in others), default=None),
            }
        )
    return rows


def with_claims(claims: Sequence[Claim], **values: Any) -> list[Claim]:
    """Return copies of `claims` with fields changed (a helper for tests and the bench)."""
    return [replace(c, **values) for c in claims]
