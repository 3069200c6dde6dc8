"""Dependencies every router uses, as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from accord.api.state import AppState
from accord.cache import CacheManager
from accord.config import Settings


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.accord
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_cache(state: StateDep) -> CacheManager:
    return state.cache


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the endpoint returns without error.

    Function scope: the commit happens before the response is sent, so a client never gets
    a success for work that then failed to commit, nor reads before the commit lands.
    """
    async with state.database.unit_of_work() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
CacheDep = Annotated[CacheManager, Depends(get_cache)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
