"""Rate limits kept in the cache: fixed windows counted with `incr`, told with `Retry-After`.

The cache manager falls back to memory when Redis is down, so limits keep holding, per process.
Account keys use a hash of the address, not the address, so the cache holds no personal data.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from accord.cache import CacheManager
from accord.config import SecuritySettings
from accord.errors import TooManyRequests

PREFIX = "accord:rl"


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]


async def _retry_after(cache: CacheManager, key: str, window_s: int) -> int:
    remaining = await cache.ttl(key)
    return max(1, remaining if remaining > 0 else window_s)


class LoginThrottle:
    """Failed sign-ins, counted per account and per client address."""

    def __init__(self, cache: CacheManager, security: SecuritySettings) -> None:
        self._cache = cache
        self._window_s = security.login_window_minutes * 60
        self._limits = {
            "account": security.login_failures_per_account,
            "ip": security.login_failures_per_ip,
        }

    def _keys(self, email: str, ip: str) -> dict[str, str]:
        return {
            "account": f"{PREFIX}:login:account:{_account(email)}",
            "ip": f"{PREFIX}:login:ip:{ip}",
        }

    async def attempt(self, email: str, ip: str) -> None:
        """Count a sign-in as failed before the password is checked; refuse over the limit.

        Counting first (not after the slow password check) means parallel guesses cannot
        all slip in under the limit; `succeeded` gives the attempt back.
        """
        for scope, key in self._keys(email, ip).items():
            if await self._cache.incr(key, self._window_s) > self._limits[scope]:
                retry = await _retry_after(self._cache, key, self._window_s)
                what = "account" if scope == "account" else "address"
                raise TooManyRequests(
                    f"Too many failed sign-ins for this {what}; try again in {retry} s.",
                    retry_after_s=retry,
                )

    async def succeeded(self, email: str, ip: str) -> None:
        keys = self._keys(email, ip)
        await self._cache.delete(keys["account"])
        await self._cache.decr(keys["ip"])


async def limit_per_ip(cache: CacheManager, action: str, ip: str, per_hour: int) -> None:
    """Count one `action` from `ip`; refuse beyond `per_hour` in the current hour window."""
    key = f"{PREFIX}:{action}:ip:{ip}"
    if await cache.incr(key, 3600) > per_hour:
        retry = await _retry_after(cache, key, 3600)
        raise TooManyRequests(
            f"Too many {action} requests from this address; try again in {retry} s.",
            retry_after_s=retry,
        )


async def limit_per_user(cache: CacheManager, user_id: uuid.UUID, per_minute: int) -> None:
    window = int(time.time() // 60)
    key = f"{PREFIX}:user:{user_id}:{window}"
    if await cache.incr(key, 60) > per_minute:
        retry = max(1, 60 - int(time.time() % 60))
        raise TooManyRequests(
            f"More than {per_minute} requests in a minute; slow down for {retry} s.",
            retry_after_s=retry,
        )
