"""A store that looks like a working morning: the demo stream, a few hotspots, topics and a suggested claim.

The demo alone raises no alert (its 300 items are spread over two days), so the alerts here are written the
way the detect stage writes them, with explanations of the same shape. Used by the browser tests and by
scripts/screenshots.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.models import Topic
from civicpulse.store import Store
from civicpulse.store.claims import Claim, ClaimMatch, ClaimTables
from civicpulse.store.dashboard import DashboardReads
from civicpulse.store.detection import DetectionTables
from civicpulse.store.stories import StoryTables
from civicpulse.store.understanding import TopicTables

HOUR = 3600


def explanation(kind: str, subject: str, label: str, now: datetime, **numbers: Any) -> dict[str, Any]:
    """An explanation shaped like `detect.alerts.explain`'s, with a rising last few hours."""
    base = int(numbers.get("expected", 2))
    counts = [max(0, base + (i % 3) - 1) for i in range(20)] + numbers.get("rise", [4, 7, 11, 16])
    current = int(now.timestamp()) // HOUR
    series = [
        {"hour": (current - 23 + i) * HOUR, "items": c + 1, "distinct": c, "negative": c // 2}
        | {"harm": 0, "questions": c // 4, "labelled": c}
        for i, c in enumerate(counts)
    ]
    last = counts[-1]
    return {
        "subject": {"kind": kind, "id": subject, "label": label},
        "score": numbers.get("score", 0.5),
        "threshold": 0.15,
        "fired": ["count", "window", "spread"],
        "now": last,
        "expected": float(base),
        "ratio": round(last / base, 1) if base else None,
        "growth": {"last_hour": last, "previous_hour": counts[-2]},
        "spread": {"sources": numbers.get("sources", 6), "new_sources": 3, "platforms": 2, "authors": 25},
        "negative_share": numbers.get("negative", 0.6),
        "harm_share": 0.05,
        "question_share": numbers.get("questions", 0.2),
        "places": numbers.get("places", []),
        "topics": [],
        "terms": numbers.get("terms", []),
        "samples": [],
        "series": series,
        "findings": [
            {"detector": "count", "detected": True, "score": 0.8, "observed": last, "expected": base},
            {"detector": "window", "detected": True, "score": 0.5, "observed": last, "expected": base},
            {"detector": "spread", "detected": True, "score": 0.4, "observed": 6, "expected": 2},
        ],
        "first_seen": (now - timedelta(hours=20)).isoformat(),
    }


def alert_row(
    kind: str, subject: str, label: str, now: datetime, score: float, **numbers: Any
) -> dict[str, Any]:
    e = explanation(kind, subject, label, now, score=score, **numbers)
    return {
        "subject_kind": kind,
        "subject_id": subject,
        "scope": "default",
        "status": "new",
        "level": numbers.pop("level", 1) if "level" in numbers else 1,
        "score": score,
        "headline": f"{kind} {subject}",
        "explanation": e,
        "opened_at": now - timedelta(minutes=numbers.get("minutes_ago", 10)),
        "escalated_at": None,
        "feedback": "",
    }


def load_showcase(settings: Settings, store: Store) -> dict[str, int]:
    """Load the demo and add alerts, topics and a claim match; return the ids tests look for."""
    load_demo(settings, store)
    now = datetime.now(UTC)
    stories = sorted(StoryTables(store).recent(200), key=lambda s: -s.item_count)
    first, second = stories[0], stories[1]
    rows = [
        alert_row(
            "story",
            str(first.id),
            first.label,
            now,
            0.71,
            expected=2,
            rise=[5, 9, 14, 21],
            sources=14,
            negative=0.6,
            places=["26824"],
            terms=list(first.key_phrases[:4]),
            level=2,
        ),
        alert_row(
            "unit",
            "26743",
            "",
            now,
            0.48,
            expected=3,
            rise=[4, 6, 9, 12],
            sources=5,
            negative=0.42,
            terms=["ngập", "triều cường"],
            minutes_ago=25,
        ),
        alert_row(
            "story",
            str(second.id),
            second.label,
            now,
            0.33,
            expected=1,
            rise=[2, 3, 5, 7],
            sources=4,
            negative=0.3,
            questions=0.35,
            places=["26740"],
            terms=list(second.key_phrases[:3]),
            minutes_ago=50,
        ),
    ]
    ids = DetectionTables(store).save([], rows, [], None)
    topics = TopicTables(store)
    flood = topics.add(Topic("Ngập lụt", 'ngập OR "triều cường" OR "mưa lớn"', category="hạ tầng"))
    topics.add(Topic("Dịch bệnh", 'covid OR "dịch bệnh" OR "ca mắc"', category="y tế"))
    claims = ClaimTables(store)
    claim, _ = claims.add(Claim(text="Uống nước chanh nóng chữa khỏi Covid-19", verdict="false"))
    [sample] = DashboardReads(store).story_items(first.id or 0, 1)
    claims.save_matches(
        [ClaimMatch(item_id=sample.id or 0, claim_id=claim.id or 0, score=0.82, lexical=0.82)]
    )
    return {"alert": ids[0], "story": first.id or 0, "topic": flood.id or 0, "claim": claim.id or 0}
