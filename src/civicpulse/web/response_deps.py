"""What response routes share: the desk the app was given, scope checks, and errors as pages or JSON."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from civicpulse.access.permissions import Principal
from civicpulse.models import Case
from civicpulse.store import Store
from civicpulse.store.response import ResponseTables


def get_desk(request: Request) -> Any:
    """The response desk handed to `create_app`; 503 when the app was started without one."""
    desk = getattr(request.app.state, "desk", None)
    if desk is None:
        raise HTTPException(
            503, "The response desk is not running; start the app with `civicpulse run` or `serve`."
        )
    return desk


DeskDep = Annotated[Any, Depends(get_desk)]


def scoped_case(store: Store, principal: Principal, case_id: int) -> Case:
    """Return a case the principal may see; 404 otherwise (another unit's case is not even confirmed)."""
    case = ResponseTables(store).case(case_id)
    if case is None or not (principal.all_units or principal.sees_any(case.units)):
        raise HTTPException(404, f"No case {case_id} in your units; see /api/cases for yours.")
    return case


def back(path: str, error: str = "", **params: str) -> RedirectResponse:
    """Redirect (post/redirect/get) to `path`, carrying an error message or a done flag."""
    query = "&".join(f"{k}={quote(v)}" for k, v in ({"error": error} | params).items() if v)
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def reporter_name(principal: Principal, reporter: str, unit: str, pseudonym: str) -> str:
    """A reporter's name is shown only to themself and to officers of the report's unit."""
    if principal.username == reporter or (not principal.all_units and unit in principal.units):
        return reporter
    return pseudonym
