"""The detect stage: updates the signals of each item's story, topics and units, and raises alerts at once.

Decisions are made in `process`, item by item, at the item's stream time, so an alert exists before the next
item is read; `flush` stores the batch's signal states and alerts in one transaction and hands new alerts to
the notifier, whose deliveries run off the pipeline's hot path.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from civicpulse.detect.alerts import AlertBook, Episode, at
from civicpulse.detect.bursts import Burst, TermBursts
from civicpulse.detect.chance import TermRates
from civicpulse.detect.findings import Context, Finding
from civicpulse.detect.lifecycle import multiplier
from civicpulse.detect.score import WEIGHTS, HotspotScorer, Verdict
from civicpulse.detect.signals import HOUR, ITEMS, Observation, Series, Subject
from civicpulse.detect.termkeys import TermKeys, hashtags
from civicpulse.models import Item, ItemKind
from civicpulse.store import Store
from civicpulse.store.detection import DetectionTables
from civicpulse.store.fencing import Fence
from civicpulse.understand.tokens import terms

STREAM: Subject = ("stream", "all")
TERMS_CHECKPOINT = "detect:terms"
KEYS_CHECKPOINT = "detect:keys"
HARMFUL = {"toxicity": {"offensive", "hate"}, "scam": {"scam"}}


@dataclass(frozen=True)
class DetectOptions:
    """Options of the detect stage."""

    max_subjects: int = 20_000
    """At most this many subjects' signals are kept in memory; the least recently seen go first."""
    max_terms: int = 64
    """Terms per item counted for chance expectations and explanations."""
    reload_every_s: float = 30.0
    """How often (wall clock) sensitivity and answered subjects are re-read from the store."""
    terms_every_s: float = 10.0
    """How often (wall clock) the term rates are checkpointed; they change slowly."""
    groups: bool = True
    """Alert on groups of young stories sharing a bursting term (`detect.bursts`)."""
    term_keys: bool = True
    """Count term bursts under stems and hashtags' known parts (`detect.termkeys`), not surface forms."""


class AlertSink(Protocol):
    """Receives the ids of stored alerts and what happened to them ("new" or "escalated")."""

    def enqueue(self, alerts: list[tuple[int, str, list[str]]]) -> None: ...

    def close(self) -> None: ...


