"""Shared fixtures: a migrated PostgreSQL database per session, Redis, settings and an app."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from accord.config import Settings, load_settings
from accord.db import migrate
from accord.db.url import sqlalchemy_url
from tests.fixtures.services import (
    admin_postgres_url,
    create_database,
    drop_database,
    redis_url_or_skip,
)

TEST_SECRETS = {
    "JWT_SECRET": "test-jwt-secret-0123456789abcdefghijklmnop",
    "JWT_REFRESH_SECRET": "test-jwt-refresh-secret-0123456789abcdefghij",
    "CSRF_SECRET": "test-csrf-secret-0123456789abcdefghijklmno",
}


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return admin_postgres_url(tmp_path_factory.mktemp("embedded-pg"))


@pytest.fixture(scope="session")
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """A database migrated to head, shared by the session; tests clean up with `clean_db`."""
    url = create_database(postgres_admin_url)
    migrate.upgrade(sqlalchemy_url(url))
    yield url
    drop_database(postgres_admin_url, url)


@pytest.fixture
def empty_database_url(postgres_admin_url: str) -> Iterator[str]:
    """A database with no schema at all, for migration and start-up tests."""
    url = create_database(postgres_admin_url)
    yield url
    drop_database(postgres_admin_url, url)


@pytest.fixture
def clean_db(database_url: str) -> str:
    """The session database, emptied of rows before the test (schema and version kept)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return database_url


@pytest.fixture
def redis_url() -> str:
    return redis_url_or_skip()


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """Environment variables of a valid test configuration, without database or cache."""
    return {"ACCORD_ENV": "test", "ACCORD_DATA_DIR": str(tmp_path / "data"), **TEST_SECRETS}


@pytest.fixture
def make_settings(base_env: dict[str, str]) -> Callable[..., Settings]:
    def make(**overrides: str) -> Settings:
        return load_settings({**base_env, **overrides})

    return make


@pytest.fixture
def app_factory(
    clean_db: str, make_settings: Callable[..., Settings]
) -> Iterator[Callable[..., TestClient]]:
    """Build a started-up app on the test database; extra settings as keyword arguments."""
    from accord.api.app import create_app
    from accord.api.state import build_state
    from accord.startup.tiers import run_startup

    clients: list[TestClient] = []

    def make(**overrides: str) -> TestClient:
        settings = make_settings(DATABASE_URL=clean_db, **overrides)
        state = build_state(settings, run_startup(settings))
        client = TestClient(create_app(state))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(app_factory: Callable[..., TestClient]) -> TestClient:
    """The app with the in-memory cache (no REDIS_URL)."""
    return app_factory()


@pytest.fixture
def run_accord(base_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `accord` command in a subprocess with the test configuration."""

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "ACCORD_LOG_FORMAT": "json",
            **base_env,
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "accord", *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
