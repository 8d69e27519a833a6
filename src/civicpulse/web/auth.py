"""Who is asking, and may they: the `require(permission)` dependency every route declares, and CSRF.

A request is signed in by an `Authorization: Bearer` API token or by the session cookie. Cookie-signed
requests that change something must carry the session's CSRF token (form field or X-CSRF-Token header);
token requests carry no cookies, so a browser cannot be tricked into sending them and they are exempt.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl
from civicpulse.access.permissions import Permission, Principal
from civicpulse.access.sessions import FULL

SESSION_COOKIE = "cp_session"
LOGIN_COOKIE = "cp_login"  # double-submit CSRF token of the login form, before any session exists
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC = "public"
# Paths open to everyone by rule; the public portal of clarifications will live under /portal.
PUBLIC_PREFIXES = ("/portal",)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class NotSignedIn(Exception):
    """No valid session or token: HTML goes to /login, the API answers 401."""


class Forbidden(Exception):
    """Signed in, but the role lacks the permission (or the CSRF token is missing or wrong)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class PasswordChangeRequired(Exception):
    """The account still has a one-time password; only /account is open until it is changed."""


def get_access(request: Request) -> AccessControl:
    access: AccessControl = request.app.state.access
    return access


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def actor(request: Request, principal: Principal | None = None) -> Actor:
    """Describe the author of this request for the audit log."""
    return Actor(
        username=principal.username if principal else "",
        user_id=principal.user_id if principal else None,
        via=principal.via if principal else "",
        address=client_address(request),
        user_agent=request.headers.get("user-agent", "")[:300],
    )


def record(
    request: Request, principal: Principal | None, action: str, target: str = "", **details: Any
) -> None:
    """Write one audit entry for an action taken by this request."""
    get_access(request).audit.record(actor(request, principal), action, target, **details)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def cookie_secure(request: Request) -> bool:
    """Whether cookies get the Secure flag: always, never, or (auto) unless plain http to loopback."""
    mode = get_access(request).settings.cookie_secure
    if mode != "auto":
        return mode == "always"
    return request.url.scheme == "https" or (request.url.hostname or "") not in LOOPBACK


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="lax", secure=cookie_secure(request), path="/")


def authenticate(request: Request) -> Principal | None:
    """Return who signed this request (token first, then session cookie), or None."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    access = get_access(request)
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found = access.tokens.resolve(credentials.strip())
        if found is None:
            return None
        user, _token = found
        principal = Principal(
            user.id,
            user.username,
            user.role,
            user.units,
            via="token",
            must_change_password=user.must_change_password,
            language=user.language,
        )
    else:
        resolved = access.sessions.resolve(request.cookies.get(SESSION_COOKIE, ""))
        if resolved is None or resolved[0].stage != FULL:
            return None
        session, user = resolved
        principal = Principal(
            user.id,
            user.username,
            user.role,
            user.units,
            via="session",
            csrf_token=session.csrf_token,
            session_hash=session.id_hash,
            must_change_password=user.must_change_password,
            language=user.language,
        )
    request.state.principal = principal
    return principal


async def submitted_csrf(request: Request) -> str:
    """Return the CSRF token sent with a request: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER, "")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD, "")
        return value if isinstance(value, str) else ""
    return ""


def same_token(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


async def check_csrf(request: Request, expected: str) -> None:
    if not same_token(expected, await submitted_csrf(request)):
        raise Forbidden(
            "error.csrf", "The form expired or did not come from this site; reload the page and try again."
        )


def require(permission: Permission) -> Any:
    """Return the dependency that admits only principals holding `permission` (declare it on every route).

    Use as `principal: Annotated[Principal, require(Permission.X)]` or `dependencies=[require(...)]`.
    """

    async def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if principal is None:
            raise NotSignedIn
        if principal.via == "session" and request.method in UNSAFE_METHODS:
            await check_csrf(request, principal.csrf_token)
        if principal.must_change_password and permission != Permission.MANAGE_OWN_ACCOUNT:
            raise PasswordChangeRequired
        if not principal.can(permission):
            raise Forbidden("error.forbidden", f"Your role ({principal.role}) may not {permission.value}.")
        return principal

    dependency.permission = permission.value  # type: ignore[attr-defined]  # read by declared_permissions()
    return Depends(dependency)


def public() -> Any:
    """Return the dependency that marks a route as open to everyone (login, health probes)."""

    async def dependency(request: Request) -> Principal | None:
        return authenticate(request)

    dependency.permission = PUBLIC  # type: ignore[attr-defined]
    return Depends(dependency)


def api_routes(app: FastAPI) -> list[Any]:
    """Return every endpoint route of `app` as served (with the dependencies of included routers)."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.13x keeps included routers nested
    except ImportError:  # pragma: no cover - older FastAPI copies routes into app.routes
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    return [c for c in contexts if getattr(c, "dependant", None) is not None and getattr(c, "methods", None)]


def declared_permissions(route: Any) -> set[str]:
    """Return the permissions a route declares through `require` or `public` (empty: undeclared)."""

    def walk(dependant: Any) -> Iterator[str]:
        for dep in dependant.dependencies:
            if (value := getattr(dep.call, "permission", None)) is not None:
                yield value
            yield from walk(dep)

    found = set(walk(route.dependant))
    if str(route.path).startswith(PUBLIC_PREFIXES):
        found.add(PUBLIC)
    return found


def safe_next(target: str) -> str:
    """Return a local path to go to after login; anything else (another host, //x, \\x) becomes /."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)


def install(app: FastAPI, render_forbidden: Callable[[Request, str], Response]) -> None:
    """Register how the access errors answer: redirects and pages for HTML, JSON for the API."""

    async def not_signed_in(request: Request, _exc: Exception) -> Response:
        if is_api(request):
            detail = "Sign in: send `Authorization: Bearer <token>` (create one at /account)."
            return JSONResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return login_redirect(request)

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Forbidden)
        if is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        return render_forbidden(request, exc.key)

    async def change_password(request: Request, _exc: Exception) -> Response:
        if is_api(request):
            detail = "This account has a one-time password; change it at /account first."
            return JSONResponse({"detail": detail}, status_code=403)
        return RedirectResponse("/account", status_code=303)

    handlers: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
        NotSignedIn: not_signed_in,
        Forbidden: forbidden,
        PasswordChangeRequired: change_password,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
