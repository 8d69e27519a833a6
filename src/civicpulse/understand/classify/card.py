"""Model cards: what a model was trained on, under which licence, when, with which seed, how well it does."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CARD_JSON = "card.json"
CARD_MD = "MODEL_CARD.md"


@dataclass(frozen=True)
class DataSource:
    """One training source: its name, rows used, licence and where it came from."""

    name: str
    rows: int
    licence: str
    origin: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class ModelCard:
    """The card written beside every model, as JSON for machines and Markdown for people."""

    name: str
    task: str
    labels: tuple[str, ...]
    created: str
    seed: int
    data: tuple[DataSource, ...] = ()
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    command: str = ""
    # Decisions that made this model the active one (and the ones before it), oldest first.
    history: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelCard:
        """Read a card written by `to_json`."""
        return cls(
            name=data["name"],
            task=data["task"],
            labels=tuple(data["labels"]),
            created=data["created"],
            seed=int(data["seed"]),
            data=tuple(DataSource(**d) for d in data.get("data", [])),
            metrics=dict(data.get("metrics", {})),
            notes=data.get("notes", ""),
            command=data.get("command", ""),
            history=tuple(dict(h) for h in data.get("history", [])),
        )

    def to_markdown(self) -> str:
        """Return the human-readable card."""
        lines = [
            f"# Model card: {self.name}",
            "",
            f"- task: {self.task}; labels: {', '.join(self.labels)}",
            f"- created: {self.created}; seed: {self.seed}",
        ]
        if self.command:
            lines.append(f"- rebuild with: `{self.command}`")
        lines += ["", "## Training data", "", "| source | rows | licence | origin |", "|---|---|---|---|"]
        lines += [f"| {d.name} | {d.rows:,} | {d.licence} | {d.origin} |" for d in self.data]
        attributions = [d for d in self.data if d.attribution]
        if attributions:
            lines += ["", "## Attribution", ""]
            lines += [f"- {d.name}: {d.attribution}" for d in attributions]
        if self.metrics:
            lines += [
                "",
                "## Metrics",
                "",
                "```json",
                json.dumps(self.metrics, indent=2, ensure_ascii=False),
                "```",
            ]
        if self.notes:
            lines += ["", "## Notes", "", self.notes]
        if self.history:
            lines += ["", "## Swap history", "", *_history_table(self.history)]
        return "\n".join(lines) + "\n"


def _history_table(history: tuple[dict[str, Any], ...]) -> list[str]:
    lines = [
        "| decided | by | held-out items | current macro-F1 | candidate macro-F1 | outcome | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for h in history:
        outcome = "accepted" if h.get("accepted") else "refused"
        lines.append(
            f"| {h.get('decided_at', '')} | {h.get('decided_by', '')} | {h.get('holdout_items', '')} "
            f"| {_f1(h.get('old_metrics'))} | {_f1(h.get('new_metrics'))} | {outcome} "
            f"| {h.get('reason', '')} |"
        )
    return lines


def _f1(metrics: object) -> str:
    if isinstance(metrics, dict) and isinstance(metrics.get("macro_f1"), int | float):
        return f"{metrics['macro_f1']:.3f}"
    return "—"


def write_card(card: ModelCard, directory: Path) -> None:
    """Write card.json and MODEL_CARD.md into `directory`."""
    (directory / CARD_JSON).write_text(
        json.dumps(card.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (directory / CARD_MD).write_text(card.to_markdown(), encoding="utf-8")


def read_card(directory: Path) -> ModelCard | None:
    """Return the card in `directory`, or None when there is none."""
    path = directory / CARD_JSON
    if not path.exists():
        return None
    return ModelCard.from_json(json.loads(path.read_text(encoding="utf-8")))
