"""Throughput of place extraction on short posts, against naive matchers measured in the same run.

Short posts: ViHOS comments (MIT) and sentences of Dân Trí articles under 200 characters (half of them
with an administrative word such as "phường", "quận" or "TP.HCM"). Baselines only find names (no
context, no resolution): a per-alias `in` scan and one regex alternation of every typed name over the
folded text. Reads ../shared/data; stores nothing.
Run: .venv/bin/python bench/places.py [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import time
from collections.abc import Callable
from pathlib import Path

from civicpulse.understand.places import PlaceExtractor, load_gazetteer
from civicpulse.understand.text import fold

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTENCE = re.compile(r"(?<=[.!?])\s+")
ADMINISTRATIVE = re.compile(r"phường|quận|huyện|xã |thị xã|thị trấn|TP\.? ?HCM|Sài Gòn|Q\.\d")
_extractor: PlaceExtractor | None = None


def short_posts(limit: int = 4000) -> list[str]:
    """Return `limit` comments and `limit` short news sentences, interleaved."""
    with (DATA / "toxicity" / "vihos_train.jsonl").open(encoding="utf-8") as lines:
        comments = [json.loads(line)["text"] for _, line in zip(range(limit), lines, strict=False)]
    plain: list[str] = []
    administrative: list[str] = []
    with (DATA / "stream" / "dantri_2019_2021.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            for sentence in SENTENCE.split(json.loads(line)["text"]):
                if 20 < len(sentence) < 200:
                    (administrative if ADMINISTRATIVE.search(sentence) else plain).append(sentence)
    sentences = [t for pair in zip(administrative, plain, strict=False) for t in pair][:limit]
    return [t for pair in zip(comments, sentences, strict=False) for t in pair]


def typed_aliases() -> list[str]:
    """Return every name as people type it with its type word, folded: "phuong tan dinh", "quan 3"."""
    gazetteer = load_gazetteer()
    names = {fold(u.name) for u in gazetteer.units}
    names |= {fold(d.name) for d in gazetteer.districts}
    for entries in gazetteer.ward_names.values():
        names |= {fold(f"phường {w.short}") if not w.short[0].isdigit() else fold(w.short) for w in entries}
    return sorted(names, key=len, reverse=True)


def in_scan(aliases: list[str], text: str) -> list[str]:
    """Return the aliases found by testing each one with `in` (the naive baseline)."""
    folded = fold(text)
    return [a for a in aliases if a in folded]


def rate(texts: list[str], step: Callable[[str], object]) -> float:
    started = time.perf_counter()
    for text in texts:
        step(text)
    return len(texts) / (time.perf_counter() - started)


def _init() -> None:
    global _extractor  # noqa: PLW0603 - one extractor per worker process, built once
    _extractor = PlaceExtractor()


def _extract_chunk(texts: list[str]) -> int:
    assert _extractor is not None
    return sum(len(_extractor.extract(t)) for t in texts)


def parallel_rate(texts: list[str], processes: int) -> float:
    """Return posts per second with `processes` workers (start-up excluded, as a long-running stage)."""
    chunks = [texts[i::processes] for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes, initializer=_init) as pool:
        pool.map(_extract_chunk, [t[:50] for t in chunks])  # warm up every worker
        started = time.perf_counter()
        pool.map(_extract_chunk, chunks)
        return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    texts = short_posts()
    chars = sum(map(len, texts)) / len(texts)
    extractor = PlaceExtractor()
    with_places = sum(1 for t in texts if extractor.extract(t))
    aliases = typed_aliases()
    alternation = re.compile(r"\b(?:" + "|".join(map(re.escape, aliases)) + r")\b")
    print(f"{len(texts):,} short posts, {chars:.0f} characters on average, {with_places:,} with a place")
    print(f"{len(aliases):,} typed names in the baselines")
    ours = rate(texts, extractor.extract)
    scan = rate(texts, lambda t: in_scan(aliases, t))
    regex = rate(texts, lambda t: alternation.findall(fold(t)))
    print(f"  {'civicpulse PlaceExtractor, 1 process':<40} {ours:>10,.0f} posts/s")
    print(f"  {'baseline: per-alias `in` scan':<40} {scan:>10,.0f} posts/s  (ours x{ours / scan:.1f})")
    print(f"  {'baseline: one regex alternation':<40} {regex:>10,.0f} posts/s  (ours x{ours / regex:.2f})")
    if args.processes > 1:
        both = parallel_rate(texts, args.processes)
        print(f"  {f'civicpulse PlaceExtractor, {args.processes} processes':<40} {both:>10,.0f} posts/s")


if __name__ == "__main__":
    main()
