"""The laid pipeline, end to end: stored items come out understood, geotagged and matched to topics."""

from __future__ import annotations

from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.detect.stage import DetectStage
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


def test_items_in_languages_outside_the_platforms_go_through_every_stage(
    settings: Settings, store: Store
) -> None:
    """Spanish and German items are told apart, classified, clustered apart and counted under their stems."""
    stored = store.add_items(
        [
            factories.item("Inundaciones en Valencia: el agua entra en las casas del barrio", url="u:es1"),
            factories.item(
                "Hochwasser in Dresden: die Elbe steigt weiter, Keller werden geräumt", url="u:de"
            ),
            factories.item("Valencia inundada, cortan la autovía y suspenden las clases", url="u:es2"),
        ]
    )
    pipeline = lay_pipe(settings, store)
    assert pipeline.submit(stored) == 3
    assert pipeline.counts["done"] == 3
    ids = [i.id for i in stored if i.id is not None]
    saved = EnrichmentTables(store).get(ids)
    es1, de, es2 = (saved[i] for i in ids)
    assert (es1.lang, de.lang, es2.lang) == ("es", "de", "es")
    assert all(set(e.labels) == {"sentiment", "toxicity", "concern", "scam"} for e in (es1, de, es2))
    assert de.story_id is not None and de.story_id not in {es1.story_id, es2.story_id}
    detect = next(stage for stage in pipeline.stages if isinstance(stage, DetectStage))
    # "inundaciones" and "inundada" pool under the Spanish stem; "hochwasser" under the German one.
    assert detect.key_rates.seen("inund") == 2
    assert detect.key_rates.seen("hochwass") == 1
