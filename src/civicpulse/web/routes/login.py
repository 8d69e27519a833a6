"""Signing in (password, then a TOTP code for administrators who enrolled) and signing out."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicpulse.access.accounts import LoginResult
from civicpulse.access.permissions import Permission, Principal
from civicpulse.access.sessions import FULL, TOTP_PENDING
from civicpulse.store.access import User
from civicpulse.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    actor,
    get_access,
    public,
    record,
    require,
    safe_next,
    same_token,
    set_cookie,
)
from civicpulse.web.deps import PagesDep

router = APIRouter(tags=["login"])
TextField = Annotated[str, Form(max_length=200)]


def landing(principal_role: str, must_change: bool, target: str) -> str:
    """Where to go after signing in: /account for a one-time password or a role without the dashboard."""
    if must_change or not Principal(0, "", principal_role).can(Permission.VIEW_DASHBOARD):
        return "/account"
    return safe_next(target)


def login_page(
    request: Request,
    pages: PagesDep,
    *,
    error: str = "",
    status: int = 200,
    result: LoginResult | None = None,
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    target = safe_next(request.query_params.get("next", "/"))
    response = pages.render(
        request,
        "login.html",
        status_code=status,
        active="login",
        api_url="",
        csrf_token=token,
        next=target,
        error=error,
        retry_at=result.retry_at if result else None,
    )
    set_cookie(request, response, LOGIN_COOKIE, token)
    if result is not None and result.retry_at is not None:
        wait = result.retry_at - get_access(request).clock()
        response.headers["Retry-After"] = str(max(1, int(wait.total_seconds()) + 1))
    return response


def start_session(request: Request, user: User, stage: str, target: str) -> RedirectResponse:
    access = get_access(request)
    old = request.cookies.get(SESSION_COOKIE, "")
    if old and (resolved := access.sessions.resolve(old)):
        access.sessions.end(resolved[0].id_hash)  # a fresh id at every sign-in step: no session fixation
    cookie, _ = access.sessions.start(
        user, actor(request).address, request.headers.get("user-agent", ""), stage=stage
    )
    if stage == TOTP_PENDING:
        location = f"/login/totp?next={quote(target, safe='/')}"
    else:
        location = landing(user.role, user.must_change_password, target)
    response = RedirectResponse(location, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, cookie)
    return response


def answer(request: Request, pages: PagesDep, result: LoginResult, target: str) -> Response:
    if result.outcome == "locked":
        return login_page(request, pages, error="login.locked", status=429, result=result)
    if result.outcome == "refused" or result.user is None:
        return login_page(request, pages, error="login.refused", status=401)
    return start_session(request, result.user, TOTP_PENDING if result.outcome == "totp" else FULL, target)


@router.get("/login", include_in_schema=False, dependencies=[public()])
def login_form(request: Request, pages: PagesDep) -> Response:
    if getattr(request.state, "principal", None) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next", "/")), status_code=303)
    return login_page(request, pages)


@router.post("/login", include_in_schema=False, dependencies=[public()])
def login_submit(
    request: Request,
    *,
    pages: PagesDep,
    username: TextField = "",
    password: TextField = "",
    csrf_token: TextField = "",
    next: TextField = "/",
) -> Response:
    if not same_token(request.cookies.get(LOGIN_COOKIE, ""), csrf_token):
        return login_page(request, pages, error="error.csrf", status=403)
    result = get_access(request).accounts.login(username, password, actor(request))
    return answer(request, pages, result, safe_next(next))


def pending(request: Request) -> User | None:
    """Return the user whose password was right and whose TOTP code is still to come."""
    resolved = get_access(request).sessions.resolve(request.cookies.get(SESSION_COOKIE, ""))
    if resolved is None or resolved[0].stage != TOTP_PENDING:
        return None
    request.state.pending_csrf = resolved[0].csrf_token
    return resolved[1]


def totp_page(request: Request, pages: PagesDep, error: str = "", status: int = 200) -> Response:
    return pages.render(
        request,
        "login_totp.html",
        status_code=status,
        active="login",
        api_url="",
        csrf_token=request.state.pending_csrf,
        next=safe_next(request.query_params.get("next", "/")),
        error=error,
    )


@router.get("/login/totp", include_in_schema=False, dependencies=[public()])
def totp_form(request: Request, pages: PagesDep) -> Response:
    if pending(request) is None:
        return RedirectResponse("/login", status_code=303)
    return totp_page(request, pages)


@router.post("/login/totp", include_in_schema=False, dependencies=[public()])
def totp_submit(
    request: Request,
    pages: PagesDep,
    code: TextField = "",
    csrf_token: TextField = "",
    next: TextField = "/",
) -> Response:
    user = pending(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    if not same_token(request.state.pending_csrf, csrf_token):
        return totp_page(request, pages, error="error.csrf", status=403)
    result = get_access(request).accounts.second_factor(user, code, actor(request))
    if result.outcome == "ok":
        return start_session(request, user, FULL, safe_next(next))
    if result.outcome == "locked":
        return login_page(request, pages, error="login.locked", status=429, result=result)
    return totp_page(request, pages, error="login.bad_code", status=401)


@router.post("/logout", include_in_schema=False)
def logout(
    request: Request, principal: Annotated[Principal, require(Permission.MANAGE_OWN_ACCOUNT)]
) -> Response:
    if principal.session_hash:
        get_access(request).sessions.end(principal.session_hash)
    record(request, principal, "logout", principal.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
