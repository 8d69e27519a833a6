"""One's own account: change the password, the TOTP second factor (administrators), personal API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicpulse.access import totp
from civicpulse.access.accounts import AccountError
from civicpulse.access.permissions import Permission, Principal
from civicpulse.store.access import User
from civicpulse.web.access_schemas import (
    AccountOut,
    CreatedToken,
    MeUpdate,
    NewToken,
    TokenOut,
    UserOut,
)
from civicpulse.web.auth import actor, get_access, record, require, safe_next
from civicpulse.web.deps import PagesDep
from civicpulse.web.i18n import COOKIE, LANGUAGES
from civicpulse.web.rendering import ONE_YEAR_S

router = APIRouter(tags=["account"])
Me = Annotated[Principal, require(Permission.MANAGE_OWN_ACCOUNT)]
TotpUser = Annotated[Principal, require(Permission.USE_TOTP)]
TextField = Annotated[str, Form(max_length=200)]


def me(request: Request, principal: Principal) -> User:
    user = get_access(request).tables.user(principal.user_id)
    assert user is not None  # the principal was resolved from this very account
    return user


def account(request: Request, principal: Principal) -> AccountOut:
    tokens = get_access(request).tables.tokens_of(principal.user_id)
    return AccountOut(user=UserOut.of(me(request, principal)), tokens=[TokenOut.of(t) for t in tokens])


def account_page(
    request: Request, pages: PagesDep, principal: Principal, *, status: int = 200, **extra: Any
) -> HTMLResponse:
    context: dict[str, Any] = {"error": "", "new_token": "", "totp_secret": "", "totp_uri": ""}
    context.update(extra)
    return pages.render(
        request,
        "account.html",
        status_code=status,
        data=account(request, principal),
        done=request.query_params.get("done", ""),
        active="account",
        api_url="/api/account",
        **context,
    )


@router.get("/account", include_in_schema=False)
def account_view(request: Request, pages: PagesDep, principal: Me) -> HTMLResponse:
    return account_page(request, pages, principal)


@router.get("/api/account", response_model=AccountOut)
def account_api(request: Request, principal: Me) -> AccountOut:
    """Show the signed-in account and its API tokens (never the tokens themselves)."""
    return account(request, principal)


@router.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    *,
    pages: PagesDep,
    principal: Me,
    current: TextField = "",
    new: TextField = "",
    confirm: TextField = "",
) -> Response:
    if new != confirm:
        return account_page(request, pages, principal, status=400, error="password.mismatch")
    try:
        get_access(request).accounts.change_password(
            me(request, principal),
            current,
            new,
            actor(request, principal),
            keep_session=principal.session_hash,
        )
    except AccountError as exc:
        return account_page(request, pages, principal, status=400, error=exc.key)
    return RedirectResponse("/account?done=password", status_code=303)


@router.post("/account/tokens", include_in_schema=False)
def create_token_form(request: Request, pages: PagesDep, principal: Me, name: TextField = "") -> HTMLResponse:
    token, record_ = get_access(request).tokens.create(me(request, principal), name)
    record(request, principal, "token.create", record_.prefix, name=record_.name)
    # Rendered, not redirected: the token must never sit in a URL or the browser history.
    return account_page(request, pages, principal, new_token=token)


@router.post("/api/account/tokens", response_model=CreatedToken, status_code=201)
def create_token_api(request: Request, principal: Me, body: NewToken) -> CreatedToken:
    """Create a personal API token acting as you; the response is the only time it is shown."""
    token, record_ = get_access(request).tokens.create(me(request, principal), body.name)
    record(request, principal, "token.create", record_.prefix, name=record_.name)
    return CreatedToken(**TokenOut.of(record_).model_dump(), token=token)


def revoke(request: Request, principal: Principal, token_id: int) -> None:
    if not get_access(request).tokens.revoke(me(request, principal), token_id):
        raise HTTPException(404, f"You have no live API token with id {token_id}; list them at /api/account.")
    record(request, principal, "token.revoke", str(token_id))


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token_form(request: Request, principal: Me, token_id: int) -> Response:
    revoke(request, principal, token_id)
    return RedirectResponse("/account?done=revoked", status_code=303)


@router.delete("/api/account/tokens/{token_id}", status_code=204)
def revoke_token_api(request: Request, principal: Me, token_id: int) -> Response:
    """Revoke one of your API tokens; requests with it are refused from now on."""
    revoke(request, principal, token_id)
    return Response(status_code=204)


@router.post("/account/totp/start", include_in_schema=False)
def totp_start(request: Request, pages: PagesDep, principal: TotpUser) -> HTMLResponse:
    secret = get_access(request).accounts.totp_begin(me(request, principal))
    uri = totp.provisioning_uri(secret, principal.username)
    return account_page(request, pages, principal, totp_secret=secret, totp_uri=uri)


@router.post("/account/totp/confirm", include_in_schema=False)
def totp_confirm(request: Request, pages: PagesDep, principal: TotpUser, code: TextField = "") -> Response:
    user = me(request, principal)
    if get_access(request).accounts.totp_confirm(user, code, actor(request, principal)):
        return RedirectResponse("/account?done=totp_on", status_code=303)
    uri = totp.provisioning_uri(user.totp_secret, user.username) if user.totp_secret else ""
    return account_page(
        request,
        pages,
        principal,
        status=400,
        error="login.bad_code",
        totp_secret=user.totp_secret,
        totp_uri=uri,
    )


@router.post("/account/totp/disable", include_in_schema=False)
def totp_disable(request: Request, pages: PagesDep, principal: TotpUser, code: TextField = "") -> Response:
    if get_access(request).accounts.totp_disable(me(request, principal), code, actor(request, principal)):
        return RedirectResponse("/account?done=totp_off", status_code=303)
    return account_page(request, pages, principal, status=400, error="login.bad_code")


def save_language(request: Request, principal: Principal, language: str) -> User:
    """Keep `language` as the account's interface language (every page, every sign-in) and audit it."""
    if language not in LANGUAGES:
        raise HTTPException(400, f"Unknown language {language!r}; choose one of: {', '.join(LANGUAGES)}.")
    access = get_access(request)
    access.tables.update_user(principal.user_id, access.clock(), language=language)
    record(request, principal, "account.language", principal.username, language=language)
    return me(request, principal)


@router.post("/account/language", include_in_schema=False)
def language_form(
    request: Request, principal: Me, language: TextField = "", back: TextField = "/"
) -> Response:
    save_language(request, principal, language)
    response = RedirectResponse(safe_next(back), status_code=303)
    # The cookie too, so the sign-in page after signing out keeps speaking the same language.
    response.set_cookie(COOKIE, language, max_age=ONE_YEAR_S, samesite="lax")
    return response


@router.get("/api/me", response_model=UserOut)
def me_api(request: Request, principal: Me) -> UserOut:
    """Show the signed-in account, with its interface language."""
    return UserOut.of(me(request, principal))


@router.patch("/api/me", response_model=UserOut)
def update_me_api(request: Request, principal: Me, body: MeUpdate) -> UserOut:
    """Change your own account: the interface language (vi or en) every page uses for you."""
    return UserOut.of(save_language(request, principal, body.language))
