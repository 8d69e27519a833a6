"""`civicpulse eval TASK FILE`: score civicpulse on labelled data (format and keys in EVAL.md).

One subcommand per task; each prints one JSON object on stdout, progress on stderr, and exits 2 on bad input.
"""

from __future__ import annotations

from pathlib import Path

import click

from civicpulse.cli.context import echo_json
from civicpulse.errors import InputError

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def progress(done: int, total: int) -> None:
    """Report progress on stderr, keeping stdout for the one JSON result."""
    click.echo(f"Clustering {done:,}/{total:,} items", err=True)


def parse_settings(pairs: tuple[str, ...]) -> dict[str, float]:
    """Turn `name=value` pairs into numeric hyperparameters."""
    options: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            options[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise InputError(f"--set {pair!r}: expected name=number, e.g. --set threshold=0.15")
    return options


@click.group("eval")
def eval_group() -> None:
    """Score civicpulse on a labelled JSONL file, as reviewers do."""


@eval_group.command("stories")
@click.argument("file", type=FILE)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a clusterer hyperparameter (for experiments), e.g. --set threshold=0.15.",
)
def stories(file: Path, settings: tuple[str, ...]) -> None:
    """Cluster FILE online, row by row, and score it against the gold `story` key."""
    from civicpulse.eval.stories import evaluate_stories
    from civicpulse.stories import StoryClusterer

    options = parse_settings(settings)
    try:
        clusterer = StoryClusterer(**options)  # type: ignore[arg-type]
    except TypeError:
        raise InputError(f"--set: unknown hyperparameter among {sorted(options)}") from None
    echo_json(evaluate_stories(file, clusterer, progress))


@eval_group.command("places")
@click.argument("file", type=FILE)
def places(file: Path) -> None:
    """Geotag FILE row by row and score it against the gold `units` lists."""
    from civicpulse.eval.places import run_places_eval

    echo_json(run_places_eval(file))


MODEL_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@eval_group.command("sentiment")
@click.argument("file", type=FILE)
@click.option("--model", type=MODEL_DIR, help="Model directory from `civicpulse train` (default: shipped).")
def sentiment(file: Path, model: Path | None) -> None:
    """Classify FILE's rows as negative/neutral/positive and score them against the gold `label`."""
    from civicpulse.eval.classify import evaluate_classifier

    echo_json(evaluate_classifier("sentiment", file, model))


@eval_group.command("toxicity")
@click.argument("file", type=FILE)
@click.option("--model", type=MODEL_DIR, help="Model directory from `civicpulse train` (default: shipped).")
def toxicity(file: Path, model: Path | None) -> None:
    """Classify FILE's rows as clean/offensive/hate and score them against the gold `label`."""
    from civicpulse.eval.classify import evaluate_classifier

    echo_json(evaluate_classifier("toxicity", file, model))


@eval_group.command("detect")
@click.argument("file", type=FILE)
def detect(file: Path) -> None:
    """Replay FILE through the full pipeline at its rows' times and score the alerts against `event`."""
    from civicpulse.eval.detect import evaluate_detect

    shown = [0]

    def progress(rows: int) -> None:
        if rows >= shown[0] + 5_000:
            shown[0] = rows
            click.echo(f"Replaying {rows:,} rows", err=True)

    echo_json(evaluate_detect(file, progress))
