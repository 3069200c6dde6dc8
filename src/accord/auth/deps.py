"""Who is calling: `CurrentPrincipal` for any signed-in user, `AdminPrincipal` for administrators.

Bearer clients send `Authorization: Bearer`; browser clients send the access cookie, and then
every unsafe method must also pass the CSRF check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from accord.api.deps import CacheDep, SessionDep, SettingsDep
from accord.auth.cookies import ACCESS_COOKIE
from accord.auth.csrf import CSRF_COOKIE, CSRF_HEADER, SAFE_METHODS, check_csrf
from accord.auth.rate_limit import limit_per_user
from accord.auth.sessions import active_session_user
from accord.auth.tokens import read_access_token
from accord.db.models import User
from accord.errors import Forbidden, Unauthorized

# auto_error=False: a missing header falls through to the cookie; the scheme still documents
# bearer sign-in in the OpenAPI contract.
bearer_scheme = HTTPBearer(auto_error=False, description="An access token from POST /auth/login")


@dataclass(frozen=True)
class Principal:
    user: User
    session_id: uuid.UUID
    via_cookie: bool


async def current_principal(
    request: Request,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    security = settings.security
    via_cookie = bearer is None
    token = bearer.credentials if bearer is not None else request.cookies.get(ACCESS_COOKIE)
    if not token:
        raise Unauthorized(
            "Sign in first: send 'Authorization: Bearer <access token>', or the session cookie."
        )
    claims = read_access_token(security, token)
    if via_cookie and request.method not in SAFE_METHODS:
        check_csrf(
            security.csrf_secret,
            claims.session_id,
            request.cookies.get(CSRF_COOKIE),
            request.headers.get(CSRF_HEADER),
        )
    user = await active_session_user(db, cache, claims.session_id, claims.user_id)
    await limit_per_user(cache, user.id, security.requests_per_user_per_minute)
    structlog.contextvars.bind_contextvars(user_id=str(user.id))
    return Principal(user=user, session_id=claims.session_id, via_cookie=via_cookie)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def principal_or_refusal(
    request: Request,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal | Unauthorized:
    """The caller, or why their access token was refused: for logout, which has another way in."""
    try:
        return await current_principal(request, db, cache, settings, bearer)
    except Unauthorized as refusal:
        return refusal


PrincipalOrRefusal = Annotated[Principal | Unauthorized, Depends(principal_or_refusal)]


async def admin_principal(principal: CurrentPrincipal) -> Principal:
    if not principal.user.is_admin:
        raise Forbidden("Only instance administrators can manage users.")
    return principal


AdminPrincipal = Annotated[Principal, Depends(admin_principal)]
