"""Throughput of understanding per step on real Vietnamese news and short comments (1 process).

Reads ../shared/data (Dân Trí articles; ViHOS and UIT-VSFC comments); nothing is stored. The MinHash
signature is compared with datasketch's `MinHash.bulk` in the same run when datasketch is installed.
Run: .venv/bin/python bench/understand.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from civicpulse.understand.dedup import Deduplicator
from civicpulse.understand.language import LanguageIdentifier
from civicpulse.understand.tokens import terms
from civicpulse.understand.vietnamese import analyse

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _texts(path: Path, limit: int, title: bool = False) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(limit), lines, strict=False)]
    return [(r.get("title", "") + "\n" + r["text"]) if title else r["text"] for r in rows]


def _rate(name: str, texts: list[str], step: Callable[[str], object]) -> float:
    start = time.perf_counter()
    for text in texts:
        step(text)
    rate = len(texts) / (time.perf_counter() - start)
    print(f"  {name:<34} {rate:>10,.0f} /s")
    return rate


def main() -> None:
    articles = _texts(DATA / "stream" / "dantri_2019_2021.jsonl", 2000, title=True)
    posts = _texts(DATA / "toxicity" / "vihos_train.jsonl", 4000) + _texts(
        DATA / "sentiment" / "uit_vsfc_train.jsonl", 4000
    )
    identifier = LanguageIdentifier()
    for label, texts in (("news articles", articles), ("short posts", posts)):
        _measure(label, texts, identifier)


def _measure(label: str, texts: list[str], identifier: LanguageIdentifier) -> None:
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{label}: {len(texts):,} texts, {words:.0f} words on average")
    _rate("analyse (normalise, tones, teencode)", texts, analyse)
    _rate("language", texts, identifier.identify)
    _rate("terms", texts, lambda t: terms(t, "vi"))
    dedup, ids = Deduplicator(), iter(range(10**9))
    _rate("dedup check (hash + MinHash/LSH)", texts, lambda t: dedup.check(next(ids), t))
    everything_dedup = Deduplicator()

    def everything(text: str) -> None:
        analysis = analyse(text, normalised=True)
        identifier.identify(text)
        terms(analysis.text, "vi")
        everything_dedup.check(next(ids), analysis.text)

    _rate("all of understanding", texts, everything)
    _minhash_against_datasketch(texts)


def _minhash_against_datasketch(texts: list[str]) -> None:
    try:
        from datasketch import MinHash
    except ImportError:
        print("  (datasketch not installed: no baseline)")
        return
    from civicpulse.understand.dedup import _WORD
    from civicpulse.understand.text import fold

    shingled = []
    for text in texts:
        words = _WORD.findall(fold(text))
        shingled.append([" ".join(words[i : i + 3]).encode() for i in range(max(1, len(words) - 2))])
    ours = Deduplicator()
    start = time.perf_counter()
    for text in texts:
        ours.signature(_WORD.findall(fold(text)))
    own = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    MinHash.bulk(shingled, num_perm=64)
    theirs = len(texts) / (time.perf_counter() - start)
    print(
        f"  MinHash 64 perms: numpy {own:,.0f}/s, datasketch bulk {theirs:,.0f}/s, ratio {own / theirs:.2f}"
    )


if __name__ == "__main__":
    main()
