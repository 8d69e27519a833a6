"""Story clustering: civicpulse against river's TextClust on NMI and items/s, throughput, and 1M-item memory.

Reads ../shared/data in place (nothing is copied). Each measurement runs in its own child process so that
peak RSS is that run's alone. Tokenising is inside the timed loop for both systems (same terms for both).
Run: .venv/bin/python bench/stories.py [--limit N] [--million N]  (writes docs/performance_stories.md)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicpulse.eval.metrics import clustering_scores
from civicpulse.eval.rows import Row, read_rows
from civicpulse.eval.stories import row_doc
from civicpulse.stories import Doc, StoryClusterer
from civicpulse.understand.tokens import terms

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CLUSTERING = DATA / "clustering"
OUT = ROOT / "docs" / "performance_stories.md"
SETS = ["mstream_news", "mstream_news_t", "mstream_tweets", "mstream_tweets_t", "vi_ktlab_dev"]
# TextClust's best of a small radius sweep (0.6-0.9, with and without auto_r) on the first 3,000 rows.
TEXTCLUST = {"real_time_fading": False, "fading_factor": 0.001, "tgap": 100, "auto_r": False, "radius": 0.7}
DAY = 86_400.0


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rows(path: Path, limit: int) -> list[Row]:
    out = []
    for row in read_rows(path):
        if len(out) == limit:
            break
        out.append(row)
    return out


def run_civicpulse(data: list[Row]) -> tuple[list[int], float]:
    clusterer = StoryClusterer()
    started = time.perf_counter()
    predicted = [clusterer.learn_one(row_doc(row, clusterer.clock)) for row in data]
    return predicted, time.perf_counter() - started


def run_textclust(data: list[Row]) -> tuple[list[int], float]:
    from river import cluster

    model = cluster.TextClust(**TEXTCLUST)
    closest = model._get_closest_mc
    chosen: list[Any] = [None]

    def spy(mc: Any, idf: Any, distance: Any) -> Any:
        found = closest(mc, idf, distance)
        chosen[0] = found[0]
        return found

    # TextClust's learn_one returns nothing; record the micro-cluster each text joins when it arrives.
    model._get_closest_mc = spy
    predicted = []
    started = time.perf_counter()
    for row in data:
        new_id, chosen[0] = model._cluster_id, None
        model.learn_one(dict(Counter(terms("\n".join((row.title, row.text)), row.lang))))
        predicted.append(chosen[0] if chosen[0] is not None else new_id)
    return predicted, time.perf_counter() - started


def child_compare(system: str, name: str, limit: int) -> dict[str, Any]:
    data = rows(CLUSTERING / f"{name}.jsonl", limit)
    predicted, seconds = (run_civicpulse if system == "civicpulse" else run_textclust)(data)
    scores = clustering_scores([row.record["story"] for row in data], predicted)
    return {
        "items": len(data),
        "nmi": scores.nmi,
        "bcubed_f1": scores.bcubed_f1,
        "items_per_s": len(data) / seconds,
        "seconds": seconds,
        "rss_mb": rss_mb(),
    }


def child_throughput(name: str) -> dict[str, Any]:
    path = CLUSTERING / f"{name}.jsonl" if name.startswith("mstream") else DATA / "stream" / f"{name}.jsonl"
    data = rows(path, 10**9)
    _, seconds = run_civicpulse(data)
    words = sum(len(row.text.split()) + len(row.title.split()) for row in data) / len(data)
    return {"items": len(data), "words": words, "items_per_s": len(data) / seconds, "rss_mb": rss_mb()}


def replayed_tweets(total: int) -> Iterator[Doc]:
    """Replay the tweet set with times shifted 40 days per pass and ~30% of texts perturbed by one word."""
    base = rows(CLUSTERING / "mstream_tweets.jsonl", 10**9)
    vocabulary = sorted({w for row in base for w in row.text.split()})
    rng = random.Random(1)
    for number in range(total):
        passes, index = divmod(number, len(base))
        row = base[index]
        words = row.text.split()
        if words and rng.random() < 0.3:
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        yield Doc(
            id=f"{passes}:{row.id}",
            terms=terms(" ".join(words), "en"),
            time=1.7e9 + passes * 40 * DAY + index * 20.0,
            lang="en",
        )


def child_million(total: int) -> dict[str, Any]:
    clusterer = StoryClusterer()
    started = time.perf_counter()
    for doc in replayed_tweets(total):
        clusterer.learn_one(doc)
        if clusterer.seen % 50_000 == 0:
            clusterer.drain()  # the stage writes these out after every batch; drop them here instead
            print(f"  {clusterer.seen:,} items, {len(clusterer.stories):,} active stories", file=sys.stderr)
    seconds = time.perf_counter() - started
    return {
        "items": total,
        "items_per_s": total / seconds,
        "seconds": seconds,
        "rss_mb": rss_mb(),
        "active_stories": len(clusterer.stories),
        "stories_started": clusterer.next_id - 1,
        "vocabulary": len(clusterer.stats.df),
    }


def child(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON."""
    command = [sys.executable, __file__, "--child", *args]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def compare(limit: int) -> list[dict[str, Any]]:
    """Both systems on the first `limit` rows of each clustering set, each in its own process."""
    results = []
    for name in SETS:
        print(f"Comparing on {name}…", file=sys.stderr)
        ours, theirs = (
            child("compare", "civicpulse", name, str(limit)),
            child("compare", "textclust", name, str(limit)),
        )
        results.append({"set": name, "civicpulse": ours, "textclust": theirs})
    return results


