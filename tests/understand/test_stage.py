from datetime import timedelta
from typing import Any

from civicpulse.models import Topic
from civicpulse.store import Store
from civicpulse.store.understanding import EnrichmentTables, TopicTables
from civicpulse.understand.stage import TopicStage, UnderstandStage
from tests import factories

ARTICLE = (
    "Mưa lớn kéo dài từ chiều qua khiến nhiều tuyến đường ở Thủ Đức ngập sâu, người dân phải dắt xe "
    "lội nước về nhà; lực lượng chức năng đã điều xe bồn hút nước và phân luồng giao thông tại các điểm "
    "ngập nặng nhất như Kha Vạn Cân và Phạm Văn Đồng."
)


def _stored(store: Store, *texts: str) -> list[Any]:  # items with ids (tests index by them)
    return store.add_items(
        factories.item(text, title="", url=f"https://e.vn/{i}") for i, text in enumerate(texts)
    )


def test_understand_stage_enriches_and_stores_once_per_batch(store: Store) -> None:
    original, copy, post = _stored(
        store, ARTICLE, ARTICLE + " (Theo Tuổi Trẻ)", "ko dc di hoc vi ngap qua mn oi 😭"
    )
    stage = UnderstandStage(store)
    results = [stage.process(item) for item in (original, copy, post)]
    assert EnrichmentTables(store).get([original.id]) == {}
    stage.flush()
    stored = EnrichmentTables(store).get([original.id, copy.id, post.id])
    assert stored[copy.id].dup_of == original.id
    assert stored[original.id].dup_of is None
    assert stored[post.id].lang == "vi"
    assert stored[post.id].features == {"emoji": ["😭"]}
    assert stored[post.id].analysis_text.startswith("không được")
    assert results[1].enrichment == stored[copy.id]


def test_other_languages_are_identified_and_keep_their_words(store: Store) -> None:
    dutch, spanish = _stored(
        store,
        "Wij hebben hem gisteren nog gezien, de dijk bij Roermond houdt het niet",
        "Inundaciones en Valencia, el agua entra en las casas, ko hay luz",
    )
    stage = UnderstandStage(store)
    out = [stage.process(item).enrichment for item in (dutch, spanish)]
    assert [e.lang for e in out] == ["nl", "es"]
    # Vietnamese abbreviations are not expanded in them: `hem` stays, it is not `hẻm`.
    assert "hebben hem gisteren" in out[0].analysis_text
    assert out[1].analysis_text.endswith("ko hay luz")


def test_a_restarted_stage_links_copies_of_items_seen_before(store: Store) -> None:
    original, copy = _stored(store, ARTICLE, ARTICLE + " Cập nhật.")
    first = UnderstandStage(store)
    first.process(original)
    first.flush()
    again = UnderstandStage(store)
    assert again.process(copy).enrichment.dup_of == original.id


def test_enrichment_upserts_keep_other_stages_columns(store: Store) -> None:
    (item,) = _stored(store, ARTICLE)
    tables = EnrichmentTables(store)
    stage = UnderstandStage(store)
    enriched = stage.process(item).enrichment
    from dataclasses import replace

    tables.save([(item.id, replace(enriched, story_id=7))], columns=("story_id",))
    stage.process(item)
    stage.flush()
    assert tables.get([item.id])[item.id].story_id == 7


def test_topic_stage_matches_stores_idempotently_and_reloads(store: Store) -> None:
    tables = TopicTables(store)
    flood = tables.add(Topic(name="flood", query='ngập AND "Thủ Đức"', category="flooding"))
    (item,) = _stored(store, ARTICLE)
    stage = TopicStage(store, reload_every=timedelta(0))
    assert stage.process(item).enrichment.topic_ids == (flood.id,)
    stage.flush()
    stage.process(item)
    stage.flush()
    assert tables.topics_of(item.id) == (flood.id,)
    assert tables.match_counts() == {flood.id: 1}
    traffic = tables.add(Topic(name="traffic", query="phân luồng"))
    assert stage.process(item).enrichment.topic_ids == (flood.id, traffic.id)


def test_topics_are_upserted_by_name(store: Store) -> None:
    tables = TopicTables(store)
    first = tables.add(Topic(name="flood", query="ngập"))
    second = tables.add(Topic(name="flood", query="ngập OR lụt", category="flooding"))
    assert first.id == second.id
    assert [(t.query, t.category) for t in tables.topics()] == [("ngập OR lụt", "flooding")]
