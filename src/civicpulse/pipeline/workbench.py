"""The analysts' workbench: what the dashboard asks of the stages, handed to `create_app` like the desk.

Topic queries are parsed and matched by `understand.topics`, the units come from the gazetteer and alert
moves and feedback follow `detect.lifecycle`; the web app receives this object so it never imports a stage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from civicpulse.detect.lifecycle import give_feedback, move
from civicpulse.models import Item
from civicpulse.store import Store
from civicpulse.store.detection import DetectionTables
from civicpulse.understand.classify.tasks import TASKS, TRAINABLE
from civicpulse.understand.classify.uncertainty import most_uncertain
from civicpulse.understand.places import Gazetteer, Unit, load_gazetteer
from civicpulse.understand.topics import QuerySyntaxError, compile_query


class Workbench:
    """Topic syntax checks and previews, the city's units, and the alert lifecycle, for the dashboard."""

    def __init__(self, store: Store, gazetteer: Gazetteer | None = None) -> None:
        self.store = store
        self.gazetteer = gazetteer or load_gazetteer()

    @property
    def city(self) -> str:
        return self.gazetteer.city_name

    def units(self) -> tuple[Unit, ...]:
        """Return the city's units with their centroids and areas."""
        return self.gazetteer.units

    def query_error(self, query: str) -> QuerySyntaxError | None:
        """Return the problem (its code, words, 0-based position) when `query` does not parse, else None."""
        try:
            compile_query(query)
        except QuerySyntaxError as exc:
            return exc
        return None

    def matcher(self, query: str) -> Callable[[str], bool]:
        """Return a predicate over texts for `query` (diacritics ignored); raise `InputError` if wrong."""
        return compile_query(query)

    def move_alert(self, alert_id: int, status: str, actor: str) -> dict[str, Any]:
        """Move an alert along its lifecycle; raise `InputError` naming the allowed moves otherwise."""
        return move(DetectionTables(self.store), alert_id, status, actor)

    def alert_feedback(self, alert_id: int, verdict: str, actor: str) -> float:
        """Record `useful` or `noise` on an alert (tunes its scope's sensitivity); return the adjustment."""
        return give_feedback(DetectionTables(self.store), alert_id, verdict, actor)

    def label_tasks(self) -> dict[str, tuple[str, ...]]:
        """Return the classifier tasks analysts may label, each with its labels in order."""
        return {name: TASKS[name].labels for name in TRAINABLE}

    def most_uncertain(self, items: list[Item], task: str, limit: int) -> list[tuple[Item, float]]:
        """Rank `items` by how unsure `task`'s model was (margin sampling), most uncertain first."""
        return most_uncertain(items, task, limit)
