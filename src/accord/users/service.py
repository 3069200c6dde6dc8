"""Creating accounts, changing passwords, and administrators enabling or disabling users."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit import RequestContext, record
from accord.auth import sessions
from accord.auth.password_policy import PasswordRejected, check_password
from accord.auth.passwords import passwords_for
from accord.cache import CacheManager
from accord.config import SecuritySettings
from accord.db.models import User
from accord.errors import BadRequest, Conflict, NotFound
from accord.users.repository import user_by_email, user_by_id


async def create_user(
    db: AsyncSession,
    security: SecuritySettings,
    email: str,
    password: str,
    *,
    full_name: str = "",
    is_admin: bool = False,
    actor: User | None = None,
    context: RequestContext | None = None,
) -> User:
    """A new account (policy-checked password, unique email); audited as user.created."""
    email = email.strip()
    check_password(password, email)
    if await user_by_email(db, email) is not None:
        raise Conflict("An account with this email already exists; sign in or reset the password.")
    user = User(
        id=uuid.uuid4(),
        email=email,
        full_name=full_name.strip(),
        password_hash=passwords_for(security).hash(password),
        is_admin=is_admin,
        is_active=True,
    )
    db.add(user)
    await db.flush()
    await record(
        db,
        actor or user,
        "user.created",
        "user",
        user.id,
        after={"email": user.email, "is_admin": is_admin},
        context=context,
    )
    return user


async def change_password(
    db: AsyncSession,
    cache: CacheManager,
    security: SecuritySettings,
    user: User,
    current_session: uuid.UUID,
    current_password: str,
    new_password: str,
    context: RequestContext,
) -> None:
    """Set a new password and end every other sign-in of the account."""
    passwords = passwords_for(security)
    if not passwords.verify(user.password_hash, current_password).ok:
        raise PasswordRejected("current_password", "The current password is wrong.")
    check_password(new_password, user.email)
    user.password_hash = passwords.hash(new_password)
    user.password_changed_at = datetime.now(UTC)
    ended = await sessions.revoke(
        db, cache, security, "password_changed", user_id=user.id, keep=current_session
    )
    await record(
        db,
        user,
        "user.password_changed",
        "user",
        user.id,
        after={"sessions_ended": ended},
        context=context,
    )


async def set_active(
    db: AsyncSession,
    cache: CacheManager,
    security: SecuritySettings,
    admin: User,
    user_id: uuid.UUID,
    active: bool,
    context: RequestContext,
) -> User:
    """Disable (ending every sign-in) or re-enable an account."""
    user = await user_by_id(db, user_id)
    if user is None:
        raise NotFound("No user with this id.")
    if user.id == admin.id and not active:
        raise BadRequest("Administrators cannot disable their own account.")
    before = {"is_active": user.is_active}
    user.is_active = active
    ended = 0
    if not active:
        ended = await sessions.revoke(db, cache, security, "user_disabled", user_id=user.id)
    await record(
        db,
        admin,
        "user.enabled" if active else "user.disabled",
        "user",
        user.id,
        before=before,
        after={"is_active": active, "sessions_ended": ended},
        context=context,
    )
    return user
