"""Signing in with email and password: throttled, audited, upgrading old hashes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit import RequestContext, record
from accord.auth.passwords import passwords_for
from accord.auth.rate_limit import LoginThrottle
from accord.auth.sessions import ClientStyle, IssuedTokens, start_session
from accord.cache import CacheManager
from accord.config import SecuritySettings
from accord.errors import Unauthorized
from accord.users.repository import user_by_email

WRONG_CREDENTIALS = "The email or password is wrong."


async def sign_in(
    db: AsyncSession,
    cache: CacheManager,
    security: SecuritySettings,
    email: str,
    password: str,
    client: ClientStyle,
    context: RequestContext,
) -> IssuedTokens | Unauthorized:
    """Tokens for a good password; otherwise the refusal, returned so its audit entry commits.

    Raises TooManyRequests while the account or address is locked out.
    """
    throttle = LoginThrottle(cache, security)
    ip = context.ip or "unknown"
    await throttle.attempt(email, ip)
    user = await user_by_email(db, email)
    passwords = passwords_for(security)
    # Verified even without a user (against a decoy), so timing does not reveal accounts.
    checked = passwords.verify(user.password_hash if user else None, password)
    if user is None or not checked.ok or not user.is_active:
        reason = "unknown_email" if user is None else "wrong_password"
        if user is not None and checked.ok:
            reason = "account_disabled"
        await record(
            db,
            None,
            "auth.login_failed",
            "user",
            user.id if user else None,
            after={"email": email.strip(), "reason": reason},
            context=context,
        )
        if reason == "account_disabled":
            return Unauthorized("This account is disabled; ask an administrator.")
        return Unauthorized(WRONG_CREDENTIALS)
    if checked.needs_rehash:
        user.password_hash = passwords.hash(password)
    await throttle.succeeded(email, ip)
    tokens = await start_session(db, security, user, client)
    await record(
        db,
        user,
        "auth.login",
        "auth_session",
        tokens.session_id,
        after={"client": client, "rehashed": checked.needs_rehash},
        context=context,
    )
    return tokens
