"""Password reset: a single-use link that expires, and a new password that ends every sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit import RequestContext, record
from accord.auth import repository, sessions
from accord.auth.password_policy import check_password
from accord.auth.passwords import passwords_for
from accord.auth.senders import ResetLinkSender
from accord.auth.tokens import keyed_hash, new_opaque_token
from accord.cache import CacheManager
from accord.config import SecuritySettings
from accord.db.models import PasswordResetToken
from accord.errors import BadRequest
from accord.users.repository import user_by_email, user_by_id

RESET_PURPOSE = "password-reset"
INVALID_LINK = "The reset link is invalid, used or expired; ask for a new one."


async def request_reset(
    db: AsyncSession,
    security: SecuritySettings,
    sender: ResetLinkSender,
    email: str,
    context: RequestContext,
) -> None:
    """Send a reset link if an enabled account has this email; say nothing either way."""
    user = await user_by_email(db, email)
    if user is None or not user.is_active:
        return
    now = datetime.now(UTC)
    await repository.retire_reset_tokens(db, user.id, now)
    token = new_opaque_token()
    db.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=keyed_hash(security, RESET_PURPOSE, token),
            expires_at=now + timedelta(minutes=security.password_reset_minutes),
        )
    )
    await record(db, user, "user.password_reset_requested", "user", user.id, context=context)
    # The token travels in the fragment: browsers never send it to servers or in Referer.
    link = f"{security.public_url.rstrip('/')}/reset-password#token={token}"
    await sender.send_reset_link(user.email, link)


async def confirm_reset(
    db: AsyncSession,
    cache: CacheManager,
    security: SecuritySettings,
    token: str,
    new_password: str,
    context: RequestContext,
) -> None:
    found = await repository.reset_token_for_update(db, keyed_hash(security, RESET_PURPOSE, token))
    now = datetime.now(UTC)
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise BadRequest(INVALID_LINK)
    user = await user_by_id(db, found.user_id)
    if user is None or not user.is_active:
        raise BadRequest(INVALID_LINK)
    check_password(new_password, user.email)
    found.used_at = now
    user.password_hash = passwords_for(security).hash(new_password)
    user.password_changed_at = now
    ended = await sessions.revoke(db, cache, security, "password_reset", user_id=user.id)
    await record(
        db,
        user,
        "user.password_reset",
        "user",
        user.id,
        after={"sessions_ended": ended},
        context=context,
    )
