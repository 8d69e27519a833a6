"""One contract for every pipeline stage (STYLE 20): identity kept, odd text survives, redelivery is harmless.

Each stage of every worker group gets the same checks, on items that went through the stages before it:
- it returns the same item (same id and key), enriched, or ends it with a named outcome (Skip, Quarantine);
- odd input (empty-ish, emoji only, mixed scripts, very long, control characters, languages outside the
  platform's twelve) never raises anything else;
- processing the same item a second time (a redelivery) gives the same result and stores nothing twice.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civicpulse.config import Settings
from civicpulse.errors import Outcome
from civicpulse.models import Item
from civicpulse.pipeline.stage import Stage
from civicpulse.pipeline.topology import GROUPS
from civicpulse.store import Store
from civicpulse.store.schema import metadata
from tests import factories

TEXTS = [
    "Nước ngập sâu ở phường Linh Xuân, TP Thủ Đức sau cơn mưa chiều nay, xe chết máy hàng loạt",
    "Heavy rain floods streets in District 1 this afternoon; residents ask when the pumps will run",
    "Chuyển khoản 2 triệu để nhận việc làm online, gửi mã OTP cho cán bộ qua số 0901234567",
    "😡😡😡 !!! ???",
    "k dc j ca, tp hcm ngap qua ae oi",
    "Inundaciones en Valencia: el agua entra en las casas del barrio",  # languages outside the platform's 12
    "Hochwasser in Dresden: die Elbe steigt weiter, Keller werden geräumt",
    "मुंबई में भारी बारिश से कई इलाकों में पानी भर गया है",
    "Kẹt xe " * 5_000,
    "دا\u200b\u202etest\u0007 ảnh hưởng 中文 混合",
]


def laid(settings: Settings, store: Store) -> list[tuple[str, Stage]]:
    return [(group, stage) for group, build in GROUPS.items() for stage in build(settings, store)]


def row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def run(stage: Stage, item: Item) -> Item | Outcome:
    try:
        out = stage.process(item)
    except Outcome as outcome:
        return outcome
    if flush := getattr(stage, "flush", None):
        flush()
    return out


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_stage_keeps_identity_survives_odd_text_and_ignores_redelivery(
    group: str, settings: Settings, sqlite_store: Store
) -> None:
    pipe = laid(settings, sqlite_store)
    stages = [stage for _, stage in pipe]
    assert all(s.name for s in stages) and len({s.name for s in stages}) == len(stages)
    for position, (in_group, stage) in enumerate(pipe):
        if in_group == group:
            check(stage, stages[:position], sqlite_store)


def check(stage: Stage, before_it: list[Stage], store: Store) -> None:
    texts = enumerate(TEXTS)
    items = store.add_items(
        [factories.item(t, url=f"https://example.org/{stage.name}/{n}") for n, t in texts]
    )
    for item in items:
        for before in before_it:  # the stages that run before this one
            result = run(before, item)
            if isinstance(result, Outcome):
                break
            item = result  # noqa: PLW2901 (each stage's output is the next one's input)
        else:
            first = run(stage, item)
            if isinstance(first, Outcome):
                assert str(first).strip()
                continue
            assert (first.id, first.key) == (item.id, item.key)
            counts = row_counts(store)
            again = run(stage, item)
            assert again == first, f"{stage.name}: a redelivery changed the result"
            assert row_counts(store) == counts, f"{stage.name}: a redelivery stored rows twice"
