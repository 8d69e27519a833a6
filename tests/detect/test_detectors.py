"""Detector contract (river's verbs) and each detector's behaviour on quiet, small and bursting series."""

from __future__ import annotations

import dataclasses

import pytest
from scipy.stats import poisson

from civicpulse.detect.baselines import (
    CountModelDetector,
    EmmBaselineDetector,
    WindowBaselineDetector,
    tail,
)
from civicpulse.detect.dynamics import InformationVoidDetector, SpreadDetector, ToneDetector, VelocityDetector
from civicpulse.detect.findings import Context
from civicpulse.detect.score import EmmScorer, HotspotScorer
from civicpulse.detect.signals import HOUR, Observation, Series
from tests.detect.helpers import T0, series

DETECTORS = [
    CountModelDetector,
    WindowBaselineDetector,
    EmmBaselineDetector,
    VelocityDetector,
    SpreadDetector,
    InformationVoidDetector,
    ToneDetector,
]


@pytest.mark.parametrize("cls", DETECTORS, ids=lambda c: c.__name__)
def test_contract(cls: type) -> None:
    detector = cls()
    assert not detector.detected
    steady = series([2] * 30)
    detector.update(steady, Context(now=steady.last_seen))
    finding = detector.finding
    assert finding.detector == detector.name
    assert 0.0 <= finding.score <= 1.0
    assert not detector.detected, "a steady series is not a hotspot"
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.score = 1.0  # type: ignore[misc, unused-ignore]
    with pytest.raises(AttributeError):
        detector.detected = True  # read-only result
    detector._reset()
    assert not detector.detected


@pytest.mark.parametrize("cls", [CountModelDetector, WindowBaselineDetector, EmmBaselineDetector])
def test_volume_detectors_fire_on_a_burst_over_a_steady_past(cls: type) -> None:
    burst = series([2] * 30 + [40])
    detector = cls()
    detector.update(burst, Context(now=burst.last_seen))
    assert detector.detected


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_small_counts_never_fire_the_count_model(count: int) -> None:
    s = series([count])
    detector = CountModelDetector()
    detector.update(s, Context(now=s.last_seen))
    assert not detector.detected


def test_count_model_tail_is_poisson_when_dispersion_is_large() -> None:
    assert tail(7, 2.0, 1e9) == pytest.approx(poisson.sf(6, 2.0), rel=1e-5)
    assert tail(7, 2.0, 4.0) > tail(7, 2.0, 1e9), "overdispersion makes the same count less surprising"
    assert tail(0, 2.0, 4.0) == 1.0


def test_count_model_uses_the_hour_of_week_baseline() -> None:
    # Every Monday 9:00 brings 30 items; a Monday 9:00 with 30 more is ordinary, a Tuesday 9:00 is not.
    weekly = [30 if h % 168 == 9 else 1 for h in range(3 * 168 + 10)]
    s = series(weekly)
    detector = CountModelDetector(window_s=HOUR)
    detector.update(s, Context(now=s.last_seen))
    assert detector.finding.details["baseline"] == "hour_of_week"
    assert not detector.detected


def test_chance_keeps_a_common_term_quiet() -> None:
    s = series([26])  # 13 in the last half hour
    rare, common = CountModelDetector(), CountModelDetector()
    rare.update(s, Context(now=s.last_seen, chance=0.1))
    common.update(s, Context(now=s.last_seen, chance=20.0))
    assert rare.detected
    assert not common.detected


def test_window_baseline_is_confirmed_against_the_same_hour_of_previous_days() -> None:
    daily = [20 if h % 24 == 12 else 1 for h in range(5 * 24 + 13)]
    s = series(daily)
    detector = WindowBaselineDetector()
    detector.update(s, Context(now=s.last_seen))
    assert detector.finding.details["confirmed"] is False
    assert not detector.detected


def test_velocity_fires_on_a_young_fast_story_only() -> None:
    young = Series(first_seen=T0, last_seen=T0)
    for n in range(12):
        young.add(Observation(time=T0 + n * 60))
    detector = VelocityDetector()
    detector.update(young, Context(now=young.last_seen, kind="story"))
    assert detector.detected
    detector.update(young, Context(now=young.last_seen, kind="topic"))
    assert not detector.detected


def test_spread_fires_when_a_claim_jumps_to_many_sources() -> None:
    s = Series(first_seen=T0, last_seen=T0)
    for n, source in enumerate("abcd"):
        s.add(Observation(time=T0 + n * 60, source=source, platform=f"p{n % 2}"))
    detector = SpreadDetector()
    detector.update(s, Context(now=s.last_seen))
    assert detector.detected
    assert detector.finding.details["platforms"] == 2


def test_information_void_goes_quiet_once_answered() -> None:
    s = Series(first_seen=T0, last_seen=T0)
    for n in range(6):
        s.add(Observation(time=T0 + n * 60, question=n % 2 == 0, labelled=True))
    detector = InformationVoidDetector()
    detector.update(s, Context(now=s.last_seen))
    assert detector.detected
    detector.update(s, Context(now=s.last_seen, answered=True))
    assert not detector.detected


def test_tone_fires_when_negativity_rises() -> None:
    s = Series(first_seen=T0, last_seen=T0)
    for n in range(20):
        s.add(Observation(time=T0 + n * 300, labelled=True))
    for n in range(8):
        s.add(Observation(time=T0 + 2 * HOUR + n * 60, negative=True, labelled=True))
    detector = ToneDetector()
    detector.update(s, Context(now=s.last_seen))
    assert detector.detected


def test_hotspot_score_combines_weights_and_needs_mass() -> None:
    scorer = HotspotScorer()
    assert sum(scorer.weights.values()) == pytest.approx(1.0)
    small = series([3])
    assert not scorer.score(small, Context(now=small.last_seen)).hot
    burst = series([1] * 24 + [40])
    verdict = scorer.score(burst, Context(now=burst.last_seen, kind="topic"))
    assert verdict.hot
    assert "count" in verdict.fired()
    assert not scorer.score(burst, Context(now=burst.last_seen, kind="topic"), multiplier=10.0).hot


def test_emm_scorer_is_the_reference_rule_alone() -> None:
    burst = series([1] * 24 + [40])
    verdict = EmmScorer().score(burst, Context(now=burst.last_seen))
    assert verdict.hot
    assert verdict.fired() == ["emm"]


def test_a_story_needs_a_primary_detector_a_topic_may_rest_on_its_window() -> None:
    """Eight items in half an hour: the window ratio fires with the count model's support, under its floor."""
    s = series([1, 1] + [0] * 10 + [16])
    topic = HotspotScorer().score(s, Context(now=s.last_seen, kind="topic"))
    assert topic.hot
    assert topic.fired() == ["window"]
    story = HotspotScorer().score(s, Context(now=s.last_seen, kind="story"))
    assert story.fired() == ["window"]
    assert not story.hot


def test_a_news_story_may_rest_on_its_day_window() -> None:
    """A news story's window is a day against 14 days: 16 articles today after three quiet days."""
    s = series([0] * 72 + [16], kind="feed")
    news = HotspotScorer().score(s, Context(now=s.last_seen, kind="story"))
    assert news.fired() == ["window"]
    assert news.hot
