"""Reading users from the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accord.db.models import User


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    found = await session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    )
    return found.first()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def users_page(session: AsyncSession, offset: int, limit: int) -> Sequence[User]:
    rows = await session.scalars(
        select(User).order_by(User.created_at, User.id).offset(offset).limit(limit)
    )
    return rows.all()


async def count_users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)
