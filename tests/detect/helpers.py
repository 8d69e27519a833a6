"""Builders for detection tests: observations, series with a burst, items with a story."""

from __future__ import annotations

from datetime import UTC, datetime

from civicpulse.detect.signals import HOUR, Observation, Series
from civicpulse.models import Enrichment, Item, ItemKind

T0 = datetime(2025, 9, 1, tzinfo=UTC).timestamp()


def series(counts_per_hour: list[int], *, start: float = T0, kind: str = "social") -> Series:
    """Return a series with `counts_per_hour[i]` distinct items spread over hour i."""
    s = Series(first_seen=start, last_seen=start, source_kind=kind)
    for hour, count in enumerate(counts_per_hour):
        for n in range(count):
            s.add(Observation(time=start + hour * HOUR + (n + 1) * HOUR / (count + 1), item_id=f"{hour}-{n}"))
    return s


def item(
    n: int,
    t: float,
    story: int | None,
    text: str = "ngập sâu ở Thủ Đức",
    lang: str = "vi",
    **enrichment: object,
) -> Item:
    """Return a stored-looking item at epoch `t` in story `story`."""
    return Item(
        key=f"k{n}",
        text=text,
        kind=ItemKind.POST,
        id=n,
        source_id=None,
        platform="test",
        published_at=datetime.fromtimestamp(t, UTC),
        enrichment=Enrichment(lang=lang, story_id=story, **enrichment),  # type: ignore[arg-type]
    )
