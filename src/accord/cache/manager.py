"""Chooses the cache back-end and switches between them while the service runs.

With REDIS_URL set, Redis is wanted: if it is down the manager serves from memory (degraded),
and a background task switches back to Redis as soon as it answers again, without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from redis.exceptions import RedisError

from accord.cache.base import Cache
from accord.cache.memory import MemoryCache
from accord.cache.redis import RedisCache
from accord.logging import get_logger

log = get_logger(__name__)
T = TypeVar("T")

DEGRADED_EFFECT = "rate limits and token revocations are kept per process and forgotten on restart"


class CacheMode(StrEnum):
    redis = "redis"
    memory = "memory"


class CacheManager:
    """A Cache that delegates to Redis when it can and to memory when it must."""

    def __init__(self, redis_url: str | None, timeout_s: float, reconnect_interval_s: float):
        self._redis_url = redis_url
        self._timeout_s = timeout_s
        self.reconnect_interval_s = reconnect_interval_s
        self._memory = MemoryCache()
        self._redis: RedisCache | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def wants_redis(self) -> bool:
        return self._redis_url is not None

    @property
    def mode(self) -> CacheMode:
        return CacheMode.redis if self._redis is not None else CacheMode.memory

    @property
    def degraded(self) -> bool:
        return self.wants_redis and self._redis is None

    @property
    def backend(self) -> Cache:
        return self._redis if self._redis is not None else self._memory

    async def try_redis(self) -> bool:
        """Connect to Redis if wanted and not connected; True when Redis is in use afterwards."""
        if self._redis_url is None:
            return False
        if self._redis is not None:
            return True
        candidate = RedisCache(self._redis_url, self._timeout_s)
        try:
            await candidate.ping()
        except (RedisError, OSError):
            await candidate.close()
            return False
        self._redis = candidate
        log.info("cache switched to redis", tier=2, check="cache", mode="redis")
        return True

    async def fall_back(self, reason: str) -> None:
        if self._redis is None:
            return
        stale, self._redis = self._redis, None
        with contextlib.suppress(RedisError, OSError):
            await stale.close()
        log.warning(
            "redis lost; cache degraded to memory", tier=2, reason=reason, effect=DEGRADED_EFFECT
        )

    def start_reconnecting(self) -> None:
        if self.wants_redis and self._task is None:
            self._task = asyncio.create_task(self._reconnect_loop(), name="cache-reconnect")

    async def _reconnect_loop(self) -> None:
        while True:
            await asyncio.sleep(self.reconnect_interval_s)
            if self._redis is None:
                await self.try_redis()
            else:
                try:
                    await self._redis.ping()
                except (RedisError, OSError) as exc:
                    await self.fall_back(type(exc).__name__)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._redis is not None:
            await self._redis.close()
            self._redis = None

    # The Cache interface: every call falls back to memory if Redis fails under it.
    async def _run(self, call: Callable[[Cache], Awaitable[T]]) -> T:
        try:
            return await call(self.backend)
        except (RedisError, OSError) as exc:
            await self.fall_back(type(exc).__name__)
            return await call(self._memory)

    async def get(self, key: str) -> str | None:
        return await self._run(lambda c: c.get(key))

    async def set(self, key: str, value: str, ttl_s: int | None = None) -> None:
        await self._run(lambda c: c.set(key, value, ttl_s))

    async def delete(self, key: str) -> None:
        await self._run(lambda c: c.delete(key))

    async def incr(self, key: str, ttl_s: int) -> int:
        return await self._run(lambda c: c.incr(key, ttl_s))

    async def decr(self, key: str) -> int:
        return await self._run(lambda c: c.decr(key))

    async def ttl(self, key: str) -> int:
        return await self._run(lambda c: c.ttl(key))

    async def ping(self) -> bool:
        return await self.backend.ping()
