"""Build the bundled demo stream: ~300 Dân Trí headlines and ledes, most of them about Ho Chi Minh City.

Reads the shared replay stream (../shared/data/stream/dantri_2019_2021.jsonl) and writes
`src/civicpulse/data/demo/stream.jsonl` and its `ATTRIBUTION.md`. Only each article's title and the first
sentence of its text are kept, never the full article. Run: `python scripts/build_demo.py`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "stream" / "dantri_2019_2021.jsonl"
OUT_DIR = ROOT / "src" / "civicpulse" / "data" / "demo"
TARGET = 300
# The demo must fill the overview's 48-hour views, so the stream is laid over the last 60 hours:
# order and rhythm are kept, but gaps are capped (months between old stories would leave the chart empty).
WINDOW_S = 60 * 3600
GAP_CAP_S = 3 * 3600
# One real theme is laid into the last 45 minutes as a hotspot, so a newcomer sees an alert and its
# explanation: the 2021 COVID-19 wave in the city, which the corpus covers at length.
HOTSPOT = re.compile(r"covid|dịch|phong tỏa|giãn cách|tiêm|F0", re.IGNORECASE)
HOTSPOT_S = 45 * 60
MAX_TITLE = 300
MAX_LEDE = 300

CITY = re.compile(
    r"TP\.? ?HCM|TPHCM|Hồ Chí Minh|Sài Gòn|Thủ Đức|Gò Vấp|Bình Thạnh|Tân Bình|Phú Nhuận|Bình Tân|Tân Phú"
    r"|Củ Chi|Hóc Môn|Nhà Bè|Cần Giờ|Bình Chánh"
)
# A sentence ends at . ! ? … followed by a space or the end; "TP.HCM" and "GS.TS" have no space after the dot.
SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
# Dân Trí ledes open with the paper's name as a dateline ("Dân trí Mái tôn ..."); it is not part of the lede.
DATELINE = re.compile(r"^\(?Dân trí\)?\s*[-–—)]?\s*")

ATTRIBUTION = """\
# Demo stream: attribution

`stream.jsonl` holds {count} headlines and ledes published by **Dân Trí** (https://dantri.com.vn),
© Dân Trí. Each row keeps only the article's title and the first sentence of its text, with its original
publication time, its link and its section; the full articles are not included. Read them on dantri.com.vn.

The rows were taken from the Vietnamese news corpus distributed with underthesea
(https://github.com/undertheseanlp/underthesea), licensed GPL-3.0, as converted in the project's shared
data (`stream/dantri_2019_2021.jsonl`). Rows that mention Ho Chi Minh City are preferred ({city} of the
{count} do); the newest other rows fill the sample up when there are too few.

`civicpulse demo` loads this file as the source "Dân Trí (demo)" and shifts the times so that the stream
ends at the moment it is loaded (each item keeps its original time in `extra.original_time`). The times are
rearranged for the demo: gaps are capped so the stream spans 60 hours, and the rows about the COVID-19 wave
({hot} of them) are laid into the last 45 minutes, so that the demo shows a hotspot and its alert.

Built by `scripts/build_demo.py`; do not edit by hand.
"""


def first_sentence(text: str) -> str:
    """Return the first sentence of the first non-empty line, cut at a word boundary if too long."""
    line = DATELINE.sub("", next((line.strip() for line in text.splitlines() if line.strip()), ""))
    end = SENTENCE_END.search(line)
    sentence = line[: end.end()] if end else line
    return clip(sentence, MAX_LEDE)


def clip(text: str, limit: int) -> str:
    """Return `text` cut at the last space before `limit`, with an ellipsis when it was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def mentions_city(row: dict[str, Any]) -> bool:
    return bool(CITY.search(f"{row['title']}\n{row['text']}"))


def select(rows: list[dict[str, Any]], target: int) -> list[dict[str, Any]]:
    """Return up to `target` rows, the newest about the city first, filled up with the newest others."""
    newest = sorted(rows, key=lambda r: r["time"], reverse=True)
    city = [r for r in newest if mentions_city(r)]
    others = [r for r in newest if not mentions_city(r)]
    chosen = (city + others)[:target]
    return sorted(chosen, key=lambda r: r["time"])


def offsets(times: list[datetime]) -> list[int]:
    """Seconds before the end of the stream for each (sorted) time, laid over `WINDOW_S`."""
    gaps = [min((b - a).total_seconds(), GAP_CAP_S) for a, b in itertools.pairwise(times)]
    scale = WINDOW_S / sum(gaps) if sum(gaps) else 0.0
    result, remaining = [], sum(gaps) * scale
    for i in range(len(times)):
        result.append(round(remaining))
        if i < len(gaps):
            remaining -= gaps[i] * scale
    return result


def hotspot(rows: list[dict[str, Any]], laid: list[int]) -> list[int]:
    """Move the rows of the hotspot theme, in their order, into the last `HOTSPOT_S` seconds."""
    hot = [i for i, row in enumerate(rows) if HOTSPOT.search(f"{row['title']}\n{row['text']}")]
    result = list(laid)
    for rank, i in enumerate(hot):
        result[i] = round(HOTSPOT_S * (len(hot) - rank) / len(hot))
    return result


def build(source: Path, out_dir: Path, target: int = TARGET) -> int:
    """Write the demo stream and its attribution; return the number of rows."""
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = select(rows, target)
    times = [datetime.fromisoformat(r["time"]) for r in chosen]
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for row, offset in zip(chosen, hotspot(chosen, offsets(times)), strict=True):
        record = {
            "id": row["id"],
            "title": clip(row["title"], MAX_TITLE),
            "lede": first_sentence(row["text"]),
            "time": row["time"],
            "offset_s": offset,
            "url": row["url"],
            "section": row["label"],
            "publisher": "Dân Trí",
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    (out_dir / "stream.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    city = sum(1 for r in chosen if mentions_city(r))
    hot = sum(1 for r in chosen if HOTSPOT.search(f"{r['title']}\n{r['text']}"))
    (out_dir / "ATTRIBUTION.md").write_text(
        ATTRIBUTION.format(count=len(chosen), city=city, hot=hot), encoding="utf-8"
    )
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Build the bundled demo stream from the shared Dân Trí data."
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="Read this JSONL stream.")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="Write the demo files into this folder.")
    args = parser.parse_args()
    count = build(args.source, args.out)
    print(f"Wrote {count} rows to {args.out / 'stream.jsonl'}")


if __name__ == "__main__":
    main()
