"""DetectStage on both backends: one alert per episode, escalation, explanation, restart, same state."""

from __future__ import annotations

from civicpulse.detect.signals import HOUR
from civicpulse.detect.stage import DetectStage
from civicpulse.store import Store
from civicpulse.store.detection import DetectionTables
from tests.detect.helpers import T0, item

EXPLANATION_KEYS = {
    "headline",
    "now",
    "expected",
    "growth",
    "spread",
    "places",
    "terms",
    "samples",
    "series",
    "findings",
}


def feed(stage: DetectStage, start: int, times: list[float], story: int = 7) -> None:
    for n, t in enumerate(times, start=start):
        stage.process(item(n, t, story, units=("26734",)))
    stage.flush()


def background(n: int = 60) -> list[float]:
    """One item every half hour for `n` half hours, so the story has a quiet past."""
    return [T0 + i * 1800 for i in range(n)]


def burst(start: float, count: int, every_s: float = 30.0) -> list[float]:
    return [start + i * every_s for i in range(count)]


def test_a_burst_raises_one_alert_with_its_explanation(store: Store) -> None:
    stage = DetectStage(store)
    feed(stage, 1, background())
    end = T0 + 60 * 1800
    feed(stage, 100, burst(end, 25))
    feed(stage, 200, burst(end + 800, 5))  # still the same episode: no second alert
    found = DetectionTables(store).alerts()
    story_alerts = [a for a in found if a["subject_kind"] == "story"]
    assert len(story_alerts) == 1
    alert = story_alerts[0]
    assert alert["status"] == "new"
    assert set(alert["explanation"]) >= EXPLANATION_KEYS
    assert alert["explanation"]["places"] == ["26734"]
    assert len(alert["explanation"]["series"]) == 24
    assert alert["headline"].startswith("story 7")
    assert DetectionTables(store).history(alert["id"])[0]["action"] == "new"


def test_an_episode_escalates_when_it_keeps_growing(store: Store) -> None:
    stage = DetectStage(store)
    feed(stage, 1, background())
    end = T0 + 60 * 1800
    feed(stage, 100, burst(end, 15, 60.0))
    feed(stage, 200, burst(end + 900, 60, 10.0))
    alert = next(a for a in DetectionTables(store).alerts() if a["subject_kind"] == "story")
    assert alert["level"] >= 2
    assert alert["escalated_at"] is not None
    assert [h["action"] for h in DetectionTables(store).history(alert["id"])][:2] == ["new", "escalated"]


def test_a_new_episode_after_a_quiet_gap_raises_a_new_alert(store: Store) -> None:
    stage = DetectStage(store)
    feed(stage, 1, background())
    end = T0 + 60 * 1800
    feed(stage, 100, burst(end, 25))
    feed(stage, 200, [end + 7 * HOUR + i * 1800 for i in range(60)])
    feed(stage, 300, burst(end + 40 * HOUR, 25))
    assert len([a for a in DetectionTables(store).alerts() if a["subject_kind"] == "story"]) == 2


def test_a_restart_resumes_with_the_same_state(store: Store) -> None:
    stage = DetectStage(store)
    feed(stage, 1, background())
    feed(stage, 100, burst(T0 + 60 * 1800, 25))
    stage.save_terms()
    again = DetectStage(store)
    assert again.clock == stage.clock
    assert {k: s.to_state() for k, s in again.series.items()} == {
        k: s.to_state() for k, s in stage.series.items()
    }
    assert again.rates.to_state() == stage.rates.to_state()
    assert again.key_rates.to_state() == stage.key_rates.to_state() and stage.key_rates.total > 0
    assert set(again.book.episodes) == set(stage.book.episodes)
    # The open episode survives the restart: more of the same burst adds no alert.
    feed(again, 200, burst(T0 + 60 * 1800 + 900, 5))
    assert len([a for a in DetectionTables(store).alerts() if a["subject_kind"] == "story"]) == 1


def test_memory_is_bounded_by_max_subjects() -> None:
    from civicpulse.detect.stage import DetectOptions

    stage = DetectStage(None, options=DetectOptions(max_subjects=50))
    for n in range(500):
        stage.process(item(n, T0 + n, story=n))
        if n % 50 == 0:
            stage.flush()
    stage.flush()
    assert len(stage.series) <= 51


def test_an_answered_subject_is_read_from_clarification_links(store: Store) -> None:
    stage = DetectStage(store)
    stage.link_answer(("story", "7"))
    assert ("story", "7") in stage._answered
