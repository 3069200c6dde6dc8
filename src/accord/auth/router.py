"""`/auth`: register, sign in, refresh, sign out, reset a forgotten password."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from accord.api.deps import CacheDep, SessionDep, SettingsDep
from accord.api.problems import problem_response
from accord.audit import record
from accord.audit.context import RequestContextDep
from accord.auth import reset, sessions
from accord.auth.cookies import REFRESH_COOKIE, clear_session_cookies, set_session_cookies
from accord.auth.csrf import CSRF_COOKIE, CSRF_HEADER, check_csrf, issue_csrf_token
from accord.auth.deps import Principal, PrincipalOrRefusal
from accord.auth.login import sign_in
from accord.auth.rate_limit import limit_per_ip
from accord.auth.schemas import LoginRequest, RefreshRequest, ResetConfirm, ResetRequest, SignedIn
from accord.auth.senders import ResetSenderDep
from accord.auth.sessions import IssuedTokens
from accord.config import SecuritySettings, Settings
from accord.db.models import User
from accord.errors import AccordError, Unauthorized
from accord.users.repository import user_by_id
from accord.users.schemas import RegisterRequest, UserOut
from accord.users.service import create_user

router = APIRouter(prefix="/auth", tags=["auth"])
REFUSAL_RESPONSES: dict[int | str, dict[str, object]] = {401: {"description": "Refused"}}


def _refusal(request: Request, error: AccordError) -> JSONResponse:
    # Returned, not raised: the request's unit of work then commits what the refusal recorded
    # (the failed-login audit entry, a revoked token family).
    return problem_response(
        error.status_code, error.title, error.detail, error.type_slug, request, error.headers()
    )


def _seconds_until(moment: datetime) -> int:
    return max(0, int((moment - datetime.now(UTC)).total_seconds()))


def _signed_in(
    tokens: IssuedTokens, settings: Settings, response: Response, csrf_token: str | None = None
) -> SignedIn:
    expires_in = _seconds_until(tokens.access_expires_at)
    if tokens.client == "bearer":
        return SignedIn(
            expires_in=expires_in,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            refresh_expires_in=_seconds_until(tokens.refresh_expires_at),
        )
    # A refresh keeps the session, so the checked CSRF token stays valid: other tabs keep it.
    csrf_token = csrf_token or issue_csrf_token(settings.security.csrf_secret, tokens.session_id)
    set_session_cookies(
        response,
        tokens.access_token,
        tokens.access_expires_at,
        tokens.refresh_token,
        tokens.refresh_expires_at,
        csrf_token,
    )
    return SignedIn(expires_in=expires_in, csrf_token=csrf_token)


async def _presented_refresh_token(
    request: Request, db: SessionDep, security: SecuritySettings, body: RefreshRequest | None
) -> tuple[str, str | None] | None:
    """The refresh token of the body; or of the cookie, with its CSRF token once checked."""
    if body is not None and body.refresh_token is not None:
        return body.refresh_token, None
    presented = request.cookies.get(REFRESH_COOKIE)
    if presented is None:
        return None
    session_id = await sessions.session_of_refresh_token(db, security, presented)
    if session_id is None:
        raise Unauthorized("The refresh token is not valid; sign in again.")
    csrf_token = request.headers.get(CSRF_HEADER)
    check_csrf(security.csrf_secret, session_id, request.cookies.get(CSRF_COOKIE), csrf_token)
    return presented, csrf_token


@router.post("/register", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def register(
    body: RegisterRequest,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
) -> UserOut:
    """Create an account (never an administrator: see `accord users create --admin`)."""
    security = settings.security
    await limit_per_ip(
        cache, "registration", context.ip or "unknown", security.registrations_per_ip_per_hour
    )
    user = await create_user(
        db, security, body.email, body.password, full_name=body.full_name, context=context
    )
    return UserOut.model_validate(user)


@router.post("/login", response_model=SignedIn, responses=REFUSAL_RESPONSES)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
) -> SignedIn | JSONResponse:
    """Sign in with email and password; 429 with Retry-After after repeated failures."""
    outcome = await sign_in(
        db, cache, settings.security, body.email, body.password, body.client, context
    )
    if isinstance(outcome, AccordError):
        return _refusal(request, outcome)
    return _signed_in(outcome, settings, response)


@router.post("/refresh", response_model=SignedIn, responses=REFUSAL_RESPONSES)
async def refresh(
    request: Request,
    response: Response,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
    body: RefreshRequest | None = None,
) -> SignedIn | JSONResponse:
    """Exchange a refresh token (body, or cookie + CSRF header) for new tokens; single use."""
    security = settings.security
    presented = await _presented_refresh_token(request, db, security, body)
    if presented is None:
        raise Unauthorized("Send the refresh token in the body or the refresh cookie.")
    token, csrf_token = presented
    outcome = await sessions.rotate(db, cache, security, token, context)
    if isinstance(outcome, AccordError):
        return _refusal(request, outcome)
    return _signed_in(outcome, settings, response, csrf_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    responses=REFUSAL_RESPONSES,
)
async def logout(
    caller: PrincipalOrRefusal,
    request: Request,
    response: Response,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
    body: RefreshRequest | None = None,
) -> JSONResponse | None:
    """End this sign-in, named by the access token or, once that expired, the refresh token."""
    security = settings.security
    user: User | None
    how: dict[str, str] | None = None
    if isinstance(caller, Principal):
        session_id, user = caller.session_id, caller.user
    else:
        presented = await _presented_refresh_token(request, db, security, body)
        if presented is None:
            raise Unauthorized(
                "To sign out, send a valid access token, or the refresh token in the body or "
                "the refresh cookie."
            )
        checked = await sessions.unspent_refresh_token(db, cache, security, presented[0], context)
        if isinstance(checked, AccordError):
            return _refusal(request, checked)
        auth_session = checked[1]
        session_id, user = auth_session.id, await user_by_id(db, auth_session.user_id)
        how = {"signed_out_with": "refresh_token"}
    await sessions.revoke(db, cache, security, "logout", session_id=session_id)
    await record(db, user, "auth.logout", "auth_session", session_id, after=how, context=context)
    clear_session_cookies(response)
    return None


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(
    body: ResetRequest,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    sender: ResetSenderDep,
    context: RequestContextDep,
) -> None:
    """Mail a reset link if the account exists; the answer is the same either way."""
    security = settings.security
    await limit_per_ip(
        cache, "password-reset", context.ip or "unknown", security.password_resets_per_ip_per_hour
    )
    await reset.request_reset(db, security, sender, body.email, context)


@router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def confirm_password_reset(
    body: ResetConfirm,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
) -> None:
    """Set a new password with the token from the reset link; every sign-in ends."""
    security = settings.security
    await limit_per_ip(
        cache,
        "password-reset-confirm",
        context.ip or "unknown",
        security.password_resets_per_ip_per_hour,
    )
    await reset.confirm_reset(db, cache, security, body.token, body.new_password, context)
