"""Verdicts: a fact-checker's own rating mapped onto five verdicts the city acts on."""

from __future__ import annotations

import re

from civicpulse.understand.text import fold

# Longest phrase first, so "mostly false" is misleading before "false" could match, and "khong dung"
# is false before "dung" could match. Phrases are folded (Vietnamese without diacritics).
_PHRASES = {
    "false": (
        "false",
        "fake",
        "hoax",
        "fabricated",
        "pants on fire",
        "incorrect",
        "wrong",
        "scam",
        "sai",
        "sai su that",
        "tin gia",
        "gia mao",
        "bia dat",
        "khong dung",
        "khong chinh xac",
        "lua dao",
        "tin don sai",
    ),
    "misleading": (
        "misleading",
        "mostly false",
        "partly false",
        "missing context",
        "lacks context",
        "out of context",
        "exaggerated",
        "altered",
        "manipulated",
        "distorted",
        "satire",
        "gay hieu lam",
        "sai lech",
        "thieu boi canh",
        "thieu ngu canh",
        "cat ghep",
        "xuyen tac",
        "phong dai",
        "danh trao khai niem",
        "mot phan sai",
    ),
    "mixed": ("mixed", "mixture", "half true", "partly true", "nua dung nua sai", "dung mot phan"),
    "unproven": (
        "unproven",
        "unverified",
        "unsupported",
        "no evidence",
        "research in progress",
        "chua xac minh",
        "chua kiem chung",
        "chua duoc kiem chung",
        "chua duoc xac minh",
        "khong co bang chung",
        "chua ro",
    ),
    "true": ("true", "correct", "accurate", "mostly true", "dung", "chinh xac", "dung su that"),
}
_ORDER = sorted(((p, v) for v, ps in _PHRASES.items() for p in ps), key=lambda pv: -len(pv[0]))
_PATTERNS = [(re.compile(rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])"), v) for p, v in _ORDER]


def verdict_of(rating: str, value: float | None = None, best: float = 5.0, worst: float = 1.0) -> str:
    """Return false, misleading, mixed, unproven or true from a textual rating, else from the number.

    ClaimReview's numbers run from `worstRating` (false) to `bestRating` (true); the text is preferred
    because publishers use the scale differently, and without either the verdict is `unproven`.
    """
    folded = fold(rating)
    if folded:
        for pattern, verdict in _PATTERNS:
            if pattern.search(folded):
                return verdict
    if value is None or best <= worst:
        return "unproven"
    position = (min(max(value, worst), best) - worst) / (best - worst)
    if position <= 0.2:
        return "false"
    if position <= 0.45:
        return "misleading"
    return "mixed" if position < 0.8 else "true"
