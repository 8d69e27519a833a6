"""Import throughput and peak memory, against a bare baseline measured in the same run.

Each measurement runs in its own child process so its peak RSS is its own. The baseline reads the same
file with a bare `json.loads` loop and writes the same rows with a raw sqlite3 `executemany` in batches of
the same size: what any importer must at least do. Run through bench/run.py.
"""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BATCH = 500
PHRASES = (
    "người dân phản ánh ngập nước kéo dài sau cơn mưa lớn chiều qua tại phường Linh Xuân",
    "kẹt xe nghiêm trọng trên đường Võ Văn Ngân vào giờ cao điểm đề nghị chính quyền sớm xử lý",
)
WORDS = " ".join(PHRASES).split()


def generate(path: Path, rows: int) -> None:
    """Write `rows` items of our JSONL schema: short Vietnamese posts, like social comments."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(rows):
            start = i % 17
            text = " ".join(WORDS[start : start + 12 + i % 9]) + f" (#{i})"
            row = {
                "id": str(i),
                "text": text,
                "published": f"2025-09-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+07:00",
                "author": f"user{i % 5000}",
                "lang": "vi",
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def baseline(path: Path, db: Path) -> dict[str, Any]:
    """Parse every line with json.loads and insert the rows with sqlite3 executemany, in batches."""
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE rows (key TEXT PRIMARY KEY, text TEXT, title TEXT, published TEXT, author TEXT)"
    )
    batch, count = [], 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            key = str(row.get("id") or row.get("url"))
            batch.append(
                (key, row.get("text", ""), row.get("title", ""), row.get("published"), row.get("author"))
            )
            if len(batch) >= BATCH:
                conn.executemany("INSERT OR IGNORE INTO rows VALUES (?, ?, ?, ?, ?)", batch)
                conn.commit()
                count, batch = count + len(batch), []
    conn.executemany("INSERT OR IGNORE INTO rows VALUES (?, ?, ?, ?, ?)", batch)
    conn.commit()
    conn.close()
    return {"rows": count + len(batch), "seconds": time.perf_counter() - start, "rss_mb": peak_rss_mb()}


def civicpulse_import(path: Path, db: Path) -> dict[str, Any]:
    """Import with `civicpulse.collect.imports.import_file` into a fresh SQLite store."""
    from civicpulse.collect.imports import ImportOptions, import_file
    from civicpulse.store import open_store

    store = open_store(f"sqlite:///{db}", upgrade=True)
    start = time.perf_counter()
    report = import_file(store, path, pseudonym_key="bench", options=ImportOptions(batch_size=BATCH))
    seconds = time.perf_counter() - start
    store.close()
    return {"rows": report.counts.new, "seconds": seconds, "rss_mb": peak_rss_mb()}


def measure(kind: str, path: Path, workdir: Path) -> dict[str, Any]:
    """Run one measurement in a child process and return what it printed."""
    db = workdir / f"{kind}-{path.stem}.db"
    for leftover in workdir.glob(f"{db.name}*"):
        leftover.unlink()
    child = subprocess.run(
        [sys.executable, __file__, kind, str(path), str(db)], check=True, capture_output=True, text=True
    )
    return dict(json.loads(child.stdout.strip().splitlines()[-1]))


def compare(name: str, path: Path, workdir: Path) -> dict[str, Any]:
    """Measure the baseline and civicpulse on `path`; return one table row."""
    base = measure("baseline", path, workdir)
    ours = measure("civicpulse", path, workdir)
    base_rate, our_rate = base["rows"] / base["seconds"], ours["rows"] / ours["seconds"]
    print(f"  {name}: {our_rate:,.0f} items/s vs baseline {base_rate:,.0f} rows/s", file=sys.stderr)
    return {
        "benchmark": name,
        "rows": ours["rows"],
        "items_per_s": our_rate,
        "baseline_per_s": base_rate,
        "speed_ratio": our_rate / base_rate,
        "seconds": ours["seconds"],
        "rss_mb": ours["rss_mb"],
        "baseline_rss_mb": base["rss_mb"],
    }


if __name__ == "__main__":
    kind, file, database = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    result = baseline(file, database) if kind == "baseline" else civicpulse_import(file, database)
    print(json.dumps(result))
