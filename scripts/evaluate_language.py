"""Evaluate language identification on real short texts and a written check set; write
docs/evaluation_language.md.

Three measurements:

1. real short texts generated here from ../shared/data at run time and never stored in the repository
   (some sources are research-only): Vietnamese comments (ViHOS test, MIT; UIT-VSFC dev, research-only),
   the same texts folded without diacritics, and English tweets (CrisisLex T6, Davidson);
2. the check set `tests/fixtures/language/check.jsonl`: short crisis-style and everyday sentences in ten
   languages outside the platform's twelve (and Indonesian), plus 1-3 word texts, written by us;
3. the tuning of the rule that returns a language outside the platform's twelve (its probability threshold
   and word floor), on a separate tuning set: `tests/fixtures/language/tuning.jsonl` (written by us) and
   Vietnamese and English texts from other sources than (1): ViHOS dev, BANKING77 test, XED English lines.

Run: .venv/bin/python scripts/evaluate_language.py
"""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

from civicpulse.understand.language import PLATFORM_LANGUAGES, LanguageIdentifier, LanguageOptions
from civicpulse.understand.text import fold

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "language"
OUT = ROOT / "docs" / "evaluation_language.md"
PER_SOURCE = 100
TUNING_PER_SOURCE = 200
SEED = 11
MAX_CHARS = 200
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
MIN_WORDS = (1, 2, 3, 4)

Labelled = list[tuple[str, str, str]]
"""(group, gold language, text) triples."""


def _jsonl(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)["text"]


def _csv(path: Path, column: str) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row[column]


def _short(
    texts: Iterator[str], rng: random.Random, n: int = PER_SOURCE, without: Collection[str] = ()
) -> list[str]:
    """Return `n` short texts of 2+ words not in `without`, sampled reproducibly."""
    pool = sorted({" ".join(t.split()) for t in texts if len(t.split()) >= 2 and len(t) <= MAX_CHARS})
    return rng.sample([t for t in pool if t not in without], n)


def _vi_en(vi: list[str], en: list[str]) -> Labelled:
    return (
        [("vi", "vi", t) for t in vi]
        + [("vi-folded", "vi", fold(t)) for t in vi]
        + [("en", "en", t) for t in en]
    )


def _davidson() -> Iterator[str]:
    return _csv(DATA / "open" / "davidson_hate_offensive_en" / "labeled_data.csv", "tweet")


def labelled_set() -> Labelled:
    """Return the real evaluation texts: vi, vi-folded, en."""
    rng = random.Random(SEED)
    vi = _short(_jsonl(DATA / "toxicity" / "vihos_test.jsonl"), rng)
    vi += _short(_jsonl(DATA / "sentiment" / "uit_vsfc_dev.jsonl"), rng)
    en = _short(_jsonl(DATA / "detection" / "crisislex_t6.jsonl"), rng) + _short(_davidson(), rng)
    return _vi_en(vi, en)


def written_set(name: str) -> Labelled:
    """Return a written fixture's texts, grouped by language, 1-3 word texts under "short"."""
    rows = [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]
    return [("short" if r.get("short") else r["lang"], r["lang"], r["text"]) for r in rows]


def tuning_set(evaluated: Collection[str]) -> Labelled:
    """Return the tuning texts: the written tuning fixture, vi from ViHOS dev, en from BANKING77 test, XED
    and CrisisLex T6 and Davidson tweets that are not among the `evaluated` ones."""
    rng = random.Random(SEED + 1)
    vi = _short(_jsonl(DATA / "toxicity" / "vihos_dev.jsonl"), rng, TUNING_PER_SOURCE)
    xed = (
        line.split("\t")[0] for line in (DATA / "open" / "xed" / "en-annotated.tsv").open(encoding="utf-8")
    )
    en = _short(_csv(DATA / "open" / "banking77_en" / "test.csv", "text"), rng, TUNING_PER_SOURCE)
    en += _short(xed, rng, TUNING_PER_SOURCE)
    tweets = _jsonl(DATA / "detection" / "crisislex_t6.jsonl")
    en += _short(tweets, rng, TUNING_PER_SOURCE, evaluated) + _short(
        _davidson(), rng, TUNING_PER_SOURCE, evaluated
    )
    return _vi_en(vi, en) + written_set("tuning.jsonl")


def _all_lid176_languages() -> tuple[str, ...]:
    """Return every language lid.176 knows (fasttext-predict has no `get_labels`, so ask for them all)."""
    return tuple(lang for lang, _ in LanguageIdentifier().distribution("x"))


def candidates() -> dict[str, Callable[[str], str]]:
    """Return the identifiers under test, by name."""
    every = LanguageIdentifier(
        LanguageOptions(languages=_all_lid176_languages(), fallback=False, other_threshold=None)
    )
    restricted = LanguageIdentifier(LanguageOptions(fallback=False, other_threshold=None))
    before = LanguageIdentifier(LanguageOptions(other_threshold=None))
    ours = LanguageIdentifier()
    o = ours.options
    return {
        "fastText lid.176, all 176 languages": lambda t: every.identify(t)[0],
        "fastText lid.176, restricted to 12 platform languages": lambda t: restricted.identify(t)[0],
        "restricted + Vietnamese syllable fallback (0011 until 2026-11)": lambda t: before.identify(t)[0],
        f"... + another language at p >= {o.other_threshold} and {o.other_min_words}+ words (shipped)": (
            lambda t: ours.identify(t)[0]
        ),
    }


