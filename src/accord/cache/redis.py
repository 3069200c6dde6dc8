"""The Redis back-end (redis-py asyncio)."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis


class RedisCache:
    def __init__(self, url: str, timeout_s: float) -> None:
        self._client: Redis = Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            retry_on_timeout=False,
        )

    async def get(self, key: str) -> str | None:
        value: Any = await self._client.get(key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl_s: int | None = None) -> None:
        await self._client.set(key, value, ex=ttl_s)

    async def delete(self, key: str) -> None:
        await self._client.delete(key)

    async def incr(self, key: str, ttl_s: int) -> int:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, ttl_s, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def decr(self, key: str) -> int:
        return int(await self._client.decr(key))

    async def ttl(self, key: str) -> int:
        return int(await self._client.ttl(key))

    async def ping(self) -> bool:
        return bool(await self._client.ping())

    async def close(self) -> None:
        await self._client.aclose()
