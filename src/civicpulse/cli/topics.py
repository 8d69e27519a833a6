"""`civicpulse topics add|list|import|test`: watched topics as boolean queries."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.errors import InputError
from civicpulse.models import Topic
from civicpulse.store.understanding import TopicTables
from civicpulse.understand.topics import QuerySyntaxError, compile_query
from civicpulse.understand.vietnamese import analyse


@click.group()
def topics() -> None:
    """Watch topics: boolean queries matched against every item."""


@topics.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--category", default="", help="Put the topic in this taxonomy category.")
@click.option("--exact", is_flag=True, help="Match diacritics exactly (ngap will not match ngập).")
@pass_app
def add(app: AppContext, name: str, query: str, category: str, exact: bool) -> None:
    """Add a topic, or replace the query of the topic with this name."""
    _check(query, exact)
    topic = TopicTables(app.store()).add(
        Topic(name=name, query=query, category=category, settings={"exact": True} if exact else {})
    )
    click.echo(f"Topic {topic.id} {topic.name!r} saved.")


@topics.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def list_topics(app: AppContext, as_json: bool) -> None:
    """List the topics with their queries and match counts."""
    tables = TopicTables(app.store())
    counts = tables.match_counts()
    found = tables.topics()
    if as_json:
        echo_json([_topic_json(t, counts.get(t.id or 0, 0)) for t in found])
        return
    if not found:
        click.echo(
            "No topics yet; add one with `civicpulse topics add` or `civicpulse topics import --starter`."
        )
    for t in found:
        state = "" if t.enabled else " (disabled)"
        click.echo(f"{t.id:>5}  {t.name}{state}  [{t.category or '-'}]  {counts.get(t.id or 0, 0):,} items")
        click.echo(f"       {t.query}")


@topics.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--starter", is_flag=True, help="Import the starter taxonomy of city concerns.")
@pass_app
def import_topics(app: AppContext, file: Path | None, starter: bool) -> None:
    """Import topics from a TOML file ([[topic]] tables with name, query, category)."""
    if (file is None) == (not starter):
        raise click.UsageError("give either FILE.toml or --starter")
    text = (resources.files("civicpulse") / "data" / "topics" / "starter.toml").read_text(encoding="utf-8")
    if file is not None:
        text = file.read_text(encoding="utf-8")
    parsed = _read(text, str(file or "starter.toml"))
    tables = TopicTables(app.store())
    for topic in parsed:
        tables.add(topic)
    click.echo(f"Imported {len(parsed):,} topics.")


@topics.command("test")
@click.argument("query")
@click.option("--limit", default=1000, show_default=True, help="Match against this many recent items.")
@click.option("--show", default=10, show_default=True, help="Print at most this many matching items.")
@click.option("--exact", is_flag=True, help="Match diacritics exactly.")
@pass_app
def test_query(app: AppContext, query: str, limit: int, show: int, exact: bool) -> None:
    """Check a query's syntax and count how many recent stored items it matches."""
    compiled = _check(query, exact)
    recent = app.store().recent_items(limit)
    matched = [item for item in recent if compiled(analyse(f"{item.title}\n{item.text}").text)]
    for item in matched[:show]:
        click.echo(f"{item.id:>8}  {(item.title or item.text)[:100]}")
    click.echo(f"Matched {len(matched):,} of the {len(recent):,} most recent items.")


def _check(query: str, exact: bool) -> Any:
    try:
        return compile_query(query, exact=exact)
    except QuerySyntaxError as error:
        raise InputError(f"the query has a syntax error: {error}") from error


def _read(text: str, where: str) -> list[Topic]:
    """Parse a topics TOML document; every query is checked before anything is stored."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{where} is not valid TOML: {error}") from error
    found = []
    for number, entry in enumerate(document.get("topic", []), 1):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("query"):
            raise InputError(f"{where}: topic {number} needs a name and a query")
        exact = bool(entry.get("exact", False))
        try:
            compile_query(entry["query"], exact=exact)
        except QuerySyntaxError as error:
            raise InputError(f"{where}: topic {entry['name']!r}: {error}") from error
        found.append(
            Topic(
                name=entry["name"],
                query=entry["query"],
                category=entry.get("category", ""),
                examples=tuple(entry.get("examples", ())),
                enabled=bool(entry.get("enabled", True)),
                settings={"exact": True} if exact else {},
            )
        )
    return found


def _topic_json(topic: Topic, matches: int) -> dict[str, Any]:
    return {
        "id": topic.id,
        "name": topic.name,
        "query": topic.query,
        "category": topic.category,
        "enabled": topic.enabled,
        "exact": bool(topic.settings.get("exact", False)),
        "matches": matches,
    }