def section(rows_hint: int, workdir: Path) -> list[dict[str, Any]]:
    """Rows for bench/run.py: civicpulse items/s against TextClust's on the same rows."""
    del rows_hint, workdir
    return [
        {
            "benchmark": f"stories: {r['set']} first {r['civicpulse']['items']:,} (NMI "
            f"{r['civicpulse']['nmi']:.3f} vs TextClust {r['textclust']['nmi']:.3f})",
            "rows": r["civicpulse"]["items"],
            "items_per_s": r["civicpulse"]["items_per_s"],
            "baseline_per_s": r["textclust"]["items_per_s"],
            "speed_ratio": r["civicpulse"]["items_per_s"] / r["textclust"]["items_per_s"],
            "seconds": r["civicpulse"]["seconds"],
            "rss_mb": r["civicpulse"]["rss_mb"],
            "baseline_rss_mb": r["textclust"]["rss_mb"],
        }
        for r in compare(3_000)
    ]


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}, load average at start {load} (the machine is shared, so rates vary ±20%)"
    )


def render(command: str, where: str, comparison: list[dict[str, Any]], speed: list[dict[str, Any]],
           million: dict[str, Any] | None) -> str:  # fmt: skip
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance: story clustering",
        "",
        f"Generated by `{command}` on {started}; do not edit by hand, run it again.",
        "",
        f"Machine: {where}.",
        "",
        "## civicpulse against river's TextClust, same rows, same terms",
        "",
        "Both read the same rows in order, tokenise with `civicpulse.understand.tokens.terms` inside the "
        f"timed loop and assign each row when it arrives. TextClust runs with `{TEXTCLUST}`; its "
        "assignment is the micro-cluster a text joins on arrival. Ratios are civicpulse / TextClust.",
        "",
        "| set | items | NMI civicpulse | NMI TextClust | NMI ratio | B³ F1 civicpulse | B³ F1 TextClust "
        "| items/s civicpulse | items/s TextClust | speed ratio | peak RSS MB (civicpulse / TextClust) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in comparison:
        ours, theirs = r["civicpulse"], r["textclust"]
        lines.append(
            f"| {r['set']} | {ours['items']:,} | {ours['nmi']:.3f} | {theirs['nmi']:.3f} "
            f"| {ours['nmi'] / theirs['nmi']:.2f} | {ours['bcubed_f1']:.3f} | {theirs['bcubed_f1']:.3f} "
            f"| {ours['items_per_s']:,.0f} | {theirs['items_per_s']:,.0f} "
            f"| {ours['items_per_s'] / theirs['items_per_s']:.1f} "
            f"| {ours['rss_mb']:,.0f} / {theirs['rss_mb']:,.0f} |"
        )
    lines += [
        "",
        "## Throughput: tokenising + clustering, whole file, one process",
        "",
        "| stream | items | words per item | items/s | target | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in speed:
        lines.append(
            f"| {r['name']} | {r['items']:,} | {r['words']:.0f} | {r['items_per_s']:,.0f} | {r['target']} "
            f"| {r['rss_mb']:,.0f} |"
        )
    if million is not None:
        lines += [
            "",
            f"## Memory: {million['items']:,} items",
            "",
            "The tweet set replayed with times shifted 40 days per pass (30% of texts get one word swapped), "
            "tokenised and clustered with the default settings; stories idle beyond the 30-day horizon are "
            "sent to the store and leave memory. Target: peak RSS under 1,024 MB.",
            "",
            "| items | items/s | peak RSS MB | active stories at the end | stories started | vocabulary |",
            "|---:|---:|---:|---:|---:|---:|",
            f"| {million['items']:,} | {million['items_per_s']:,.0f} | {million['rss_mb']:,.0f} "
            f"| {million['active_stories']:,} | {million['stories_started']:,} | {million['vocabulary']:,} |",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *args = sys.argv[2:]
        if kind == "compare":
            result = child_compare(args[0], args[1], int(args[2]))
        elif kind == "throughput":
            result = child_throughput(args[0])
        else:
            result = child_million(int(args[0]))
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(
        description="Benchmark story clustering; write docs/performance_stories.md."
    )
    parser.add_argument("--limit", type=int, default=3_000, help="Rows per set for the TextClust comparison.")
    parser.add_argument("--million", type=int, default=1_000_000, help="Items in the memory run (0 skips).")
    parser.add_argument("--out", type=Path, default=OUT, help="Where to write the report.")
    args = parser.parse_args()
    command = " ".join([".venv/bin/python bench/stories.py", *sys.argv[1:]])
    where = machine()
    comparison = compare(args.limit)
    speed = []
    for name, label, target in (
        ("mstream_tweets", "short posts (MStream tweets, raw text)", "≥ 2,000/s"),
        ("dantri_2019_2021", "news articles (Dân Trí, title + text, Vietnamese)", "≥ 300/s"),
    ):
        print(f"Throughput on {name}…", file=sys.stderr)
        speed.append({**child("throughput", name), "name": label, "target": target})
    million = None
    if args.million:
        print(f"Clustering {args.million:,} replayed items…", file=sys.stderr)
        million = child("million", str(args.million))
    page = render(command, where, comparison, speed, million)
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    begin, end = "<!-- understand_e2e: begin -->", "<!-- understand_e2e: end -->"
    if begin in old and end in old:  # bench/understand_e2e.py's section is kept as it last wrote it
        page = page.rstrip("\n") + "\n\n" + old[old.index(begin) : old.index(end) + len(end)] + "\n"
    args.out.write_text(page, encoding="utf-8")
    print(f"Wrote {args.out}.", file=sys.stderr)


if __name__ == "__main__":
    main()
