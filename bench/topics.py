"""Watched-topic matching: items/s with 24 starter + 1,000 and 5,000 generated topics, against matching
every topic on every item (no anchor index) in the same run.

Topics are generated from distinct word pairs of the texts (seeded), shaped like analysts' queries:
`"a b" AND (c OR d*) NOT e`, `"a b" NEAR/5 c`. Reads ../shared/data; nothing is stored.
Run: .venv/bin/python bench/topics.py
"""

from __future__ import annotations

import itertools
import json
import random
import time
import tomllib
from importlib import resources
from pathlib import Path

from civicpulse.models import Topic
from civicpulse.understand.topics import Document, TopicMatcher
from civicpulse.understand.topics.matcher import words
from civicpulse.understand.vietnamese import analyse

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _texts(path: Path, limit: int, title: bool = False) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(limit), lines, strict=False)]
    return [analyse((r.get("title", "") + "\n" + r["text"]) if title else r["text"]).text for r in rows]


def generated(texts: list[str], count: int, seed: int = 7) -> list[Topic]:
    """Return `count` topics built from adjacent word pairs and words of `texts`."""
    rng = random.Random(seed)
    # Distinct pairs and words, so topics are as specific as analysts' phrases rather than "thành phố".
    seen = [w for t in texts[:500] for w in words(t, exact=True) if len(w) > 2]
    pairs = sorted({f"{a} {b}" for a, b in itertools.pairwise(seen)})
    tokens = sorted(set(seen))
    found = []
    for i in range(count):
        a, c, d, e = rng.choice(pairs), rng.choice(tokens), rng.choice(tokens), rng.choice(tokens)
        query = f'"{a}" AND ({c} OR {d[:4]}*) NOT {e}' if i % 2 else f'"{a}" NEAR/5 {c}'
        found.append(Topic(name=f"g{i}", query=query, id=1000 + i))
    return found


def starter() -> list[Topic]:
    text = (resources.files("civicpulse") / "data" / "topics" / "starter.toml").read_text(encoding="utf-8")
    return [
        Topic(name=t["name"], query=t["query"], id=i) for i, t in enumerate(tomllib.loads(text)["topic"], 1)
    ]


def _rate(texts: list[str], match: object) -> tuple[float, int]:
    start, hits = time.perf_counter(), 0
    for text in texts:
        hits += len(match(text))  # type: ignore[operator]
    return len(texts) / (time.perf_counter() - start), hits


def main() -> None:
    articles = _texts(DATA / "stream" / "dantri_2019_2021.jsonl", 1000, title=True)
    posts = _texts(DATA / "toxicity" / "vihos_train.jsonl", 5000)
    for count in (1000, 5000):
        topics = starter() + generated(articles + posts, count)
        start = time.perf_counter()
        matcher = TopicMatcher(topics)
        compile_s = time.perf_counter() - start
        print(f"{len(topics):,} topics compiled in {compile_s:.2f} s ({len(matcher.errors)} rejected)")
        compiled = [*matcher._by_word.values(), *matcher._by_pair.values()]
        every = {id(c): c for bucket in compiled for c in bucket}
        every.update({id(c): c for bucket in matcher._by_prefix.values() for c in bucket})
        every.update({id(c): c for c in matcher._always})

        def naive(text: str, every: dict[int, object] = every) -> list[int]:
            document = Document(text)
            return [c.topic_id for c in every.values() if c.query.matches(document)]  # type: ignore[attr-defined]

        for label, texts in (("news articles", articles), ("short posts", posts)):
            indexed, hits = _rate(texts, matcher.match)
            sample = texts[: max(50, len(texts) // 20)]
            baseline, _ = _rate(sample, naive)
            print(
                f"  {label:<13} indexed {indexed:>8,.0f} items/s, every topic {baseline:>6,.0f} items/s, "
                f"ratio {indexed / baseline:.0f}x; {hits / len(texts):.2f} matches per item"
            )


if __name__ == "__main__":
    main()
