"""`civicpulse places ...`: find the places in a text, list the city's units, score the geotagger."""

from __future__ import annotations

from pathlib import Path

import click

from civicpulse.cli.context import echo_json


@click.group()
def places() -> None:
    """Find places in text and list the city's units."""


@places.command("find")
@click.argument("text")
def find(text: str) -> None:
    """Print the places TEXT is about: the words, the level and the acceptable unit codes."""
    from civicpulse.understand.places import PlaceExtractor

    extractor = PlaceExtractor()
    found = extractor.extract(text)
    for mention in found:
        names = ", ".join(
            unit.name for code in mention.codes if (unit := extractor.gazetteer.unit(code)) is not None
        )
        click.echo(f"{mention.text!r} ({mention.level}): {mention.joined}  [{names}]")
    if not found:
        click.echo("No place of the city found.")


@places.command("units")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per unit.")
def units(as_json: bool) -> None:
    """List the city's units: code, name, type, centroid and area."""
    from civicpulse.understand.places import load_gazetteer

    for unit in load_gazetteer().units:
        if as_json:
            echo_json(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "type": unit.type,
                    "lat": unit.lat,
                    "lon": unit.lon,
                    "area_km2": unit.area_km2,
                }
            )
        else:
            click.echo(f"{unit.code}  {unit.name}  ({unit.lat:.4f}, {unit.lon:.4f}, {unit.area_km2:g} km²)")


@places.command("eval")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fold", "fold_text", is_flag=True, help="Strip diacritics from every passage first.")
def evaluate(file: Path, fold_text: bool) -> None:
    """Score the geotagger on a labelled JSONL file (same output as `civicpulse eval places FILE`)."""
    from civicpulse.eval.places import run_places_eval

    echo_json(run_places_eval(file, fold_text=fold_text))
