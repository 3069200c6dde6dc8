"""Backoff, circuit breaker, connection diagnosis and the cache fallback, piece by piece."""

from __future__ import annotations

import asyncio
import itertools
import random
import shutil
import subprocess

import psycopg
import pytest

from accord.cache import CacheManager, MemoryCache
from accord.config import DatabaseSettings
from accord.db.url import endpoint_of, sqlalchemy_url
from accord.startup.breaker import BreakerState, CircuitBreaker
from accord.startup.database import connect_with_retry, diagnose
from accord.startup.retry import backoff_delays
from tests.fixtures.server import free_port


def test_backoff_grows_and_is_capped() -> None:
    growing = list(backoff_delays(5, base_s=0.5, max_s=100, rng=random.Random(7)))
    assert len(growing) == 4
    assert all(a <= b for a, b in itertools.pairwise(growing))
    capped = list(backoff_delays(8, base_s=0.5, max_s=3.0, rng=random.Random(7)))
    assert capped[0] <= 0.5
    assert max(capped) <= 3.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_and_half_opens_after_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=10, clock=clock)
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state is BreakerState.closed
    breaker.record_failure()
    assert breaker.state is BreakerState.open
    assert not breaker.allow()
    clock.now = 10.5
    assert breaker.state is BreakerState.half_open
    assert breaker.allow()  # the one trial call
    assert not breaker.allow()  # others wait for its outcome
    breaker.record_failure()
    assert breaker.state is BreakerState.open
    clock.now = 21
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.closed


def _error_from(url: str) -> Exception:
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        return exc
    raise AssertionError(f"connecting to {url} should fail")


def test_diagnosis_names_a_missing_database(postgres_admin_url: str) -> None:
    url = sqlalchemy_url(postgres_admin_url).set(database="no_such_db_for_accord")
    raw = url.set(drivername="postgresql").render_as_string(hide_password=False)
    failure = diagnose(_error_from(raw), endpoint_of(url))
    assert failure.cause == "no_database"
    assert "no_such_db_for_accord" in failure.message
    assert "createdb" in failure.message


def test_diagnosis_names_an_unknown_role(postgres_admin_url: str) -> None:
    url = sqlalchemy_url(postgres_admin_url).set(username="nobody_accord_role")
    raw = url.set(drivername="postgresql").render_as_string(hide_password=False)
    failure = diagnose(_error_from(raw), endpoint_of(url))
    assert failure.cause == "auth"
    assert "nobody_accord_role" in failure.message


def test_diagnosis_of_an_unresolvable_host() -> None:
    url = sqlalchemy_url("postgresql://u:secretpw@host.invalid:5432/db")
    failure = diagnose(
        _error_from("postgresql://u:secretpw@host.invalid:5432/db"), endpoint_of(url)
    )
    assert failure.cause == "unreachable"
    assert "host.invalid:5432" in failure.message
    assert "secretpw" not in failure.message


def test_connect_with_retry_sleeps_between_attempts_and_feeds_the_breaker() -> None:
    slept: list[float] = []
    breaker = CircuitBreaker(threshold=2, cooldown_s=60)
    settings = DatabaseSettings(
        connect_attempts=3, backoff_base_s=0.1, backoff_max_s=1, connect_timeout_s=1
    )
    outcome = connect_with_retry(
        sqlalchemy_url("postgresql://u@127.0.0.1:1/db"), settings, breaker, sleep=slept.append
    )
    assert not outcome.ok
    assert outcome.attempts == 3
    assert outcome.failure is not None
    assert outcome.failure.cause == "refused"
    assert len(slept) == 2
    assert slept[0] < slept[1]
    assert breaker.state is BreakerState.open


def test_memory_cache_counts_and_expires() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock)

    async def scenario() -> None:
        assert await cache.incr("k", ttl_s=10) == 1
        assert await cache.incr("k", ttl_s=10) == 2
        assert await cache.ttl("k") == 10
        clock.now = 11
        assert await cache.get("k") is None
        assert await cache.ttl("k") == -2

    asyncio.run(scenario())


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_manager_uses_redis_and_falls_back_when_it_dies() -> None:
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )

    async def scenario() -> None:
        manager = CacheManager(f"redis://127.0.0.1:{port}/0", timeout_s=1, reconnect_interval_s=60)
        for _ in range(50):
            if await manager.try_redis():
                break
            await asyncio.sleep(0.1)
        await manager.set("accord:test", "v", ttl_s=30)
        assert await manager.get("accord:test") == "v"
        assert manager.mode.value == "redis"
        server.terminate()
        server.wait(10)
        # Calls keep working, from memory, and the manager says it is degraded.
        assert await manager.incr("accord:count", ttl_s=30) == 1
        assert manager.mode.value == "memory"
        assert manager.degraded
        await manager.close()

    try:
        asyncio.run(scenario())
    finally:
        server.kill()
        server.wait(10)


def test_memory_cache_forgets_keys_nobody_reads_again() -> None:
    from accord.cache.memory import SWEEP_EVERY

    clock = FakeClock()
    cache = MemoryCache(clock=clock)

    async def scenario() -> None:
        for minute in range(3 * SWEEP_EVERY):
            clock.now = minute * 60.0
            await cache.incr(f"rate:user-1:{minute}", ttl_s=60)

    asyncio.run(scenario())
    assert len(cache) <= SWEEP_EVERY + 1


def test_memory_cache_counts_down() -> None:
    cache = MemoryCache()

    async def scenario() -> None:
        await cache.incr("k", ttl_s=60)
        await cache.incr("k", ttl_s=60)
        assert await cache.decr("k") == 1
        assert await cache.decr("absent") == 0

    asyncio.run(scenario())
