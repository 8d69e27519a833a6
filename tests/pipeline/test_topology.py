"""The laid pipeline, end to end: stored items come out understood, geotagged and matched to topics."""

from __future__ import annotations

from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.models import Topic
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store
from civicpulse.store.understanding import EnrichmentTables, TopicTables
from tests import factories


def test_items_are_enriched_geotagged_and_matched(settings: Settings, store: Store) -> None:
    topic = TopicTables(store).add(Topic(name="Ngập", query='"ngập" AND ("Thủ Đức" OR "Linh Xuân")'))
    stored = store.add_items(
        [
            factories.item("Nước ngập sâu ở phường Linh Xuân, TP Thủ Đức sau cơn mưa chiều nay", url="u:1"),
            factories.item("Heavy rain floods streets in the city centre this afternoon", url="u:2"),
        ]
    )
    assert lay_pipe(settings, store).submit(stored) == 2
    saved = EnrichmentTables(store).get([i.id for i in stored if i.id is not None])
    vi, en = (saved[i.id] for i in stored if i.id is not None)
    assert (vi.lang, en.lang) == ("vi", "en")
    assert vi.units and not en.units
    assert set(vi.labels) == {"sentiment", "toxicity", "concern", "scam"}
    assert vi.story_id is not None and en.story_id is not None and vi.story_id != en.story_id
    assert TopicTables(store).topics_of(stored[0].id or 0) == (topic.id,)
    assert TopicTables(store).topics_of(stored[1].id or 0) == ()


def test_the_demo_goes_through_the_pipeline_it_is_given(settings: Settings, sqlite_store: Store) -> None:
    pipeline = lay_pipe(settings, sqlite_store)
    result = load_demo(settings, sqlite_store, pipeline)
    assert pipeline.counts["done"] == result.processed == result.new > 0
