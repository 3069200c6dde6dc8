"""Sign-in sessions, refresh tokens and reset tokens in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accord.db.models import AuthSession, PasswordResetToken, RefreshToken, User


async def refresh_token_for_update(
    session: AsyncSession, token_hash: str
) -> tuple[RefreshToken, AuthSession] | None:
    """The token and its family, locked so two concurrent exchanges cannot both succeed."""
    row = (
        await session.execute(
            select(RefreshToken, AuthSession)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .where(RefreshToken.token_hash == token_hash)
            .with_for_update()
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def session_with_user(
    session: AsyncSession, session_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[AuthSession, User] | None:
    row = (
        await session.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.id == session_id, User.id == user_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def revoke_sessions(
    session: AsyncSession,
    now: datetime,
    reason: str,
    *,
    session_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> Sequence[uuid.UUID]:
    """Mark live sessions revoked (one, or all of a user's but `keep`); return their ids."""
    query = update(AuthSession).where(AuthSession.revoked_at.is_(None))
    if session_id is not None:
        query = query.where(AuthSession.id == session_id)
    if user_id is not None:
        query = query.where(AuthSession.user_id == user_id)
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    result = await session.execute(
        query.values(revoked_at=now, revoked_reason=reason).returning(AuthSession.id)
    )
    return result.scalars().all()


async def reset_token_for_update(
    session: AsyncSession, token_hash: str
) -> PasswordResetToken | None:
    found = await session.scalars(
        select(PasswordResetToken)
        .where(PasswordResetToken.token_hash == token_hash)
        .with_for_update()
    )
    return found.first()


async def retire_reset_tokens(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Only the newest reset link works: older unused ones are spent."""
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
