"""Readers for the openly licensed sources the shipped models learn from (../shared/data/open, ViHOS).

Each reader returns labelled texts and the `DataSource` line for the model card. Nothing here is copied
into the package: the sources are read at training time only, and the seed lists are the project's own.
"""

from __future__ import annotations

import csv
import json
import random
import re
from importlib import resources
from pathlib import Path

from civicpulse.understand.classify.card import DataSource
from civicpulse.understand.classify.corpus import Labelled, read_labelled

Rows = tuple[list[Labelled], DataSource]
XED_POSITIVE, XED_NEGATIVE = {5, 8}, {1, 3, 4, 6}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ỹ0-9\"“])")


def seeds(task: str) -> Rows:
    """Return the project's own labelled seed sentences for `task` (GPL-3.0-or-later, as the code)."""
    path = Path(str(resources.files("civicpulse") / "data" / "seeds" / f"{task}.tsv"))
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            label, text = line.split("\t", 1)
            rows.append(Labelled(text.strip(), label.strip()))
    return rows, DataSource(
        f"civicpulse seeds/{task}.tsv", len(rows), "GPL-3.0-or-later", "written for civicpulse"
    )


def xed_vi(open_dir: Path) -> Rows:
    """Return XED's Vietnamese lines whose emotions are all positive (joy, trust) or all negative."""
    rows = []
    for line in (open_dir / "xed" / "vi-projections.tsv").read_text(encoding="utf-8").splitlines():
        text, _, codes = line.rpartition("\t")
        emotions = {int(c) for c in codes.split(",") if c.strip().isdigit()}
        if emotions and emotions <= XED_POSITIVE:
            rows.append(Labelled(text, "positive"))
        elif emotions and emotions <= XED_NEGATIVE:
            rows.append(Labelled(text, "negative"))
    attribution = "Öhman, Pàmies, Kajava, Tiedemann (2020), XED, COLING 2020; CC BY 4.0"
    return rows, DataSource("XED vi projections", len(rows), "CC-BY-4.0", "Helsinki-NLP/XED", attribution)


