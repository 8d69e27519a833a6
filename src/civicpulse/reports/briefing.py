"""What a daily briefing holds: top stories, new and overdue cases, clarifications and impact, source health.

A briefing covers one local day (Ho Chi Minh City time, UTC+7) for the whole city or for one unit; a unit's
briefing keeps only the stories and cases that touch that unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from civicpulse.models import Case, Clarification
from civicpulse.respond.cases import OPEN
from civicpulse.respond.impact import Impact, measure
from civicpulse.respond.units import Directory, directory
from civicpulse.store import Store
from civicpulse.store.activity import StoryVolume, busiest_stories
from civicpulse.store.clarifications import ClarificationTables
from civicpulse.store.response import ResponseTables
from civicpulse.understand.places import unit_codes

CITY_ZONE = timezone(timedelta(hours=7), "ICT")
TOP_STORIES = 10


@dataclass(frozen=True)
class SourceLine:
    """One source's health for the briefing."""

    name: str
    failing: bool
    error: str
    last_success_at: datetime | None


@dataclass(frozen=True)
class Briefing:
    """Everything one briefing shows."""

    day: date
    unit: str
    unit_name: str
    start: datetime
    end: datetime
    generated_at: datetime
    stories: tuple[StoryVolume, ...]
    hours: tuple[tuple[datetime, int], ...]
    new_cases: tuple[Case, ...]
    overdue_cases: tuple[Case, ...]
    clarifications: tuple[tuple[Clarification, Impact | None], ...]
    sources: tuple[SourceLine, ...]
    names: dict[str, str]

    @property
    def title(self) -> str:
        where = self.unit_name or "Thành phố Hồ Chí Minh"
        return f"Bản tin sáng {self.day:%d/%m/%Y} — {where}"


def day_window(day: date) -> tuple[datetime, datetime]:
    """The local day `day` as a UTC [start, end)."""
    start = datetime.combine(day, time.min, CITY_ZONE).astimezone(UTC)
    return start, start + timedelta(days=1)


def build(store: Store, day: date, unit: str = "", now: datetime | None = None) -> Briefing:
    """Gather the briefing of `day` for the city (or for `unit`)."""
    now = now or datetime.now(UTC)
    start, end = day_window(day)
    names = directory(store)
    stories = [s for s in busiest_stories(store, start, end) if not unit or unit in unit_codes(s.units)]
    tables = ResponseTables(store)
    scope = [unit] if unit else None
    new = tables.cases(units=scope, opened_since=start)
    new = [c for c in new if c.opened_at and c.opened_at < end]
    at = min(now, end)
    open_cases = tables.cases(units=scope, statuses=[str(s) for s in OPEN])
    overdue = [c for c in open_cases if c.answer_due_at and c.answer_due_at < at]
    published = [
        c
        for c in ClarificationTables(store).find(limit=50)
        if c.published_at and c.published_at >= start - timedelta(days=7)
    ]
    if unit:
        story_set = {s.story_id for s in stories}
        published = [c for c in published if story_set & set(c.story_ids)]
    return Briefing(
        day=day,
        unit=unit,
        unit_name=names.name(unit) if unit else "",
        start=start,
        end=end,
        generated_at=now,
        stories=tuple(stories[:TOP_STORIES]),
        hours=tuple(_hours(store, start, end)),
        new_cases=tuple(new),
        overdue_cases=tuple(overdue),
        clarifications=tuple((c, measure(store, c, at)) for c in published),
        sources=tuple(_sources(store)),
        names=_names(names),
    )


def _hours(store: Store, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    counts = store.hourly_counts(start)
    hours = int((end - start).total_seconds() // 3600)
    return [(start + timedelta(hours=h), counts.get(start + timedelta(hours=h), 0)) for h in range(hours)]


def _sources(store: Store) -> list[SourceLine]:
    out = []
    for source in store.sources(enabled_only=True):
        state = store.source_state(source.id or 0)
        out.append(
            SourceLine(source.name, state.error_streak > 0, state.last_error[:200], state.last_success_at)
        )
    return sorted(out, key=lambda s: (not s.failing, s.name.lower()))


def _names(found: Directory) -> dict[str, str]:
    return {r.code: r.name for r in found.all()}
