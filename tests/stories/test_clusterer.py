"""The clusterer on its own: joins, new stories, fading, duplicates, eviction, state round trip."""

from __future__ import annotations

import json
from datetime import datetime

from civicpulse.eval.metrics import clustering_scores
from civicpulse.stories import Doc, StoryClusterer
from civicpulse.understand.tokens import terms
from tests.stories.synthetic import stream

DAY = 86_400.0


def docs() -> tuple[list[Doc], list[str]]:
    rows = stream()
    built = [
        Doc(
            id=r["id"],
            terms=terms(r["text"], "en"),
            time=datetime.fromisoformat(r["time"]).timestamp(),
            title=r["title"],
        )
        for r in rows
    ]
    return built, [r["story"] for r in rows]


def doc(doc_id: str, text: str, time: float = 0.0, **fields: object) -> Doc:
    return Doc(id=doc_id, terms=text.split(), time=time, **fields)  # type: ignore[arg-type]


def test_same_words_join_and_other_words_start_a_story() -> None:
    clusterer = StoryClusterer()
    first = clusterer.learn_one(doc("1", "flood thu duc canal rain"))
    assert clusterer.learn_one(doc("2", "flood thu duc rain night")) == first
    assert clusterer.learn_one(doc("3", "metro line ticket price")) != first
    assert clusterer.predict_one(doc("4", "canal flood thu duc")) == first
    assert clusterer.predict_one(doc("5", "unrelated words entirely")) is None


def test_predict_one_changes_nothing() -> None:
    clusterer = StoryClusterer()
    clusterer.learn_one(doc("1", "flood thu duc canal rain"))
    before = json.dumps(clusterer.to_state(), sort_keys=True)
    clusterer.predict_one(doc("2", "flood thu duc"))
    assert json.dumps(clusterer.to_state(), sort_keys=True) == before


def test_an_old_story_does_not_absorb_a_loosely_similar_item() -> None:
    clusterer = StoryClusterer(idle_half_life_items=0)
    old = clusterer.learn_one(doc("1", "flood thu duc canal rain tide", time=0.0))
    assert clusterer.learn_one(doc("2", "flood canal water level", time=1.0)) == old
    assert clusterer.learn_one(doc("3", "flood canal water pump", time=60 * DAY)) != old


def test_near_duplicates_join_the_original_and_do_not_count_as_distinct() -> None:
    clusterer = StoryClusterer()
    sid = clusterer.learn_one(doc("1", "flood thu duc canal rain", source="a"))
    assert clusterer.learn_one(doc("2", "completely other text", dup_of="1", source="b")) == sid
    story = clusterer.stories[sid]
    assert (story.items, story.distinct, story.sources) == (2, 1, ["a", "b"])


def test_idle_stories_are_evicted_as_dormant() -> None:
    clusterer = StoryClusterer(idle_horizon_s=DAY, maintain_every=2)
    old = clusterer.learn_one(doc("1", "flood thu duc canal", time=0.0))
    clusterer.learn_one(doc("2", "metro line ticket", time=2 * DAY))
    changes = clusterer.drain()
    assert old not in clusterer.stories
    assert [s.id for s in changes.dormant] == [old]
    assert {h["action"] for h in changes.history} == {"created", "dormant"}
    assert all("flood" not in clusterer.index or old not in p for p in clusterer.index.values())


def test_the_story_cap_bounds_memory() -> None:
    clusterer = StoryClusterer(max_stories=10, maintain_every=5)
    for i in range(100):
        clusterer.learn_one(doc(str(i), f"word{i} other{i}", time=float(i)))
    assert len(clusterer.stories) <= 15
    assert all(clusterer.stories.get(sid) for posting in clusterer.index.values() for sid in posting)


def test_dense_vectors_are_blended_when_both_sides_have_one() -> None:
    lexical = StoryClusterer(vector_weight=0.0)
    blended = StoryClusterer(vector_weight=0.9, vector_floor=0.5)
    for clusterer in (lexical, blended):
        first = doc("1", "flood canal rain tide pump dyke road ward night water", vector=(1.0, 0.0))
        clusterer.learn_one(first)
    probe = doc("2", "flood school fee exam grade pupil class term book test", vector=(1.0, 0.05))
    assert lexical.predict_one(probe) is None
    assert blended.predict_one(probe) is not None


def test_synthetic_stream_is_recovered() -> None:
    built, gold = docs()
    clusterer = StoryClusterer()
    predicted = [clusterer.learn_one(d) for d in built]
    scores = clustering_scores(gold, predicted)
    assert scores.nmi >= 0.95
    assert scores.bcubed_f1 >= 0.9


def test_state_round_trip_continues_identically() -> None:
    built, _ = docs()
    whole = StoryClusterer(maintain_every=50, idle_horizon_s=2 * DAY)
    expected = [whole.learn_one(d) for d in built]
    first = StoryClusterer(maintain_every=50, idle_horizon_s=2 * DAY)
    half = len(built) // 2
    got = [first.learn_one(d) for d in built[:half]]
    state = json.loads(json.dumps(first.to_state()))
    stories = [
        type(s).from_state(s.id, json.loads(json.dumps(s.to_state())), label=s.label, items=s.items)
        for s in first.stories.values()
    ]
    second = StoryClusterer(maintain_every=50, idle_horizon_s=2 * DAY)
    second.load_state(state, stories)
    got += [second.learn_one(d) for d in built[half:]]
    assert got == expected