class DetectStage:
    """Signals, detectors, hotspot score and alert episodes, fed one item at a time."""

    name = "detect"

    def __init__(
        self,
        store: Store | None,
        *,
        scorer: HotspotScorer | None = None,
        options: DetectOptions | None = None,
        sink: AlertSink | None = None,
        on_alert: Callable[[int, Subject, float, str], None] | None = None,
        fence: Fence | None = None,
    ) -> None:
        self.options = options or DetectOptions()
        self.tables = None if store is None else DetectionTables(store, fence=fence)
        self.scorer = scorer or HotspotScorer()
        self.sink = sink
        self.on_alert = on_alert
        self.book = AlertBook()
        self.rates = TermRates()
        self.keys = TermKeys() if self.options.term_keys else None
        self.key_rates = TermRates() if self.keys is not None else self.rates
        """Rates of the burst keys (the story chance counts read `rates`, by surface term)."""
        self.bursts = TermBursts()
        self.groups: dict[Subject, dict[str, None]] = {}
        """The stories of each open group episode (ordered: first joined first)."""
        self.alert_members: dict[tuple[Subject, float], tuple[Subject, ...]] = {}
        """For evaluation (filled only while `on_alert` is set): the stories a group alert covered."""
        self.series: dict[Subject, Series] = {}
        self.clock = 0.0
        self._dirty: dict[Subject, Series] = {}
        self._sensitivity: dict[str, dict[str, Any]] = {}
        self._answered: set[tuple[str, str]] = set()
        self._reloaded_at = float("-inf")
        self._terms_saved_at = time.monotonic()
        self._local_ids = 0
        self.restore()

    # -- the stage -----------------------------------------------------------------------------------

    def process(self, item: Item) -> Item:
        """Count the item in its subjects' signals and raise or escalate alerts; returns it unchanged."""
        self.reload()
        obs = observation(item, self.options.max_terms, self.keys, self.key_rates.seen)
        now = self.clock = max(self.clock, obs.time)
        self._count(STREAM, obs, "stream")
        enrichment = item.enrichment
        subjects: list[Subject] = []
        if enrichment.story_id is not None:
            subjects.append(("story", str(enrichment.story_id)))
        subjects += [("topic", str(t)) for t in enrichment.topic_ids]
        subjects += [("unit", u) for u in enrichment.units]
        for subject in subjects:
            series = self._count(subject, obs, obs.source_kind)
            ctx = Context(
                now=now,
                kind=subject[0],
                chance=self._chance(series, now) if subject[0] == "story" else 0.0,
                answered=subject in self._answered,
            )
            scope = _scope(subject, series)
            verdict = self.scorer.score(series, ctx, multiplier(self._sensitivity.get(scope)))
            if verdict.hot or subject in self.book.episodes:
                event = self.book.observe(subject, verdict, series, now, scope)
                if event and self.on_alert is not None and self.tables is None:
                    self._local_ids += event == "new"
                    self.on_alert(self._local_ids, subject, now, event)
        if self.options.groups and enrichment.story_id is not None and obs.distinct:
            story = self.series[("story", str(enrichment.story_id))]
            stream = self.series[STREAM].window(now, self.bursts.window_s, ITEMS)
            for burst in self.bursts.update(
                obs, str(enrichment.story_id), now - story.first_seen, self.key_rates, stream
            ):
                self._group(burst, now)
        if obs.distinct:
            self.rates.update(obs.terms, now)
            if self.key_rates is not self.rates:
                self.key_rates.update(obs.keys, now)
        return item

    def close(self) -> None:
        """Let the sink send what is due and stop its thread (the pipeline is closing)."""
        if self.sink is not None:
            self.sink.close()

    def flush(self) -> None:
        """Store dirty signals, new and escalated alerts and the checkpoint; hand alerts to the sink."""
        new, changed = self.book.drain()
        self.book.close_idle(self.clock)
        for subject in [s for s in self.groups if s not in self.book.episodes]:
            del self.groups[subject]
        self._evict()
        dirty, self._dirty = self._dirty, {}
        if self.tables is None:
            return
        signals = [
            {"subject_kind": k, "subject_id": i, "state": s.to_state(), "last_seen": at(s.last_seen)}
            for (k, i), s in dirty.items()
        ]
        changed_rows = [{"id": e.alert_id, **_update(e.row)} for e in changed]

        def checkpoint(ids: list[int]) -> dict[str, Any]:
            for episode, alert_id in zip(new, ids, strict=True):
                episode.alert_id = alert_id
            return self._checkpoint()

        self.tables.save(signals, [e.row for e in new], changed_rows, checkpoint)
        if time.monotonic() - self._terms_saved_at >= self.options.terms_every_s:
            self.save_terms()
        notices = [(e.alert_id, "new", _topics(e)) for e in new if e.alert_id is not None]
        notices += [(e.alert_id, "escalated", _topics(e)) for e in changed if e.alert_id is not None]
        if self.on_alert is not None:
            for e in new:
                self.on_alert(e.alert_id or 0, e.subject, e.opened_at, "new")
        if notices and self.sink is not None:
            self.sink.enqueue(notices)

    def _group(self, burst: Burst, now: float) -> None:
        """Raise or extend the alert of the young stories sharing a bursting term."""
        subject: Subject = ("group", burst.term)
        if subject not in self.book.episodes:
            # The same hotspot seen through another of its terms: extend the open group holding most of it.
            for other, stories in self.groups.items():
                if other in self.book.episodes and 2 * sum(s in stories for s in burst.stories) > len(
                    burst.stories
                ):
                    subject = other
                    break
        members = self.groups.setdefault(subject, {})
        members.update(dict.fromkeys(burst.stories))
        series = Series(first_seen=burst.observations[0].time, last_seen=now)
        for o in burst.observations:
            series.add(o)
        score = min(1.0, -math.log10(max(burst.p_value, 1e-300)) / 12.0)
        finding = Finding(
            "burst",
            detected=True,
            score=score,
            observed=burst.observed,
            expected=burst.expected,
            details={"term": burst.term, "p_value": float(f"{burst.p_value:.3g}"), "stories": list(members)},
        )
        total = WEIGHTS["count"] * score + WEIGHTS["velocity"] * min(
            1.0, burst.observed / (2.0 * self.bursts.min_items)
        )
        scope = _scope(subject, series)
        threshold = self.scorer.threshold * multiplier(self._sensitivity.get(scope))
        verdict = Verdict(
            total, total >= threshold, (finding,), {"threshold": round(threshold, 3), "mass": burst.observed}
        )
        event = self.book.observe(subject, verdict, series, now, scope)
        if event == "new":
            episode = self.book.episodes[subject]
            episode.row["explanation"]["stories"] = list(members)
            if self.on_alert is not None:
                self.alert_members[(subject, now)] = tuple(("story", s) for s in members)
            if self.tables is None and self.on_alert is not None:
                self._local_ids += 1
                self.on_alert(self._local_ids, subject, now, event)

    # -- hooks ---------------------------------------------------------------------------------------

    def link_answer(self, subject: Subject) -> None:
        """Mark a subject as answered (an official clarification is linked); its void detector goes quiet."""
        self._answered.add(subject)

    def reload(self, *, force: bool = False) -> None:
        """Re-read sensitivities and answered subjects every few seconds (wall clock)."""
        if self.tables is None or (
            not force and time.monotonic() - self._reloaded_at < self.options.reload_every_s
        ):
            return
        self._reloaded_at = time.monotonic()
        self._sensitivity = self.tables.sensitivities()
        self._answered |= self.tables.answered()

    # -- state ---------------------------------------------------------------------------------------

    def _count(self, subject: Subject, obs: Observation, kind: str) -> Series:
        series = self.series.get(subject)
        if series is None:
            series = self.series[subject] = Series(first_seen=obs.time, last_seen=obs.time, source_kind=kind)
        series.add(obs)
        self._dirty[subject] = series
        return series

    def _chance(self, series: Series, now: float) -> float:
        """Items the story's most shared term would gather in an hour by chance, leaving out its own."""
        if not series.terms:
            return 0.0
        term, own = series.terms.most_common(1)[0]
        stream = self.series[STREAM].window(now, HOUR, ITEMS)
        return self.rates.share(term, now, own=own) * stream

    def _evict(self) -> None:
        excess = len(self.series) - self.options.max_subjects
        if excess <= 0:
            return
        oldest = sorted((s.last_seen, k) for k, s in self.series.items() if k != STREAM)
        for _, subject in oldest[: excess + self.options.max_subjects // 10]:
            del self.series[subject]

    def _checkpoint(self) -> dict[str, Any]:
        return {"clock": self.clock, "episodes": self.book.to_state()}

    def save_terms(self) -> None:
        """Checkpoint the term rates now."""
        self._terms_saved_at = time.monotonic()
        if self.tables is not None:
            self.tables.store.save_checkpoint(TERMS_CHECKPOINT, self.rates.to_state())
            if self.key_rates is not self.rates:
                self.tables.store.save_checkpoint(KEYS_CHECKPOINT, self.key_rates.to_state())

    def restore(self) -> None:
        """Resume signals, open episodes and term rates from the store (a fresh store leaves them empty)."""
        if self.tables is None:
            return
        state = self.tables.checkpoint()
        if state is not None:
            self.clock = float(state["clock"])
            self.book.load_state(state["episodes"])
        for row in self.tables.signal_states(self.options.max_subjects):
            self.series[(row["subject_kind"], row["subject_id"])] = Series.from_state(row["state"])
        rates = self.tables.store.checkpoint(TERMS_CHECKPOINT)
        if rates is not None:
            self.rates.load_state(rates)
        keys = self.tables.store.checkpoint(KEYS_CHECKPOINT) if self.key_rates is not self.rates else None
        if keys is not None:
            self.key_rates.load_state(keys)


def observation(
    item: Item, max_terms: int, keys: TermKeys | None = None, seen: Callable[[str], float] | None = None
) -> Observation:
    """Map an item to what detection reads: time, new content or copy, labels, spread, terms, places.

    With `keys`, also the burst keys of its terms (`seen`: how many documents held a key, for hashtags).
    """
    enrichment = item.enrichment
    labels = enrichment.labels
    when = item.published_at or item.collected_at
    text = enrichment.analysis_text or f"{item.title}\n{item.text}"
    lang = enrichment.lang or item.lang
    harm = any(_label(labels, task) in names for task, names in HARMFUL.items())
    words = tuple(dict.fromkeys(terms(text, lang)))[:max_terms]
    return Observation(
        time=when.timestamp() if when is not None else 0.0,
        item_id=str(item.id) if item.id is not None else item.key,
        distinct=enrichment.dup_of is None,
        negative=_label(labels, "sentiment") == "negative",
        harm=harm,
        question=_label(labels, "concern") == "question",
        labelled=bool(labels),
        source=str(item.source_id) if item.source_id is not None else str(item.extra.get("source", "")),
        source_kind="feed" if item.kind == ItemKind.ARTICLE else "social",
        platform=item.platform,
        author=item.author,
        terms=words,
        keys=() if keys is None else keys.keys(words, lang, hashtags(item.text), seen),
        units=enrichment.units,
        topics=enrichment.topic_ids,
        label=(item.title or item.text)[:160],
    )


def _label(labels: dict[str, Any], task: str) -> str:
    value = labels.get(task)
    return str(value.get("label", "")) if isinstance(value, dict) else ""


def _scope(subject: Subject, series: Series) -> str:
    """Topic alerts use their topic's sensitivity; others the topic most of their items matched, if any."""
    if subject[0] == "topic":
        return f"topic:{subject[1]}"
    if series.topics:
        return f"topic:{series.topics.most_common(1)[0][0]}"
    return "default"


def _topics(episode: Episode) -> list[str]:
    return list(episode.row.get("explanation", {}).get("topics", []))


def _update(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("level", "score", "headline", "explanation", "escalated_at")
    return {k: row[k] for k in keys}
