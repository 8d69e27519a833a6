"""`civicpulse eval places FILE`: geotagging scored against the gold `units` lists (see EVAL.md)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicpulse.errors import InputError
from civicpulse.understand.places.extract import PlaceExtractor


@dataclass
class PlaceScores:
    """Running counts: predicted codes right and wrong, gold places found, rows fully right."""

    items: int = 0
    predicted: int = 0
    correct: int = 0
    gold_places: int = 0
    found: int = 0
    exact_rows: int = 0
    levels: dict[str, list[int]] = field(default_factory=dict)

    def add(self, predicted: set[str], gold: list[set[str]], level: str = "") -> None:
        """Score one row: a code is right when some gold list holds it; a place is found by any code."""
        allowed = set().union(*gold) if gold else set()
        correct = len(predicted & allowed)
        found = sum(1 for place in gold if place & predicted)
        self.items += 1
        self.predicted += len(predicted)
        self.correct += correct
        self.gold_places += len(gold)
        self.found += found
        exact = correct == len(predicted) and found == len(gold)
        self.exact_rows += exact
        if level:
            self.levels.setdefault(level, [0, 0])
            self.levels[level][0] += 1
            self.levels[level][1] += exact

    def as_dict(self) -> dict[str, Any]:
        """Return the EVAL.md keys (and a few more)."""
        precision = self.correct / self.predicted if self.predicted else 1.0
        recall = self.found / self.gold_places if self.gold_places else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "items": self.items,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "exact_rows": self.exact_rows,
            "gold_places": self.gold_places,
            "predicted_codes": self.predicted,
            "exact_rows_by_level": {k: {"rows": v[0], "exact": v[1]} for k, v in sorted(self.levels.items())},
        }


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, row) of a places JSONL file; a malformed line raises `InputError`."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text", ""), str):
                raise InputError(f"{path}:{number}: expected an object with a string 'text'")
            units = row.get("units")
            if not isinstance(units, list) or not all(
                isinstance(p, list) and all(isinstance(c, str) for c in p) for p in units
            ):
                raise InputError(f"{path}:{number}: 'units' must be a list of lists of code strings")
            yield number, row


def run_places_eval(
    path: Path, extractor: PlaceExtractor | None = None, fold_text: bool = False
) -> dict[str, Any]:
    """Geotag every row of `path` in order and return the scores (`fold_text`: strip diacritics first)."""
    from civicpulse.understand.text import fold

    extractor = extractor or PlaceExtractor()
    scores = PlaceScores()
    elapsed = 0.0
    for _, row in read_rows(path):
        text = "\n".join(part for part in (row.get("title", ""), row.get("text", "")) if part)
        if fold_text:
            text = fold(text)
        started = time.perf_counter()
        predicted = {code for mention in extractor.extract(text) for code in mention.codes}
        elapsed += time.perf_counter() - started
        scores.add(predicted, [set(place) for place in row["units"]], str(row.get("level", "")))
    result = scores.as_dict()
    result["items_per_s"] = round(scores.items / elapsed, 1) if elapsed > 0 else 0.0
    return result
