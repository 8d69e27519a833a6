"""Throughput of the whole pipeline (`lay_pipe`) on the latency benchmark's short-post stream, per stage.

The stream (`write_bench_stream`, the one `bench/detect.py` replays) is stored first; then the stored items
go through `lay_pipe(...).submit` in batches, on a temporary SQLite store, and the script reports items/s of
the whole pipeline, per wall second and per CPU second (steadier on a shared machine), and the CPU seconds
each stage (its `process`, `process_many` and `flush`) took.
`--profile FILE` also writes a cProfile of the submit loop (read it with `python -m pstats FILE`).
Run: .venv/bin/python bench/pipeline.py [--rows N] [--batch B] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from civicpulse.collect.replay import replay_file
from civicpulse.config import Settings, with_secrets
from civicpulse.eval.streams import write_bench_stream
from civicpulse.models import Item
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import open_store


class Keep:
    """A stage that keeps every item it sees (to collect the stored items with their ids)."""

    name = "keep"

    def __init__(self) -> None:
        self.items: list[Item] = []

    def process(self, item: Item) -> Item:
        self.items.append(item)
        return item


def timed(stage: Any, spent: defaultdict[str, float]) -> None:
    """Wrap the stage's `process`, `process_many` and `flush`; their CPU seconds add up in `spent`."""
    for method in ("process", "process_many", "flush"):
        inner: Callable[..., Any] | None = getattr(stage, method, None)
        if inner is None:
            continue

        key = f"{stage.name}.flush" if method == "flush" else stage.name

        def wrapper(*args: Any, _inner: Callable[..., Any] = inner, _key: str = key, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return _inner(*args, **kwargs)
            finally:
                spent[_key] += time.thread_time() - start

        setattr(stage, method, wrapper)


def batches(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000, help="Rows of the bench stream to process.")
    parser.add_argument("--batch", type=int, default=100, help="Items per submit.")
    parser.add_argument("--profile", type=Path, help="Write a cProfile of the submit loop to this file.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_bench_stream(Path(tmp) / "stream.jsonl", args.rows)
        settings = with_secrets(Settings(data_dir=Path(tmp), _env_file=None))
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}", upgrade=True)
        keep = Keep()
        replay_file(store, Pipeline(store, [keep]), path, pseudonym_key="bench", speed=None)
        pipeline = lay_pipe(settings, store)
        spent: defaultdict[str, float] = defaultdict(float)
        for stage in pipeline.stages:
            timed(stage, spent)
        profiler = cProfile.Profile() if args.profile else None
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for batch in batches(keep.items, args.batch):
            pipeline.submit(batch)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        pipeline.close()
        store.close()
    result = {
        "rows": len(keep.items),
        "batch": args.batch,
        "items_per_s": round(len(keep.items) / wall, 1),
        "items_per_cpu_s": round(len(keep.items) / cpu, 1),
        "stage_cpu_s": {name: round(seconds, 3) for name, seconds in spent.items()},
        "other_cpu_s": round(cpu - sum(spent.values()), 3),
        "load": os.getloadavg()[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
