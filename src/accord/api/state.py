"""What the running service holds: built once at start-up, reached from requests via the app."""

from __future__ import annotations

from dataclasses import dataclass

from accord.api.metrics import Metrics
from accord.cache import CacheManager
from accord.config import Settings
from accord.db.session import Database
from accord.startup.checks import StartupReport
from accord.startup.tiers import StartupResult


@dataclass
class AppState:
    settings: Settings
    database: Database
    cache: CacheManager
    metrics: Metrics
    startup: StartupReport


def build_state(settings: Settings, startup: StartupResult) -> AppState:
    """Turn a successful start-up into the objects the service runs on."""
    assert startup.database_url is not None, "start-up stops before this without a database"
    redis_url = settings.cache.url.get_secret_value() if settings.cache.url else None
    return AppState(
        settings=settings,
        database=Database(
            startup.database_url,
            startup.breaker,
            pool_size=settings.db.pool_size,
            timeout_s=settings.db.connect_timeout_s,
        ),
        cache=CacheManager(
            redis_url, settings.cache.connect_timeout_s, settings.cache.reconnect_interval_s
        ),
        metrics=Metrics(),
        startup=startup.report,
    )
