"""`civicpulse claims add|list|import|match`: the library of known false or misleading claims."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.errors import InputError
from civicpulse.store.claims import VERDICTS, Claim, ClaimTables
from civicpulse.understand.claims import ClaimMatcher, parse_claimreviews
from civicpulse.understand.language import LanguageIdentifier


@click.group()
def claims() -> None:
    """Known false or misleading claims, and the items that repeat them."""


@claims.command("add")
@click.argument("text")
@click.option("--verdict", type=click.Choice(VERDICTS), default="false", show_default=True)
@click.option("--summary", default="", help="What is wrong with the claim, in a sentence or two.")
@click.option("--clarification", "clarification_id", type=int, help="Id of the clarification answering it.")
@click.option("--lang", default="", help="Language code; detected when left out.")
@click.option("--by", "created_by", default="", help="Who added it.")
@pass_app
def add(  # noqa: PLR0917 - click passes every option positionally
    app: AppContext,
    text: str,
    verdict: str,
    summary: str,
    clarification_id: int | None,
    lang: str,
    created_by: str,
) -> None:
    """Add a claim by hand."""
    if not text.strip():
        raise InputError("the claim text is empty")
    claim = Claim(
        text=text.strip(),
        verdict=verdict,
        summary=summary,
        clarification_id=clarification_id,
        lang=lang or LanguageIdentifier().identify(text)[0],
        created_by=created_by,
    )
    stored, created = ClaimTables(app.store()).add(claim)
    click.echo(f"Claim {stored.id} {'added' if created else 'already in the library'}.")


@claims.command("list")
@click.option("--query", default="", help="Only claims containing these words (with or without diacritics).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def list_claims(app: AppContext, query: str, as_json: bool) -> None:
    """List the claims with their verdicts and match counts."""
    tables = ClaimTables(app.store())
    counts = tables.counts()
    found = tables.find(query)
    if as_json:
        echo_json(
            [
                {"id": c.id, "text": c.text, "verdict": c.verdict, "rating": c.rating, "active": c.active}
                | {"clarification_id": c.clarification_id, "review_url": c.review_url}
                | {"matches": dict(counts.get(c.id or 0, {}))}
                for c in found
            ]
        )
        return
    if not found:
        click.echo("No claims yet; add one with `civicpulse claims add` or `civicpulse claims import FILE`.")
    for c in found:
        n: Counter[str] = counts.get(c.id or 0, Counter())
        state = "" if c.active else " (inactive)"
        click.echo(
            f"{c.id:>5}  [{c.verdict}]{state}  linked {n.get('linked', 0)}, suggested {n.get('suggested', 0)}"
        )
        click.echo(f"       {c.text}")


@claims.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_claims(app: AppContext, path: Path) -> None:
    """Import fact-checks: ClaimReview JSON-LD, an HTML page with it, or a Fact Check Tools API export."""
    found = parse_claimreviews(path.read_text(encoding="utf-8", errors="replace"))
    if not found:
        raise InputError(f"no ClaimReview found in {path}")
    tables = ClaimTables(app.store())
    added = sum(1 for claim in found if tables.add(claim)[1])
    click.echo(f"{len(found)} fact-checks read, {added} new claims, {len(found) - added} already known.")


@claims.command("match")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def match(app: AppContext, text: str, as_json: bool) -> None:
    """Show which claims a text repeats (lexical matching; nothing is stored)."""
    library = [c for c in ClaimTables(app.store()).find(active_only=True) if c.verdict != "true"]
    by_id = {c.id: c for c in library}
    found = ClaimMatcher(library).match(text, LanguageIdentifier().identify(text)[0])
    if as_json:
        echo_json([{"claim_id": f.claim_id, "score": f.score, "status": f.status} for f in found])
        return
    if not found:
        click.echo("No claim matches.")
    for f in found:
        click.echo(f"{f.claim_id:>5}  {f.score:.2f}  {f.status:<9}  {by_id[f.claim_id].text}")
