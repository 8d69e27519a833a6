"""The places stage in the pipeline: enrichment units from title, text and coordinates."""

from __future__ import annotations

from civicpulse.models import Item
from civicpulse.pipeline.stage import Stage
from civicpulse.understand.places import PlacesStage, unit_codes


def test_the_stage_sets_one_entry_per_place() -> None:
    stage: Stage = PlacesStage()
    item = Item(key="k", title="Cháy ở phường Đa Kao, quận 1", text="Huyện Cần Giờ cũng mưa lớn.")
    out = stage.process(item)
    assert out.enrichment.units == ("26737|26740", "27664|27667|27673|27676")
    assert unit_codes(out.enrichment.units) == {"26737", "26740", "27664", "27667", "27673", "27676"}
    assert item.enrichment.units == ()  # the input is not changed


def test_coordinates_add_their_unit() -> None:
    item = Item(key="k", text="Ngập nặng trước nhà.", extra={"lat": 10.776, "lon": 106.700})
    assert PlacesStage().process(item).enrichment.units == ("26740",)


def test_an_item_without_places_has_no_units() -> None:
    item = Item(key="k", text="Trời đẹp.", extra={"lat": "x"})
    assert PlacesStage().process(item).enrichment.units == ()
