"""Administration of users: list, add, set role and unit scope, reset password, disable and enable."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicpulse.access.accounts import AccountError
from civicpulse.access.permissions import Permission, Principal, Role
from civicpulse.web.access_schemas import CreatedUser, NewUser, UserList, UserOut
from civicpulse.web.auth import actor, get_access, require
from civicpulse.web.deps import PagesDep

router = APIRouter(tags=["users"])
Admin = Annotated[Principal, require(Permission.MANAGE_USERS)]
TextField = Annotated[str, Form(max_length=2000)]


def user_list(request: Request) -> UserList:
    return UserList(users=[UserOut.of(u) for u in get_access(request).tables.users()])


def users_page(request: Request, pages: PagesDep, *, status: int = 200, **extra: Any) -> HTMLResponse:
    context: dict[str, Any] = {"error": "", "one_time_password": "", "for_user": ""}
    context.update(extra)
    return pages.render(
        request,
        "admin_users.html",
        status_code=status,
        data=user_list(request),
        roles=[r.value for r in Role],
        done=request.query_params.get("done", ""),
        active="users",
        api_url="/api/admin/users",
        **context,
    )


@router.get("/admin/users", include_in_schema=False)
def users_view(request: Request, pages: PagesDep, _principal: Admin) -> HTMLResponse:
    return users_page(request, pages)


@router.get("/api/admin/users", response_model=UserList)
def users_api(request: Request, _principal: Admin) -> UserList:
    """List every account with its role, units and state."""
    return user_list(request)


@router.post("/admin/users", include_in_schema=False)
def add_user_form(
    request: Request,
    *,
    pages: PagesDep,
    principal: Admin,
    username: TextField = "",
    role: TextField = "",
    units: TextField = "",
) -> HTMLResponse:
    try:
        user, password = get_access(request).accounts.add(username, role, units, actor(request, principal))
    except AccountError as exc:
        return users_page(request, pages, status=400, error=exc.key)
    return users_page(request, pages, one_time_password=password, for_user=user.username)


@router.post("/api/admin/users", response_model=CreatedUser, status_code=201)
def add_user_api(request: Request, principal: Admin, body: NewUser) -> CreatedUser:
    """Add an account; the one-time password in the answer must be changed at first sign-in."""
    try:
        user, password = get_access(request).accounts.add(
            body.username, body.role, tuple(body.units), actor(request, principal)
        )
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from exc
    return CreatedUser(user=UserOut.of(user), one_time_password=password)


@router.post("/admin/users/{username}/role", include_in_schema=False)
def set_role_form(
    request: Request,
    *,
    pages: PagesDep,
    principal: Admin,
    username: str,
    role: TextField = "",
    units: TextField = "",
) -> Response:
    try:
        get_access(request).accounts.set_role(username, role, units, actor(request, principal))
    except AccountError as exc:
        return users_page(request, pages, status=400, error=exc.key)
    return RedirectResponse("/admin/users?done=role", status_code=303)


@router.post("/admin/users/{username}/reset-password", include_in_schema=False)
def reset_password_form(request: Request, pages: PagesDep, principal: Admin, username: str) -> HTMLResponse:
    try:
        password = get_access(request).accounts.reset_password(username, actor(request, principal))
    except AccountError as exc:
        return users_page(request, pages, status=404, error=exc.key)
    return users_page(request, pages, one_time_password=password, for_user=username)


@router.post("/admin/users/{username}/disable", include_in_schema=False)
def disable_form(request: Request, pages: PagesDep, principal: Admin, username: str) -> Response:
    return set_disabled(request, pages, principal, username, disabled=True)


@router.post("/admin/users/{username}/enable", include_in_schema=False)
def enable_form(request: Request, pages: PagesDep, principal: Admin, username: str) -> Response:
    return set_disabled(request, pages, principal, username, disabled=False)


def set_disabled(
    request: Request, pages: PagesDep, principal: Principal, username: str, *, disabled: bool
) -> Response:
    try:
        get_access(request).accounts.set_disabled(username, disabled, actor(request, principal))
    except AccountError as exc:
        return users_page(request, pages, status=400, error=exc.key)
    return RedirectResponse(f"/admin/users?done={'disabled' if disabled else 'enabled'}", status_code=303)
