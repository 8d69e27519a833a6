"""The workbench the app was given (topic checks, the units, alert moves), as route handlers see it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol

from fastapi import Depends, HTTPException, Request

from civicpulse.models import Item


class UnitPlace(Protocol):
    """One of the city's units as the map needs it (the gazetteer's `Unit` has these)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def area_km2(self) -> float: ...


class QueryProblem(Protocol):
    """Why a topic query does not parse (`understand.topics.QuerySyntaxError` has these)."""

    @property
    def problem(self) -> str: ...  # in English, for logs and the API
    @property
    def position(self) -> int: ...  # 0-based, where the caret goes
    @property
    def code(self) -> str: ...  # names the problem; web/translations words it (topics.problem.<code>)
    @property
    def token(self) -> str: ...  # the offending text, when the problem names one


class Workbench(Protocol):
    """What `civicpulse.pipeline.workbench.Workbench` offers the dashboard."""

    @property
    def city(self) -> str: ...
    def units(self) -> Sequence[UnitPlace]: ...
    def query_error(self, query: str) -> QueryProblem | None: ...
    def matcher(self, query: str) -> Callable[[str], bool]: ...
    def move_alert(self, alert_id: int, status: str, actor: str) -> dict[str, Any]: ...
    def alert_feedback(self, alert_id: int, verdict: str, actor: str) -> float: ...
    def label_tasks(self) -> dict[str, tuple[str, ...]]: ...
    def most_uncertain(self, items: list[Item], task: str, limit: int) -> list[tuple[Item, float]]: ...


def maybe_workbench(request: Request) -> Workbench | None:
    """The workbench, or None when the app was built without one (pages then leave out the map)."""
    found: Workbench | None = getattr(request.app.state, "workbench", None)
    return found


def get_workbench(request: Request) -> Workbench:
    """The workbench; 503 saying how to start the app with one."""
    found = maybe_workbench(request)
    if found is None:
        raise HTTPException(
            503, "The workbench is not running; start the app with `civicpulse run` or `serve`."
        )
    return found


WorkbenchDep = Annotated[Workbench, Depends(get_workbench)]
MaybeWorkbenchDep = Annotated[Workbench | None, Depends(maybe_workbench)]


def unit_names(workbench: Workbench | None) -> dict[str, str]:
    """Unit code → name (empty without a workbench: codes are shown as they are)."""
    return {} if workbench is None else {u.code: u.name for u in workbench.units()}