def accuracy_table(data: Labelled, groups: Sequence[str], with_rate: bool) -> list[str]:
    """Return a Markdown table of each candidate's accuracy per group and overall."""
    head = "| candidate | " + " | ".join(groups) + " | all |" + (" texts/s |" if with_rate else "")
    lines = [head + " most common errors |", "|---|" + "---|" * (len(groups) + 2 + with_rate)]
    totals = Counter(g for g, _, _ in data)
    for name, identify in candidates().items():
        right: Counter[str] = Counter()
        errors: dict[str, Counter[str]] = defaultdict(Counter)
        start = time.perf_counter()
        predictions = [identify(text) for _, _, text in data]
        rate = len(data) / (time.perf_counter() - start)
        for (group, gold, _), predicted in zip(data, predictions, strict=True):
            if predicted == gold:
                right[group] += 1
            else:
                errors[group][predicted or "none"] += 1
        cells = [f"{right[g] / totals[g]:.3f}" for g in groups]
        overall = sum(right.values()) / len(data)
        worst = "; ".join(
            f"{g}: " + ", ".join(f"{k} {v}" for k, v in errors[g].most_common(3)) for g in groups if errors[g]
        )
        speed = f" {rate:,.0f} |" if with_rate else ""
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {overall:.3f} |{speed} {worst} |")
        print(lines[-1])
    return lines


def tune(data: Labelled) -> tuple[list[str], tuple[float, int]]:
    """Sweep the other-language rule on the tuning set; return a table and the chosen (threshold, words).

    Chosen: the fewest texts in a platform language lost against the rule switched off, then the most in
    other languages right, then the highest threshold and word floor (the most cautious of equals).
    """
    off = LanguageIdentifier(LanguageOptions(other_threshold=None))
    base = [off.identify(t)[0] for _, _, t in data]
    platform = [gold in PLATFORM_LANGUAGES for _, gold, _ in data]
    lines = [
        "| threshold | min words | platform texts lost | platform texts gained | other languages right |"
        " other short right |",
        "|---|---|---|---|---|---|",
    ]
    scored: list[tuple[int, int, float, int]] = []
    for threshold in THRESHOLDS:
        for words in MIN_WORDS:
            rule = LanguageIdentifier(LanguageOptions(other_threshold=threshold, other_min_words=words))
            lost = gained = other = short = 0
            n_other = n_short = 0
            for (group, gold, text), was, is_platform in zip(data, base, platform, strict=True):
                got = rule.identify(text)[0]
                if is_platform:
                    lost += was == gold and got != gold
                    gained += was != gold and got == gold
                elif group == "short":
                    n_short += 1
                    short += got == gold
                else:
                    n_other += 1
                    other += got == gold
            scored.append((-lost, other + short, threshold, words))
            lines.append(
                f"| {threshold} | {words} | {lost} | {gained} | {other}/{n_other} ({other / n_other:.3f}) "
                f"| {short}/{n_short} |"
            )
    _, _, threshold, words = max(scored)
    return lines, (threshold, words)


def main() -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} not found: the evaluation reads the shared data sets")
    real = labelled_set()
    check = written_set("check.jsonl")
    check_groups = list(dict.fromkeys(g for g, _, _ in check))
    tuning = tuning_set({t for _, _, t in real})
    sweep, (threshold, words) = tune(tuning)
    shipped = LanguageOptions()
    lines = [
        "# Language identification",
        "",
        "Generated by `.venv/bin/python scripts/evaluate_language.py`; do not edit by hand.",
        "",
        "## Real short texts: Vietnamese and English",
        "",
        f"{len(real)} real short texts ({PER_SOURCE} per source, <= {MAX_CHARS} characters, 2+ words,",
        f"seed {SEED}): vi = ViHOS test comments + UIT-VSFC dev sentences; vi-folded = the same texts with",
        "diacritics removed; en = CrisisLex T6 tweets + Davidson tweets. No public set here has Indonesian,",
        "Malay, Tagalog, Thai, Khmer, Lao or Chinese, so confusions with them count as errors but their own",
        "accuracy is not measured (tests/understand/test_language.py checks hand-written sentences).",
        "",
        *accuracy_table(real, ["vi", "vi-folded", "en"], with_rate=True),
        "",
        "## Written check set: other languages",
        "",
        f"`tests/fixtures/language/check.jsonl`: {len(check)} texts written by the civicpulse authors, 15",
        "crisis-style or everyday sentences (4-14 words) in each of es, pt, it, de, nl, ru, ar, tr, id, hi;",
        "short = 30 texts of 1-3 words in those languages and in en, vi, fr (headlines, thanks, `help`).",
        "",
        *accuracy_table(check, check_groups, with_rate=False),
        "",
        "## Tuning the other-language rule",
        "",
        f"On {len(tuning)} tuning texts, none of them in the evaluations above: the written",
        "`tests/fixtures/language/tuning.jsonl` (8 sentences in each of the ten languages, 31 texts of 1-3",
        f"words), {TUNING_PER_SOURCE} ViHOS dev comments (and the same folded), and {TUNING_PER_SOURCE} each",
        "of BANKING77 test queries, XED English lines, CrisisLex T6 and Davidson tweets (not the evaluated",
        "ones). *Lost* / *gained*: texts in a platform language (vi, en, fr..., short ones too) right with",
        "the rule off and wrong with it on, and the reverse. Chosen: the fewest lost, then the most texts in",
        "other languages right, then the highest threshold and word floor.",
        "",
        *sweep,
        "",
        f"Chosen on the tuning set: threshold {threshold}, {words}+ words; shipped (`LanguageOptions`):",
        f"threshold {shipped.other_threshold}, {shipped.other_min_words}+ words.",
    ]
    print("\n".join(lines[-2:]))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
