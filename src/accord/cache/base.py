"""The interface both cache back-ends implement."""

from __future__ import annotations

from typing import Protocol


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_s: int | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, ttl_s: int) -> int:
        """Add one to a counter, starting its time-to-live when it is created; return the count."""
        ...

    async def decr(self, key: str) -> int:
        """Take one off a counter (kept at its expiry); return the count."""
        ...

    async def ttl(self, key: str) -> int:
        """Seconds left before `key` expires; -1 without expiry, -2 when absent."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...
