"""`civicpulse reprocess`: rebuild understanding and stories from the stored items."""

from __future__ import annotations

import click
from rich.progress import Progress

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.pipeline.reprocess import GROUPS, reprocess


@click.command("reprocess")
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice(GROUPS),
    help="Rerun only this part (repeatable); default: understanding and stories.",
)
@click.option("--restart", is_flag=True, help="Start over instead of resuming an interrupted run.")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the stories.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def reprocess_command(
    app: AppContext, stages: tuple[str, ...], restart: bool, yes: bool, as_json: bool
) -> None:
    """Run stored items through understanding and story clustering again (resumable)."""
    groups = stages or GROUPS
    if "stories" in groups and not yes:
        click.confirm(
            "Stories are rebuilt from scratch and get new ids (alerts and cases keep the old ones). Go on?",
            abort=True,
        )
    store = app.store()
    with Progress(transient=True) as bar:
        task = bar.add_task("Reprocessing items", total=None)

        def show(done: int, total: int) -> None:
            bar.update(
                task, completed=done, total=total, description=f"Reprocessing {done:,}/{total:,} items"
            )

        report = reprocess(app.settings, store, groups, restart=restart, progress=show)
    if as_json:
        echo_json(
            {"groups": list(report.groups), "items": report.items, "resumed_after": report.resumed_after}
        )
        return
    resumed = f" (resumed after item {report.resumed_after})" if report.resumed_after else ""
    click.echo(f"Reprocessed {report.items:,} items through {', '.join(report.groups)}{resumed}.")
