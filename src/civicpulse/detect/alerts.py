"""Alerts: one per story, topic or unit episode, escalated when it grows, explained when raised.

An episode opens when a subject turns hot and closes after `episode_gap_s` of stream time without being
hot; while it is open the subject raises no new alert, only escalations when its mass has grown by
`escalate_factor` since the last notice. The lifecycle (new, acknowledged, case_opened, dismissed) and
analysts' feedback live in `detect.lifecycle`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from civicpulse.detect.score import Verdict
from civicpulse.detect.signals import HOUR, Series, Subject

TOP_TERMS = 8
CHART_HOURS = 24


@dataclass
class Episode:
    """An open episode of one subject; `row` is its alert until the first flush gives it an id."""

    subject: Subject
    opened_at: float
    last_hot: float
    level: int
    mass: int
    alert_id: int | None = None
    row: dict[str, Any] = field(default_factory=dict)


def at(epoch: float) -> datetime:
    """Return an aware UTC datetime for epoch seconds."""
    return datetime.fromtimestamp(epoch, UTC)


class AlertBook:
    """Turns verdicts into new alerts and escalations, one episode per subject."""

    def __init__(self, *, episode_gap_s: float = 6 * HOUR, escalate_factor: float = 2.0, max_level: int = 4):
        self.episode_gap_s = episode_gap_s
        self.escalate_factor = escalate_factor
        self.max_level = max_level
        self._reset()

    def _reset(self) -> None:
        self.episodes: dict[Subject, Episode] = {}
        self._new: list[Episode] = []
        self._changed: dict[int, Episode] = {}

    def observe(self, subject: Subject, verdict: Verdict, series: Series, now: float, scope: str) -> str:
        """Return "new", "escalated" or "" for this verdict; the rows wait for `drain`."""
        episode = self.episodes.get(subject)
        if episode is not None and now - episode.last_hot > self.episode_gap_s:
            del self.episodes[subject]
            episode = None
        if not verdict.hot:
            return ""
        mass = int(verdict.details.get("mass", 0))
        if episode is None:
            episode = Episode(subject, opened_at=now, last_hot=now, level=1, mass=mass)
            episode.row = {**alert_row(subject, verdict, series, now, level=1), "scope": scope}
            self.episodes[subject] = episode
            self._new.append(episode)
            return "new"
        episode.last_hot = now
        if mass < self.escalate_factor * episode.mass or episode.level >= self.max_level:
            return ""
        episode.level += 1
        episode.mass = mass
        episode.row = {**alert_row(subject, verdict, series, now, level=episode.level), "scope": scope}
        episode.row["opened_at"] = at(episode.opened_at)
        episode.row["escalated_at"] = at(now)
        if episode.alert_id is not None:
            self._changed[episode.alert_id] = episode
        return "escalated"

    def drain(self) -> tuple[list[Episode], list[Episode]]:
        """Return and forget the episodes whose alerts are new, and those escalated since the last call."""
        new, changed = self._new, list(self._changed.values())
        self._new, self._changed = [], {}
        return new, changed

    def close_idle(self, now: float) -> None:
        """Forget episodes quiet for longer than the gap (keeps memory flat on long streams)."""
        for subject in [s for s, e in self.episodes.items() if now - e.last_hot > self.episode_gap_s]:
            del self.episodes[subject]

    def to_state(self) -> list[dict[str, Any]]:
        """Return the open episodes (with alert ids) as JSON-ready data."""
        return [
            {
                "subject": list(e.subject),
                "opened_at": e.opened_at,
                "last_hot": e.last_hot,
                "level": e.level,
                "mass": e.mass,
                "alert_id": e.alert_id,
            }
            for e in self.episodes.values()
            if e.alert_id is not None
        ]

    def load_state(self, state: list[dict[str, Any]]) -> None:
        """Resume the open episodes from `to_state` output."""
        self._reset()
        for e in state:
            subject = (str(e["subject"][0]), str(e["subject"][1]))
            self.episodes[subject] = Episode(
                subject,
                float(e["opened_at"]),
                float(e["last_hot"]),
                int(e["level"]),
                int(e["mass"]),
                alert_id=e["alert_id"],
            )


def alert_row(
    subject: Subject, verdict: Verdict, series: Series, now: float, *, level: int
) -> dict[str, Any]:
    """Return an alert's columns, with its explanation."""
    explanation = explain(subject, verdict, series, now)
    return {
        "subject_kind": subject[0],
        "subject_id": subject[1],
        "status": "new",
        "level": level,
        "score": round(verdict.score, 4),
        "headline": explanation["headline"],
        "explanation": explanation,
        "opened_at": at(now),
        "escalated_at": None,
        "feedback": "",
    }


def explain(subject: Subject, verdict: Verdict, series: Series, now: float) -> dict[str, Any]:
    """Return why the subject is hot, in numbers an analyst reads at a glance, and the series for a chart."""
    findings = {f.detector: f.as_dict() for f in verdict.findings}
    count = findings.get("count", {})
    window = series.window(now, HOUR)
    previous = series.window(now - HOUR, HOUR)
    expected = float(count.get("expected", 0.0))
    spread = findings.get("spread", {})
    tone = findings.get("tone", {})
    void = findings.get("void", {})
    terms = [t for t, _ in series.terms.most_common(TOP_TERMS)]
    places = [u for u, _ in series.units.most_common(5)]
    explanation = {
        "subject": {"kind": subject[0], "id": subject[1], "label": series.label},
        "score": round(verdict.score, 3),
        "threshold": verdict.details.get("threshold"),
        "fired": verdict.fired(),
        "now": window,
        "expected": round(expected, 2),
        "ratio": round(window / expected, 1) if expected > 0 else None,
        "growth": {"last_hour": window, "previous_hour": previous},
        "spread": {
            "sources": spread.get("observed", 0),
            "new_sources": spread.get("new_sources", 0),
            "platforms": spread.get("platforms", 0),
            "authors": spread.get("authors", 0),
        },
        "negative_share": tone.get("negative_share"),
        "harm_share": tone.get("harm_share"),
        "question_share": void.get("question_share"),
        "places": places,
        "topics": [t for t, _ in series.topics.most_common(5)],
        "terms": terms,
        "samples": list(series.samples),
        "series": series.chart(now, CHART_HOURS),
        "findings": list(findings.values()),
        "first_seen": at(series.first_seen).isoformat(),
    }
    explanation["headline"] = headline(explanation)
    return explanation


def headline(e: dict[str, Any]) -> str:
    """Return the one-line reason an analyst reads in the overview."""
    subject = e["subject"]
    name = f"{subject['kind']} {subject['id']}"
    if subject["label"]:
        name += f" “{subject['label'][:80]}”"
    parts = [f"{e['now']} items in the last hour"]
    if e["ratio"] is not None and e["expected"] >= 0.5:
        parts[0] += f" ({e['ratio']}x the usual {e['expected']})"
    if e["spread"]["sources"] > 1:
        parts.append(f"{e['spread']['sources']} sources")
    if e["negative_share"] is not None:
        parts.append(f"{round(100 * e['negative_share'])} % negative")
    if e["question_share"]:
        parts.append(f"{round(100 * e['question_share'])} % questions")
    if e["terms"]:
        parts.append("about " + ", ".join(e["terms"][:4]))
    return f"{name}: " + "; ".join(parts)
