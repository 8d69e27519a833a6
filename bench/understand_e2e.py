"""Understanding + clustering end to end, in memory, against the chain as it was (same run, same data).

The chain per item: analyse -> language -> near-duplicates -> terms -> `StoryClusterer.learn_one`, with no
store (SQLite adds the same writes to both). "before" is the chain before issue 3's throughput work: whole
texts for language, duplicates and terms, no story housekeeping, candidates from posting lists of up to
2,000 stories. "now" is the shipped chain: language from the first 1,000 characters, duplicates and terms
from the title and first 200 words, revive and merges on, posting lists of up to 100 stories.
"two processes" runs the stateless part (analyse, language, terms) in a second process and keeps the
stateful part (duplicates, clustering) in order in this one.
Run: .venv/bin/python bench/understand_e2e.py  (rewrites its section of docs/performance_stories.md)
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from civicpulse.stories import Doc, StoryClusterer
from civicpulse.understand.dedup import Deduplicator, DedupOptions
from civicpulse.understand.language import LanguageIdentifier
from civicpulse.understand.stage import LANGUAGE_CHARS
from civicpulse.understand.text import normalise
from civicpulse.understand.tokens import LEAD_WORDS, lead, terms, terms_surface
from civicpulse.understand.vietnamese import analyse

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "docs" / "performance_stories.md"
BEGIN, END = "<!-- understand_e2e: begin -->", "<!-- understand_e2e: end -->"
_identifier: LanguageIdentifier | None = None


def texts(path: Path, limit: int, title: bool = False) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(limit), lines, strict=False)]
    return [normalise((r.get("title", "") + "\n" + r["text"]) if title else r["text"]) for r in rows]


def before(batch: list[str]) -> float:
    identifier, dedup = LanguageIdentifier(), Deduplicator(DedupOptions(max_words=0))
    clusterer = StoryClusterer(merge_threshold=0.0, shelf_size=0, max_postings=2_000)
    start = time.perf_counter()
    for i, text in enumerate(batch):
        analysis = analyse(text, normalised=True)
        lang, _ = identifier.identify(text)
        dup = dedup.check(i, analysis.text)
        doc = Doc(id=str(i), terms=terms(analysis.text, lang), time=float(i), dup_of=_dup(dup))
        clusterer.learn_one(doc)
    return len(batch) / (time.perf_counter() - start)


def stateless(text: str) -> tuple[str, str, list[str], dict[str, str]]:
    """The per-item part that needs no history: analysis text, language, terms of the lead."""
    global _identifier  # noqa: PLW0603 -- one identifier per worker process
    if _identifier is None:
        _identifier = LanguageIdentifier()
    analysis = analyse(text, normalised=True)
    lang, _ = _identifier.identify(text[:LANGUAGE_CHARS])
    found, surface = terms_surface(lead(analysis.text, LEAD_WORDS), lang, surface=True)
    return analysis.text, lang, found, surface


def now(batch: list[str], processes: int = 1) -> float:
    dedup, clusterer = Deduplicator(), StoryClusterer()
    start = time.perf_counter()
    if processes > 1:
        with multiprocessing.get_context("fork").Pool(processes - 1) as pool:
            _stateful(pool.imap(stateless, batch, chunksize=64), dedup, clusterer)
    else:
        _stateful(map(stateless, batch), dedup, clusterer)
    return len(batch) / (time.perf_counter() - start)


def _stateful(results: Any, dedup: Deduplicator, clusterer: StoryClusterer) -> None:
    for i, (text, lang, found, surface) in enumerate(results):
        dup = dedup.check(i, text)
        doc = Doc(id=str(i), terms=found, time=float(i), lang=lang, surface=surface, dup_of=_dup(dup))
        clusterer.learn_one(doc)


def _dup(dup: int | None) -> str | None:
    return None if dup is None else str(dup)


def main() -> None:
    sets = {
        "Dân Trí articles": texts(DATA / "stream" / "dantri_2019_2021.jsonl", 2653, title=True),
        "short posts (ViHOS + UIT-VSFC)": texts(DATA / "toxicity" / "vihos_train.jsonl", 6000)
        + texts(DATA / "sentiment" / "uit_vsfc_train.jsonl", 6000),
    }
    load_before = os.getloadavg()[0]
    rows: list[str] = []
    for name, batch in sets.items():
        words = sum(len(t.split()) for t in batch) / len(batch)
        # Interleaved and best of two, so a neighbour's burst on the shared machine hits all alike.
        runs: dict[str, list[float]] = {"before": [], "now": [], "two": []}
        for _ in range(2):
            runs["before"].append(before(batch))
            runs["now"].append(now(batch))
            runs["two"].append(now(batch, processes=2))
        b, n, t = (max(runs[k]) for k in ("before", "now", "two"))
        cells = f"{b:,.0f} | {n:,.0f} | {n / b:.2f} | {t:,.0f} | {t / b:.2f}"
        rows.append(f"| {name} | {len(batch):,} | {words:.0f} | {cells} |")
    lines = [
        BEGIN,
        "## Understanding + clustering, end to end",
        "",
        "Generated by `.venv/bin/python bench/understand_e2e.py` on the shared 2-core machine: in memory (no",
        "store), best of two interleaved runs; `before` is the chain before the throughput work, in the same",
        "run (see the script's docstring). Other work on the machine lowers every column alike: the load",
        f"average (1 minute) was {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| stream | items | words | before /s | now /s | ratio | now, 2 processes /s | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        END,
    ]
    print("\n".join(lines))
    page = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    if BEGIN in page and END in page:
        page = page[: page.index(BEGIN)] + "\n".join(lines) + page[page.index(END) + len(END) :]
    else:
        page = page.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    OUT.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
