"""Term bursts over young stories, the group alert they raise, and term rates across silent gaps."""

from __future__ import annotations

from collections import Counter

from civicpulse.detect.bursts import Burst, TermBursts
from civicpulse.detect.chance import TermRates
from civicpulse.detect.signals import HOUR, Observation
from civicpulse.detect.stage import DetectOptions, DetectStage
from civicpulse.eval.detect import Recorder, score_alerts
from tests.detect.helpers import T0, item


def _warm(rates: TermRates, n: int = 1_000, t: float = T0) -> None:
    for i in range(n):
        rates.update(["like", "get", f"chatter{i % 50}"], t + i)


def test_a_rare_term_shared_by_young_stories_bursts() -> None:
    rates, bursts = TermRates(), TermBursts()
    _warm(rates)
    now, found = T0 + 2_000.0, []
    for i in range(6):
        obs = Observation(time=now + i, item_id=str(i), terms=("sinkhole", "like"))
        found = bursts.update(obs, str(i % 3), 60.0, rates, stream_items=40)
        rates.update(obs.terms, obs.time)
    assert [b.term for b in found] == ["sinkhole"], "a common term stays quiet"
    assert set(found[0].stories) == {"0", "1", "2"} and found[0].observed == 6


def test_one_story_old_stories_and_cold_rates_do_not_burst() -> None:
    rates, bursts = TermRates(), TermBursts()
    for i in range(8):  # cold: the rates know nothing yet, so every term would look rare
        obs = Observation(time=T0 + i, terms=("sinkhole",))
        assert not bursts.update(obs, str(i % 2), 60.0, rates, stream_items=10)
    _warm(rates)
    bursts = TermBursts()
    for i in range(8):
        obs = Observation(time=T0 + 2_000 + i, terms=("flood",))
        assert not bursts.update(obs, "7", 60.0, rates, stream_items=10), "one story is the story detectors'"
        assert not bursts.update(obs, str(i), 10 * HOUR, rates, stream_items=10), "old stories do not count"


def test_a_silent_gap_does_not_make_common_terms_rare() -> None:
    rates = TermRates()
    _warm(rates)
    before = rates.share("like", T0 + 1_000)
    after = rates.share("like", T0 + 1_000 + 30 * 86_400)  # a month without documents
    assert after > 0.9 * before > 0.5


def _chatter(stage: DetectStage, recorder: Recorder, n: int = 2_400) -> float:
    """Feed `n` items of background chatter, one every 6 s, one story each, to warm the rates; return
    the time of the last one."""
    for i in range(n):
        it = item(i + 1, T0 + 6 * i, 10_000 + i, text=f"coffee morning traffic {i % 40}", lang="en")
        stage.process(it)
        recorder.process(it)
    return T0 + 6 * (n - 1)


def test_the_stage_raises_one_group_alert_scored_over_its_stories() -> None:
    alerts: list[tuple[tuple[str, str], float]] = []
    stage = DetectStage(None, on_alert=lambda _i, s, t, e: alerts.append((s, t)) if e == "new" else None)
    recorder = Recorder()
    start = _chatter(stage, recorder) + 100.0
    for i in range(8):  # a trickle over four young stories sharing a rare term
        it = item(5_000 + i, start + 60 * i, 1 + i % 4, text=f"sinkhole swallowed a car on street {i}")
        it.extra["gold"] = {"event": "e"}
        stage.process(it)
        recorder.process(it)
    groups = [a for a in alerts if a[0][0] == "group"]
    assert len(groups) == 1 and groups[0][0][1] == "sinkhole"
    assert len(stage.alert_members[groups[0]]) >= 2
    scored = score_alerts(groups, recorder, stage.alert_members)
    assert scored["true_alerts"] == 1 and scored["events_detected"] == 1


# One word in six surface forms: no form reaches the burst floor of 5, their stem and hashtag parts do.
VARIANTS = [
    "flood warning for the valley",
    "flooding on main street now",
    "floods reached the bridge",
    "water everywhere #yycflood",
    "our basement flooded again",
    "evacuation ordered #abflood",
    "more flooding downtown",
    "roads closed by floods",
]


def _variants_alerts(options: DetectOptions) -> list[tuple[tuple[str, str], float]]:
    alerts: list[tuple[tuple[str, str], float]] = []
    stage = DetectStage(
        None, options=options, on_alert=lambda _i, s, t, e: alerts.append((s, t)) if e == "new" else None
    )
    start = _chatter(stage, Recorder()) + 100.0
    for i, text in enumerate(VARIANTS):
        stage.process(item(5_000 + i, start + 120 * i, 1 + i % 4, text=text, lang="en"))
    return alerts


def test_variants_of_one_word_burst_together_under_their_stem() -> None:
    assert max(Counter(w for t in VARIANTS for w in t.split()).values()) < TermBursts().min_items
    pooled = _variants_alerts(DetectOptions())
    assert [s for s, _ in pooled] == [("group", "flood")]
    assert not _variants_alerts(DetectOptions(term_keys=False)), "surface forms alone stay under the floor"


def test_a_burst_extends_an_open_group_only_when_most_of_its_stories_are_the_group_s() -> None:
    alerts: list[tuple[str, str]] = []
    stage = DetectStage(None, on_alert=lambda _i, s, _t, e: alerts.append(s) if e == "new" else None)

    def burst(term: str, stories: tuple[str, ...], t: float) -> None:
        obs = tuple(Observation(time=t + i, item_id=f"{term}{i}", terms=(term,)) for i in range(6))
        stage._group(Burst(term, 6, 0.01, 1e-12, stories, obs), t + 6)

    burst("sinkhole", ("1", "2"), T0)
    burst("street", ("2", "3"), T0 + 60)  # half the group's: another hotspot, its own alert
    burst("collapse", ("1", "2", "4"), T0 + 120)  # two of three are the first group's: the same hotspot
    assert alerts == [("group", "sinkhole"), ("group", "street")]
    assert list(stage.groups[("group", "sinkhole")]) == ["1", "2", "4"]