def translated_lexicon(open_dir: Path, *, threshold: float = 1.5) -> Rows:
    """Return VADER (MIT) English words with strong valence, translated by the MEmoLon table (MIT)."""
    table = json.loads((open_dir / "memolon_vi_translation_table" / "vi.json").read_text(encoding="utf-8"))
    rows = []
    for line in (
        (open_dir / "vader_lexicon_en" / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines()
    ):
        parts = line.split("\t")
        if len(parts) < 2 or parts[0] not in table:
            continue
        valence = float(parts[1])
        if abs(valence) >= threshold:
            rows.append(Labelled(str(table[parts[0]]).lower(), "positive" if valence > 0 else "negative"))
    attribution = "Hutto & Gilbert (2014) VADER, MIT; Buechel et al. (2020) MEmoLon translation table, MIT"
    return rows, DataSource(
        "VADER words via MEmoLon en→vi", len(rows), "MIT", "cjhutto/vaderSentiment", attribution
    )


def emoji_polarity(open_dir: Path) -> Rows:
    """Return emoji whose English description scores clearly positive or negative under VADER."""
    valence: dict[str, float] = {}
    for line in (
        (open_dir / "vader_lexicon_en" / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines()
    ):
        parts = line.split("\t")
        if len(parts) >= 2:
            valence[parts[0]] = float(parts[1])
    rows = []
    for line in (
        (open_dir / "vader_lexicon_en" / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines()
    ):
        emoji, _, description = line.partition("\t")
        score = sum(valence.get(w, 0.0) for w in description.lower().split())
        if abs(score) >= 1.5:
            rows.append(Labelled(emoji, "positive" if score > 0 else "negative"))
    return rows, DataSource("VADER emoji table", len(rows), "MIT", "cjhutto/vaderSentiment")


def xquad_vi(open_dir: Path, rng: random.Random, *, questions: int, sentences: int) -> tuple[Rows, Rows]:
    """Return (questions, declarative Wikipedia sentences) sampled from XQuAD-vi (CC BY-SA 4.0)."""
    data = json.loads((open_dir / "xquad_vi" / "xquad.vi.json").read_text(encoding="utf-8"))
    asked, stated = [], []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            stated += [s for s in _SENTENCE_END.split(paragraph["context"]) if 5 <= len(s.split()) <= 40]
            asked += [qa["question"] for qa in paragraph["qas"]]
    picked_q = rng.sample(asked, min(questions, len(asked)))
    picked_s = rng.sample(stated, min(sentences, len(stated)))
    attribution = "Artetxe, Ruder, Yogatama (2020), XQuAD; CC BY-SA 4.0 (model weights derived from it)"
    return (
        ([Labelled(q, "question") for q in picked_q], _xquad("questions", len(picked_q), attribution)),
        ([Labelled(s, "") for s in picked_s], _xquad("sentences", len(picked_s), attribution)),
    )


def _xquad(part: str, rows: int, attribution: str) -> DataSource:
    return DataSource(f"XQuAD-vi {part}", rows, "CC-BY-SA-4.0", "google-deepmind/xquad", attribution)


def bad_words(open_dir: Path) -> Rows:
    """Return Vietnamese profanity entries (vn-badwords, MIT; LDNOOBW entries with diacritics, CC0)."""
    words = set(
        (open_dir / "viet_badwords_filter" / "badwords_vi.txt").read_text(encoding="utf-8").split("\n")
    )
    ldnoobw = (open_dir / "ldnoobw_v2_vi" / "vi.txt").read_text(encoding="utf-8").split("\n")
    # The LDNOOBW file mixes in Indonesian and Malay slurs; entries with Vietnamese diacritics are Vietnamese.
    words |= {w for w in ldnoobw if not w.isascii()}
    rows = [Labelled(w.strip(), "offensive") for w in sorted(words) if len(w.strip()) > 2]
    attribution = "vn-badwords (Nguyễn Quang Sáng, MIT); LDNOOBW V2 (CC0)"
    return rows, DataSource(
        "Vietnamese bad-word lists", len(rows), "MIT / CC0-1.0", "Eris-js/vn-badwords", attribution
    )


def vihos(vihos_dir: Path) -> list[Labelled]:
    """Return ViHOS training comments (MIT) with their clean/toxic labels."""
    return read_labelled(vihos_dir / "vihos_train.jsonl")


def xed_en(open_dir: Path, rng: random.Random, limit: int) -> Rows:
    """Return up to `limit` English XED lines (CC BY 4.0) whose emotions are all positive or all negative."""
    rows = []
    for line in (open_dir / "xed" / "en-annotated.tsv").read_text(encoding="utf-8").splitlines():
        text, _, codes = line.rpartition("\t")
        emotions = {int(c) for c in codes.split(",") if c.strip().isdigit()}
        if len(text.split()) < 3 or not emotions:
            continue
        if emotions <= XED_POSITIVE:
            rows.append(Labelled(text, "positive"))
        elif emotions <= XED_NEGATIVE:
            rows.append(Labelled(text, "negative"))
    picked = rng.sample(rows, min(limit, len(rows)))
    attribution = "Öhman, Pàmies, Kajava, Tiedemann (2020), XED, COLING 2020; CC BY 4.0"
    return picked, DataSource(
        "XED English (sample)", len(picked), "CC-BY-4.0", "Helsinki-NLP/XED", attribution
    )


def davidson(open_dir: Path, rng: random.Random, limit: int) -> Rows:
    """Return up to `limit` English tweets (MIT) as hate / offensive / clean, hate kept in full."""
    path = open_dir / "davidson_hate_offensive_en" / "labeled_data.csv"
    names = {"0": "hate", "1": "offensive", "2": "clean"}
    with path.open(encoding="utf-8") as handle:
        rows = [Labelled(_tweet(r["tweet"]), names[r["class"]]) for r in csv.DictReader(handle)]
    hate = [r for r in rows if r.label == "hate"]
    rest = rng.sample(
        [r for r in rows if r.label != "hate"], max(0, min(limit - len(hate), len(rows) - len(hate)))
    )
    picked = hate + rest
    attribution = "Davidson, Warmsley, Macy, Weber (2017), ICWSM; MIT"
    return picked, DataSource(
        "Davidson et al. tweets (sample)",
        len(picked),
        "MIT",
        "t-davidson/hate-speech-and-offensive-language",
        attribution,
    )


_MENTION = re.compile(r"@\w+:?|\bRT\b|&amp;|&#\d+;")


def _tweet(text: str) -> str:
    return " ".join(_MENTION.sub(" ", text).split())


def vader_en(open_dir: Path, *, threshold: float = 1.5) -> Rows:
    """Return VADER's English words and emoticons (MIT) with strong valence, as they are."""
    rows = []
    for line in (
        (open_dir / "vader_lexicon_en" / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines()
    ):
        parts = line.split("\t")
        if len(parts) >= 2 and abs(float(parts[1])) >= threshold:
            rows.append(Labelled(parts[0], "positive" if float(parts[1]) > 0 else "negative"))
    attribution = "Hutto & Gilbert (2014), VADER, ICWSM; MIT"
    return rows, DataSource("VADER English words", len(rows), "MIT", "cjhutto/vaderSentiment", attribution)
