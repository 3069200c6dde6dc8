"""One Settings object for the whole of Accord, grouped per concern, validated in one pass."""

from accord.config.load import ConfigError, ConfigProblem, load_settings
from accord.config.settings import (
    AppSettings,
    CacheSettings,
    DatabaseSettings,
    Environment,
    LogSettings,
    SecuritySettings,
    Settings,
)

__all__ = [
    "AppSettings",
    "CacheSettings",
    "ConfigError",
    "ConfigProblem",
    "DatabaseSettings",
    "Environment",
    "LogSettings",
    "SecuritySettings",
    "Settings",
    "load_settings",
]
