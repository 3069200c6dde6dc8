"""Deleting sign-in records that stopped working, a retention period after they did.

- A refresh token goes `retention` after it expires, or after its session was revoked. A spent
  token is kept until then on purpose: presented again while it could still be valid, it is
  how a stolen copy is detected and its family revoked (see sessions.py).
- A session goes once none of its refresh tokens is left: `retention` after it was revoked, or
  after the last of its tokens expired.
- A password-reset token goes `retention` after it expired or was used.

Audit entries name sessions by id, without a foreign key, so pruning leaves them and their hash
chain as they are. Each batch is a short transaction of its own that skips rows another one
holds (a refresh in flight), so pruning never makes a request wait, nor waits for one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, delete, exists, or_, select
from sqlalchemy.engine import Engine

from accord.db.models import AuthSession, PasswordResetToken, RefreshToken

BATCH_SIZE = 1000
Prunable = type[AuthSession] | type[RefreshToken] | type[PasswordResetToken]


@dataclass(frozen=True)
class Pruned:
    refresh_tokens: int
    sessions: int
    reset_tokens: int

    @property
    def total(self) -> int:
        return self.refresh_tokens + self.sessions + self.reset_tokens


def prune_auth_records(
    engine: Engine,
    retention: timedelta,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> Pruned:
    """Delete what stopped working more than `retention` before `now`; say how much."""
    cutoff = (now or datetime.now(UTC)) - retention
    expired_tokens = select(RefreshToken.id).where(RefreshToken.expires_at < cutoff)
    tokens_of_revoked = (
        select(RefreshToken.id)
        .join(AuthSession, AuthSession.id == RefreshToken.session_id)
        .where(AuthSession.revoked_at < cutoff)
    )
    # Tokens first: a session is done once it has none left (each starts with one).
    refresh_tokens = _delete_in_batches(engine, RefreshToken, expired_tokens, batch_size)
    refresh_tokens += _delete_in_batches(engine, RefreshToken, tokens_of_revoked, batch_size)
    tokenless_sessions = select(AuthSession.id).where(
        AuthSession.created_at < cutoff,
        ~exists().where(RefreshToken.session_id == AuthSession.id),
    )
    spent_reset_tokens = select(PasswordResetToken.id).where(
        or_(PasswordResetToken.expires_at < cutoff, PasswordResetToken.used_at < cutoff)
    )
    return Pruned(
        refresh_tokens=refresh_tokens,
        sessions=_delete_in_batches(engine, AuthSession, tokenless_sessions, batch_size),
        reset_tokens=_delete_in_batches(engine, PasswordResetToken, spent_reset_tokens, batch_size),
    )


def _delete_in_batches(
    engine: Engine, model: Prunable, ids: Select[uuid.UUID], batch_size: int
) -> int:
    deleted = 0
    while True:
        with engine.begin() as conn:
            # The ids first, then a delete by primary key: given as a subquery, PostgreSQL
            # would join it to the whole table on every batch.
            batch = ids.limit(batch_size).with_for_update(of=model, skip_locked=True)
            found = conn.scalars(batch).all()
            if found:
                conn.execute(delete(model).where(model.id.in_(found)))
        deleted += len(found)
        if len(found) < batch_size:
            return deleted
