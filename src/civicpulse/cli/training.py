"""`civicpulse train`: fit a classifier on labelled data, or rebuild a shipped default from open sources."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app

TASK_CHOICES = ("sentiment", "toxicity", "concern", "scam")


@click.command("train")
@click.argument("task", type=click.Choice(TASK_CHOICES))
@click.option(
    "--data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled JSONL to train on (repeat to combine files).",
)
@click.option(
    "--dev", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Labelled JSONL to report on."
)
@click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Model directory."
)
@click.option("--seed", default=13, show_default=True, help="Random seed, recorded in the model card.")
@click.option("--shipped", is_flag=True, help="Rebuild the shipped default from its open sources.")
@click.option("--from-store", is_flag=True, help="Train on the labels analysts gave in the dashboard.")
@click.option(
    "--open-data",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("../shared/data/open"),
    show_default=True,
    help="Folder of the openly licensed sources (with --shipped).",
)
@click.option(
    "--vihos",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("../shared/data/toxicity"),
    show_default=True,
    help="Folder with vihos_train.jsonl (MIT), for the shipped toxicity model.",
)
@pass_app
def train(
    app: AppContext,
    task: str,
    *,
    data: tuple[Path, ...],
    dev: Path | None,
    out: Path,
    seed: int,
    shipped: bool,
    from_store: bool,
    open_data: Path,
    vihos: Path,
) -> None:
    """Train a TASK model on --data (or, with --shipped, on the open sources) and write it to --out."""
    from civicpulse.understand.classify import shipped as shipped_models
    from civicpulse.understand.classify.training import train_files

    command = "civicpulse train " + shlex.join(sys.argv[2:]) if len(sys.argv) > 2 else ""
    if from_store:
        from civicpulse.store.labels import LabelTables
        from civicpulse.understand.classify.city_labels import retrain_on_labels
        from civicpulse.understand.classify.defaults import load_default

        labelled = LabelTables(app.store()).latest(task)
        card = retrain_on_labels(task, labelled, out, load_default(task), seed=seed).card
    elif shipped:
        card = shipped_models.train_shipped(
            task, out, open_dir=open_data, vihos_dir=vihos, seed=seed, dev=dev
        )
    elif not data:
        raise click.UsageError("give --data TRAIN.jsonl, or --shipped to rebuild the default model")
    else:
        card = train_files(task, data, out, dev=dev, seed=seed, command=command)
    echo_json({"model": str(out), "task": card.task, "rows": sum(d.rows for d in card.data)} | card.metrics)
