"""An in-process cache with expiry: the fallback, and the chosen mode without REDIS_URL."""

from __future__ import annotations

import time
from collections.abc import Callable

# Expired keys are swept every this many writes: keys such as per-minute rate-limit windows
# are never read again once their minute is over, and would otherwise pile up.
SWEEP_EVERY = 1000


class MemoryCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[str, float | None]] = {}
        self._writes = 0

    def _count_write(self) -> None:
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            now = self._clock()
            expired = [k for k, (_, at) in self._data.items() if at is not None and at <= now]
            for key in expired:
                del self._data[key]

    def __len__(self) -> int:
        return len(self._data)

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(key)
        if item is not None and item[1] is not None and item[1] <= self._clock():
            del self._data[key]
            return None
        return item

    async def get(self, key: str) -> str | None:
        item = self._live(key)
        return item[0] if item else None

    async def set(self, key: str, value: str, ttl_s: int | None = None) -> None:
        self._count_write()
        self._data[key] = (value, self._clock() + ttl_s if ttl_s else None)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, ttl_s: int) -> int:
        self._count_write()
        item = self._live(key)
        if item is None:
            self._data[key] = ("1", self._clock() + ttl_s)
            return 1
        count = int(item[0]) + 1
        self._data[key] = (str(count), item[1])
        return count

    async def decr(self, key: str) -> int:
        item = self._live(key)
        if item is None:
            return 0
        count = int(item[0]) - 1
        self._data[key] = (str(count), item[1])
        return count

    async def ttl(self, key: str) -> int:
        item = self._live(key)
        if item is None:
            return -2
        if item[1] is None:
            return -1
        return max(0, round(item[1] - self._clock()))

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()
