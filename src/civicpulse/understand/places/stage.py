"""The places stage: sets `Enrichment.units` from an item's title and text (and coordinates, if any)."""

from __future__ import annotations

import dataclasses
from typing import Any

from civicpulse.models import Item
from civicpulse.understand.places.extract import PlaceExtractor, PlaceMention
from civicpulse.understand.places.gazetteer import Gazetteer, load_gazetteer
from civicpulse.understand.places.geo import Boundary, UnitLocator


def units_field(mentions: list[PlaceMention]) -> tuple[str, ...]:
    """Return `Enrichment.units`: one entry per place, its acceptable codes joined by `|`."""
    return tuple(m.joined for m in mentions)


def unit_codes(units: tuple[str, ...]) -> set[str]:
    """Return every code named in an `Enrichment.units` tuple (alternatives split apart)."""
    return {code for entry in units for code in entry.split("|") if code}


class PlacesStage:
    """Geotags each item to the city's units; a field report's coordinates add the unit they fall in."""

    name = "places"

    def __init__(self, gazetteer: Gazetteer | None = None, boundaries: list[Boundary] | None = None) -> None:
        self.gazetteer = gazetteer or load_gazetteer()
        self.extractor = PlaceExtractor(self.gazetteer)
        self.locator = UnitLocator(self.gazetteer, boundaries)

    def process(self, item: Item) -> Item:
        """Return the item with `enrichment.units` set (text places first, then the coordinates' unit)."""
        text = f"{item.title}\n{item.text}" if item.title else item.text
        units = units_field(self.extractor.extract(text))
        located = self._located(item.extra)
        if located and located not in units:
            units = (*units, located)
        if units == item.enrichment.units:
            return item  # most posts name no place: nothing to copy
        enrichment = dataclasses.replace(item.enrichment, units=units)
        return dataclasses.replace(item, enrichment=enrichment)

    def _located(self, extra: dict[str, Any]) -> str | None:
        lat, lon = extra.get("lat"), extra.get("lon")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            return None
        return self.locator.locate(float(lat), float(lon))
