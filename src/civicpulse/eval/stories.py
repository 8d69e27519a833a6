"""`civicpulse eval stories`: stream a labelled file through the clusterer, score against `story`."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicpulse.eval.metrics import clustering_scores
from civicpulse.eval.rows import Row, count_lines, read_rows
from civicpulse.stories import Doc, StoryClusterer
from civicpulse.understand.language import LanguageIdentifier
from civicpulse.understand.tokens import LEAD_WORDS, lead, terms

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 5_000


def row_doc(row: Row, clock: float, identifier: LanguageIdentifier | None = None) -> Doc:
    """Build the clusterer's input from what a live item would have (never the gold keys).

    A row without `time` arrives at the clock (time stands still), so stories age by arrivals alone. A row
    without a `lang` hint gets the language the identifier finds, as a live item would.
    """
    text = "\n".join(t for t in (row.title, row.text) if t)
    lang = row.lang or (identifier or LanguageIdentifier()).identify(text)[0]
    return Doc(
        id=row.id,
        terms=terms(lead(text, LEAD_WORDS), lang),
        time=row.time.timestamp() if row.time is not None else max(clock, 0.0),
        source=row.source,
        lang=lang,
        title=row.title or row.text[:160],
        text=text,
    )


def evaluate_stories(
    path: Path, clusterer: StoryClusterer | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Cluster `path` in file order, one row at a time with no look-ahead; return the EVAL.md keys."""
    clusterer = clusterer if clusterer is not None else StoryClusterer()
    identifier = LanguageIdentifier()
    total = count_lines(path) if progress is not None else 0
    gold: list[str] = []
    predicted: list[int] = []
    started = time.perf_counter()
    for row in read_rows(path):
        gold.append(row.gold("story", path))
        predicted.append(clusterer.learn_one(row_doc(row, clusterer.clock, identifier)))
        if progress is not None and len(gold) % PROGRESS_EVERY == 0:
            progress(len(gold), total)
    elapsed = time.perf_counter() - started
    if progress is not None:
        progress(len(gold), total)
    return {
        "items": len(gold),
        "stories_found": len(set(predicted)),
        "stories_gold": len(set(gold)),
        **clustering_scores(gold, predicted).as_dict(),
        "items_per_s": round(len(gold) / elapsed, 1) if elapsed > 0 else 0.0,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
