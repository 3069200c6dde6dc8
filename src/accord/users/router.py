"""`/me` (the caller's account) and `/users` (administrators)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from accord.api.deps import CacheDep, SessionDep, SettingsDep
from accord.audit.context import RequestContextDep
from accord.auth.deps import AdminPrincipal, CurrentPrincipal
from accord.users import repository, service
from accord.users.schemas import ChangePasswordRequest, UserOut, UsersPage

router = APIRouter(tags=["users"])


@router.get("/me", response_model=UserOut)
async def me(principal: CurrentPrincipal) -> UserOut:
    """The signed-in account."""
    return UserOut.model_validate(principal.user)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: ChangePasswordRequest,
    principal: CurrentPrincipal,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
) -> None:
    """Change the password; every other sign-in of the account ends."""
    await service.change_password(
        db,
        cache,
        settings.security,
        principal.user,
        principal.session_id,
        body.current_password,
        body.new_password,
        context,
    )


@router.get("/users", response_model=UsersPage)
async def list_users(
    _: AdminPrincipal,
    db: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UsersPage:
    """Every account, oldest first (administrators only)."""
    users = await repository.users_page(db, offset, limit)
    return UsersPage(
        items=[UserOut.model_validate(u) for u in users],
        total=await repository.count_users(db),
        offset=offset,
        limit=limit,
    )


async def _set_active(
    user_id: uuid.UUID,
    active: bool,
    principal: AdminPrincipal,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
) -> UserOut:
    user = await service.set_active(
        db, cache, settings.security, principal.user, user_id, active, context
    )
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/disable", response_model=UserOut)
async def disable_user(
    user_id: uuid.UUID,
    principal: AdminPrincipal,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
) -> UserOut:
    """Disable an account and end all its sign-ins (administrators only)."""
    return await _set_active(user_id, False, principal, db, cache, settings, context)


@router.post("/users/{user_id}/enable", response_model=UserOut)
async def enable_user(
    user_id: uuid.UUID,
    principal: AdminPrincipal,
    db: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    context: RequestContextDep,
) -> UserOut:
    """Re-enable a disabled account (administrators only)."""
    return await _set_active(user_id, True, principal, db, cache, settings, context)
