"""Places: the city's units, the names people write for them, and where a text or a point is."""

from civicpulse.understand.places.extract import PlaceExtractor, PlaceMention
from civicpulse.understand.places.gazetteer import Gazetteer, Unit, load_gazetteer
from civicpulse.understand.places.geo import UnitLocator, load_boundaries
from civicpulse.understand.places.stage import PlacesStage, unit_codes

__all__ = [
    "Gazetteer",
    "PlaceExtractor",
    "PlaceMention",
    "PlacesStage",
    "Unit",
    "UnitLocator",
    "load_boundaries",
    "load_gazetteer",
    "unit_codes",
]
