"""Sign-in sessions: issuing tokens, rotating refresh tokens, revoking families.

A session is a token family. Every refresh exchanges the presented token for a new one; a token
presented twice means a copy is in someone else's hands, so the whole family is revoked.
Revocations are written to the database (the truth) and to the cache (the fast path).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit import RequestContext, record
from accord.auth import repository
from accord.auth.tokens import issue_access_token, keyed_hash, new_opaque_token
from accord.cache import CacheManager
from accord.config import SecuritySettings
from accord.db.models import AuthSession, RefreshToken, User
from accord.errors import Unauthorized
from accord.logging import get_logger

log = get_logger(__name__)
ClientStyle = Literal["bearer", "cookie"]
REFRESH_PURPOSE = "refresh"


@dataclass(frozen=True)
class IssuedTokens:
    session_id: uuid.UUID
    client: ClientStyle
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


def revoked_key(session_id: uuid.UUID) -> str:
    return f"accord:revoked:session:{session_id}"


async def _new_refresh_token(
    db: AsyncSession, security: SecuritySettings, auth_session: AuthSession
) -> tuple[str, datetime]:
    token = new_opaque_token()
    expires = datetime.now(UTC) + timedelta(days=security.refresh_token_days)
    db.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=keyed_hash(security, REFRESH_PURPOSE, token),
            expires_at=expires,
        )
    )
    await db.flush()
    return token, expires


async def _issue(
    db: AsyncSession, security: SecuritySettings, auth_session: AuthSession
) -> IssuedTokens:
    refresh, refresh_expires = await _new_refresh_token(db, security, auth_session)
    access, access_expires = issue_access_token(security, auth_session.user_id, auth_session.id)
    client: ClientStyle = "cookie" if auth_session.client == "cookie" else "bearer"
    return IssuedTokens(auth_session.id, client, access, access_expires, refresh, refresh_expires)


async def start_session(
    db: AsyncSession, security: SecuritySettings, user: User, client: ClientStyle
) -> IssuedTokens:
    auth_session = AuthSession(id=uuid.uuid4(), user_id=user.id, client=client)
    db.add(auth_session)
    await db.flush()
    return await _issue(db, security, auth_session)


async def revoke(
    db: AsyncSession,
    cache: CacheManager,
    security: SecuritySettings,
    reason: str,
    *,
    session_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> int:
    """Revoke one session, or every session of a user (except `keep`); return how many."""
    revoked = await repository.revoke_sessions(
        db, datetime.now(UTC), reason, session_id=session_id, user_id=user_id, keep=keep
    )
    # Access tokens die on their own after their lifetime; until then the cache answers fast.
    ttl_s = security.access_token_minutes * 60 + 60
    for revoked_id in revoked:
        await cache.set(revoked_key(revoked_id), reason, ttl_s)
    return len(revoked)


async def unspent_refresh_token(
    db: AsyncSession,
    cache: CacheManager,
    security: SecuritySettings,
    presented: str,
    context: RequestContext,
) -> tuple[RefreshToken, AuthSession] | Unauthorized:
    """The presented token, locked, and its live family; or why not.

    A token presented twice revokes its family, and its audit entry is written; the refusal
    is returned rather than raised so that both are committed although the caller answers 401.
    """
    found = await repository.refresh_token_for_update(
        db, keyed_hash(security, REFRESH_PURPOSE, presented)
    )
    if found is None:
        return Unauthorized("The refresh token is not valid; sign in again.")
    token, auth_session = found
    if auth_session.revoked_at is not None:
        return Unauthorized("This sign-in has been ended; sign in again.")
    if token.used_at is not None:
        await revoke(db, cache, security, "refresh_token_reuse", session_id=auth_session.id)
        await record(
            db,
            None,
            "auth.refresh_token_reused",
            "auth_session",
            auth_session.id,
            after={"user_id": str(auth_session.user_id), "revoked": "token family"},
            context=context,
        )
        log.warning(
            "security: refresh token presented twice; its family is revoked",
            session_id=str(auth_session.id),
            user_id=str(auth_session.user_id),
        )
        return Unauthorized("This refresh token was already used; the sign-in has been ended.")
    if token.expires_at <= datetime.now(UTC):
        return Unauthorized("The refresh token has expired; sign in again.")
    return token, auth_session


async def rotate(
    db: AsyncSession,
    cache: CacheManager,
    security: SecuritySettings,
    presented: str,
    context: RequestContext,
) -> IssuedTokens | Unauthorized:
    """Exchange a refresh token for new tokens, or return why not (see unspent_refresh_token)."""
    checked = await unspent_refresh_token(db, cache, security, presented, context)
    if isinstance(checked, Unauthorized):
        return checked
    token, auth_session = checked
    token.used_at = datetime.now(UTC)
    return await _issue(db, security, auth_session)


async def active_session_user(
    db: AsyncSession, cache: CacheManager, session_id: uuid.UUID, user_id: uuid.UUID
) -> User:
    """The user behind an access token, if its session is live and the account enabled."""
    if await cache.get(revoked_key(session_id)) is not None:
        raise Unauthorized("This sign-in has been ended; sign in again.")
    found = await repository.session_with_user(db, session_id, user_id)
    if found is None:
        raise Unauthorized("The access token is not valid; sign in again.")
    auth_session, user = found
    if auth_session.revoked_at is not None:
        raise Unauthorized("This sign-in has been ended; sign in again.")
    if not user.is_active:
        raise Unauthorized("This account is disabled; ask an administrator.")
    return user


async def session_of_refresh_token(
    db: AsyncSession, security: SecuritySettings, presented: str
) -> uuid.UUID | None:
    """The family a refresh token belongs to (for the CSRF check before exchanging it)."""
    found = await repository.refresh_token_for_update(
        db, keyed_hash(security, REFRESH_PURPOSE, presented)
    )
    return found[1].id if found is not None else None
