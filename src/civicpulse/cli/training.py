"""`civicpulse train`: fit a classifier on labelled data, rebuild a shipped default, or retrain on analysts'
labels; `civicpulse models history|active`: which model each task uses and the swaps that made it so."""

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
@click.option(
    "--features",
    type=click.Choice(("ngrams", "hybrid")),
    default="ngrams",
    show_default=True,
    help="Use n-grams only, or add the e5 sentence embedding (hybrid: more accurate, ~100-250 posts/s).",
)
@click.option("--shipped", is_flag=True, help="Rebuild the shipped default from its open sources.")
@click.option(
    "--from-store",
    is_flag=True,
    help="Train on analysts' labels; replace the active model if not worse on held-out labels.",
)
@click.option("--by", "decided_by", default="", help="Who retrains (recorded with the swap decision).")
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
    features: str,
    shipped: bool,
    from_store: bool,
    decided_by: str,
    open_data: Path,
    vihos: Path,
) -> None:
    """Train a TASK model on --data (or, with --shipped, on the open sources) and write it to --out."""
    from civicpulse.understand.classify import shipped as shipped_models
    from civicpulse.understand.classify.training import train_files

    command = "civicpulse train " + shlex.join(sys.argv[2:]) if len(sys.argv) > 2 else ""
    if features != "ngrams" and (from_store or shipped or task == "scam"):
        raise click.UsageError(
            "--features hybrid trains sentiment, toxicity or concern on --data only "
            "(shipped, retrained and scam models keep their own kind)"
        )
    if from_store:
        from civicpulse.understand.classify.active import city_models_dir
        from civicpulse.understand.classify.swap import retrain_from_store

        models_dir = city_models_dir(app.settings.data_dir)
        by = f" --by {shlex.quote(decided_by)}" if decided_by else ""
        command = f"civicpulse train {task} --from-store --seed {seed} --out {shlex.quote(str(out))}{by}"
        swap = retrain_from_store(
            app.store(), task, out, models_dir, seed=seed, decided_by=decided_by, command=command
        )
        echo_json({"model": str(out), "task": task} | swap.to_json())
        return
    if shipped:
        card = shipped_models.train_shipped(
            task, out, open_dir=open_data, vihos_dir=vihos, seed=seed, dev=dev
        )
    elif not data:
        raise click.UsageError("give --data TRAIN.jsonl, or --shipped to rebuild the default model")
    else:
        card = train_files(
            task,
            data,
            out,
            dev=dev,
            seed=seed,
            command=command,
            features="hybrid" if features == "hybrid" else "ngrams",
        )
    echo_json({"model": str(out), "task": card.task, "rows": sum(d.rows for d in card.data)} | card.metrics)


@click.group("models")
def models() -> None:
    """Show which classifier each task uses and the swaps decided on retrained ones."""


@models.command("history")
@click.option("--task", type=click.Choice(TASK_CHOICES), help="Only this task.")
@click.option("--limit", default=50, show_default=True, help="Newest decisions to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def history(app: AppContext, task: str | None, limit: int, *, as_json: bool) -> None:
    """List swap decisions, newest first: when, who, old and new held-out macro-F1, outcome and why."""
    from civicpulse.store.model_swaps import swap_history

    found = swap_history(app.store(), task, limit)
    if as_json:
        echo_json([s.to_json() for s in found])
        return
    if not found:
        click.echo("No retrained model has been evaluated yet; run `civicpulse train TASK --from-store`.")
    for s in found:
        when = s.decided_at.strftime("%Y-%m-%d %H:%M UTC") if s.decided_at else "?"
        outcome = "accepted" if s.accepted else "refused"
        click.echo(
            f"{when}  {s.task:<10} {outcome:<8} macro-F1 {s.old_metrics.get('macro_f1', 0):.3f} -> "
            f"{s.new_metrics.get('macro_f1', 0):.3f} on {s.holdout_items} held-out labels  "
            f"by {s.decided_by or '-'}: {s.reason}"
        )


@models.command("active")
@pass_app
def active(app: AppContext) -> None:
    """Print the model each task uses now: the city's accepted model, or the shipped default."""
    from civicpulse.understand.classify.active import active_card, city_models_dir, describe_active

    models_dir = city_models_dir(app.settings.data_dir)
    rows = []
    for task in TASK_CHOICES:
        card = active_card(models_dir, task)
        last = card.history[-1] if card is not None and card.history else None
        rows.append({"task": task, "model": describe_active(models_dir, task), "last_swap": last})
    echo_json(rows)
