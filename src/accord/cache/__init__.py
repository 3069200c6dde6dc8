"""The cache Accord keeps rate limits, revocations and the like in: Redis, or memory without it."""

from accord.cache.base import Cache
from accord.cache.manager import CacheManager, CacheMode
from accord.cache.memory import MemoryCache

__all__ = ["Cache", "CacheManager", "CacheMode", "MemoryCache"]
