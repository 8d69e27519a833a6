"""Shared data for the places tests: the bundled gazetteer and, when present, the project's shared tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from civicpulse.understand.places import Gazetteer, PlaceExtractor, load_gazetteer
from tests.conftest import FIXTURES, SHARED_DATA

PLACES_DATA = SHARED_DATA / "places"
OWN_SET = FIXTURES / "places" / "dantri_places.jsonl"


def shared(name: str) -> Path:
    """Return a file of the shared places data, or skip when this checkout has none."""
    path = PLACES_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared data sits beside the repository)")
    return path


def official_table() -> list[dict[str, str]]:
    """Read the official old ward -> new unit table (GPL; read here, never copied into the repository)."""
    with shared("hcmc_old_to_new_by_code_vietnam_provinces.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="session")
def extractor(gazetteer: Gazetteer) -> PlaceExtractor:
    return PlaceExtractor(gazetteer)
