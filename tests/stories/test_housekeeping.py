"""Housekeeping: dormant stories revive on a clear match, converging stories merge, phrases keep accents."""

from __future__ import annotations

import json
import math

from civicpulse.stories import Doc, StoryClusterer
from civicpulse.understand.tokens import terms_surface

DAY = 86_400.0


def doc(doc_id: str, text: str, time: float = 0.0, **fields: object) -> Doc:
    return Doc(id=doc_id, terms=text.split(), time=time, **fields)  # type: ignore[arg-type]


def test_a_dormant_story_revives_on_a_clear_match() -> None:
    clusterer = StoryClusterer(idle_horizon_s=DAY, maintain_every=2)
    old = clusterer.learn_one(doc("1", "flood thu duc canal tide pump", time=0.0))
    clusterer.learn_one(doc("2", "metro line ticket price", time=2 * DAY))
    assert old not in clusterer.stories
    assert clusterer.learn_one(doc("3", "flood thu duc canal tide pump", time=40 * DAY)) == old
    assert clusterer.stories[old].items == 2
    history = [h["action"] for h in clusterer.drain().history if h["story_id"] == old]
    assert history == ["created", "dormant", "revived"]


def test_a_loose_match_does_not_revive() -> None:
    clusterer = StoryClusterer(idle_horizon_s=DAY, maintain_every=2)
    old = clusterer.learn_one(doc("1", "flood thu duc canal tide pump", time=0.0))
    clusterer.learn_one(doc("2", "metro line ticket price", time=2 * DAY))
    assert clusterer.learn_one(doc("3", "flood school exam grade class", time=40 * DAY)) != old


def test_converging_stories_merge_into_the_older_one() -> None:
    clusterer = StoryClusterer(threshold=0.9, merge_threshold=0.5, maintain_every=4)
    first = clusterer.learn_one(doc("1", "flood canal tide pump dyke"))
    second = clusterer.learn_one(doc("2", "flood canal tide pump road"))
    assert first != second
    clusterer.learn_one(doc("3", "school exam grade"))
    clusterer.learn_one(doc("4", "metro ticket price"))
    assert second not in clusterer.stories
    survivor = clusterer.stories[first]
    assert survivor.items == 2 and survivor.distinct == 2
    changes = clusterer.drain()
    assert [(s.id, into) for s, into in changes.merged] == [(second, first)]
    merges = [h for h in changes.history if h["action"] == "merged"]
    assert [(h["story_id"], h["details"]) for h in merges] == [(second, {"merged_into": first})]
    # A copy of an item of the absorbed story follows it into the survivor.
    assert clusterer.learn_one(doc("5", "x", dup_of="2")) == first


def test_key_phrases_keep_their_diacritics() -> None:
    clusterer = StoryClusterer()
    text = "Cấp sổ đỏ cho người dân"
    found, surface = terms_surface(text, "vi", surface=True)
    sid = clusterer.learn_one(Doc(id="1", terms=found, time=0.0, surface=surface))
    phrases = clusterer.stories[sid].key_phrases()
    assert "cấp sổ" in phrases and "người dân" in phrases
    assert not any(p.isascii() for p in phrases if p != "cho")


def _fresh() -> StoryClusterer:
    return StoryClusterer(idle_horizon_s=1.5 * DAY, maintain_every=3)


def _cut_after_nine() -> tuple[list[Doc], list[int], StoryClusterer, list[int]]:
    """A stream with shelving and merges: every item's story in one run, and a second run stopped after 9."""
    texts = ["flood canal tide", "metro ticket price", "flood canal tide", "school exam", "flood canal"]
    built = [doc(str(i), t, time=i * DAY) for i, t in enumerate(texts * 4)]
    whole = _fresh()
    expected = [whole.learn_one(d) for d in built]
    first = _fresh()
    return built, expected, first, [first.learn_one(d) for d in built[:9]]


def test_shelf_and_merges_survive_a_restart() -> None:
    built, expected, first, got = _cut_after_nine()
    state = json.loads(json.dumps(first.to_state()))
    stories = [
        type(s).from_state(s.id, json.loads(json.dumps(s.to_state())), label=s.label, items=s.items)
        for s in first.stories.values()
    ]
    second = _fresh()
    second.load_state(state, stories)
    got += [second.learn_one(d) for d in built[9:]]
    assert got == expected


def test_the_index_and_norms_follow_revives_merges_and_evictions() -> None:
    """Postings hold each live story's current (unscaled) weights and `roots` its norms, through every kind
    of change, a rebase of the lazy fading scale included."""
    texts = ["flood canal tide", "metro ticket price", "flood canal tide pump", "school exam", "flood canal"]
    clusterer = StoryClusterer(
        threshold=0.9, idle_horizon_s=1.5 * DAY, maintain_every=3, merge_threshold=0.5, half_life_s=DAY / 100
    )
    for i, text in enumerate(texts * 4):
        clusterer.learn_one(doc(str(i), text, time=i * DAY / 2))
    assert {"dormant", "revived", "merged"} <= {h["action"] for h in clusterer.drain().history}
    # 50 half-lives between items: every story that grew after its first item was rebased to scale 1.
    assert all(s.scale == 1.0 for s in clusterer.stories.values())
    for term, posting in clusterer.index.items():
        assert all(weight == clusterer.stories[sid].weights[term] for sid, weight in posting.items())
    held = {(term, s.id) for s in clusterer.stories.values() for term in s.weights}
    assert held == {(term, sid) for term, posting in clusterer.index.items() for sid in posting}
    assert clusterer.roots == {sid: math.sqrt(s.norm2) for sid, s in clusterer.stories.items()}


def _before_lazy_fading(state: dict[str, object]) -> dict[str, object]:
    """A story state as saved before lazy fading: faded weights themselves, no scale."""
    old = dict(state)
    scale = float(old.pop("scale"))  # type: ignore[arg-type]
    weights: dict[str, float] = old["weights"]  # type: ignore[assignment]
    old["weights"] = {term: w * scale for term, w in weights.items()}
    old["norm2"] = float(old["norm2"]) * scale * scale  # type: ignore[arg-type]
    return old


def test_states_saved_before_lazy_fading_still_load() -> None:
    """Checkpoints and story rows written before stories kept a scale load as scale 1 and continue alike."""
    built, expected, first, got = _cut_after_nine()
    assert any(s.scale < 1.0 for s in first.stories.values())
    state = json.loads(json.dumps(first.to_state()))
    state["shelf"] = [_before_lazy_fading(row) for row in state["shelf"]]
    assert state["shelf"], "the old checkpoint should carry a shelved story"
    stories = [
        type(s).from_state(s.id, _before_lazy_fading(json.loads(json.dumps(s.to_state()))), label=s.label)
        for s in first.stories.values()
    ]
    second = _fresh()
    second.load_state(state, stories)
    for sid, story in second.stories.items():
        live = first.stories[sid]
        assert story.scale == 1.0
        assert story.weights.keys() == live.weights.keys()
        assert all(math.isclose(w, live.weights[t] * live.scale) for t, w in story.weights.items())
        assert math.isclose(math.sqrt(story.norm2), math.sqrt(live.norm2) * live.scale)
    got += [second.learn_one(d) for d in built[9:]]
    assert got == expected
