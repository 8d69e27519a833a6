"""Build src/civicpulse/data/models/vi_syllables.txt: folded Vietnamese syllables from openly licensed text.

Sources (read from ../shared/data): MEmoLon vi translation table (MIT), XED Vietnamese lines
(CC-BY-4.0), XQuAD-vi (CC-BY-SA-4.0), ViHOS train comments (MIT; dev and test stay unseen for the
evaluation). Only syllables that fit Vietnamese phonotactics are kept, so foreign names do not leak in;
those that are also common English words are marked, since they say little about diacritic-free text.
Run: .venv/bin/python scripts/build_vi_syllables.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from civicpulse.understand.language import SYLLABLE
from civicpulse.understand.text import fold

ROOT = Path(__file__).resolve().parents[1]
OPEN = ROOT.parent / "shared" / "data" / "open"
OUT = ROOT / "src" / "civicpulse" / "data" / "models" / "vi_syllables.txt"
WORD = re.compile(r"[^\W\d_]+")


def texts() -> list[str]:
    """Return the Vietnamese texts of the three open sources."""
    memolon = json.loads((OPEN / "memolon_vi_translation_table" / "vi.json").read_text(encoding="utf-8"))
    xed = [line.split("\t")[0] for line in (OPEN / "xed" / "vi-projections.tsv").read_text().splitlines()]
    xquad = json.loads((OPEN / "xquad_vi" / "xquad.vi.json").read_text(encoding="utf-8"))
    squad = [p["context"] for article in xquad["data"] for p in article["paragraphs"]]
    squad += [q["question"] for article in xquad["data"] for p in article["paragraphs"] for q in p["qas"]]
    vihos = OPEN.parent / "toxicity" / "vihos_train.jsonl"
    comments = [json.loads(line)["text"] for line in vihos.read_text(encoding="utf-8").splitlines()]
    return list(memolon.values()) + xed + squad + comments


def english_words() -> set[str]:
    """Return English words seen at least 5 times in XED's English subtitle lines (CC-BY-4.0)."""
    counts: Counter[str] = Counter()
    for name in ("en-annotated.tsv", "neu_en.txt"):
        for line in (OPEN / "xed" / name).read_text(encoding="utf-8").splitlines():
            counts.update(w.lower() for w in WORD.findall(line.split("\t")[0]))
    return {w for w, n in counts.items() if n >= 5}


def main() -> None:
    counts: Counter[str] = Counter()
    for text in texts():
        # A token must carry a Vietnamese diacritic or be lower-case, so English loanwords and names drop out.
        for token in WORD.findall(text):
            folded = fold(token)
            if (token != folded or token.islower()) and SYLLABLE.fullmatch(folded):
                counts[folded] += 1
    english = english_words()
    syllables = sorted(s + (" en" if s in english else "") for s, n in counts.items() if n >= 2)
    header = (
        "# Folded Vietnamese syllables seen at least twice in MEmoLon vi (MIT), XED vi (CC-BY-4.0),\n"
        "# XQuAD-vi (CC-BY-SA-4.0) and ViHOS train (MIT); built by scripts/build_vi_syllables.py.\n"
        "# One syllable a line; ` en` marks one that is also a common English word (XED English lines).\n"
    )
    OUT.write_text(header + "\n".join(syllables) + "\n", encoding="utf-8")
    print(f"wrote {len(syllables):,} syllables to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
