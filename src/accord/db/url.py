"""Database URLs: whatever form the user gives, SQLAlchemy gets the psycopg 3 dialect."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url


def sqlalchemy_url(raw: str) -> URL:
    url = make_url(raw)
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+asyncpg"):
        url = url.set(drivername="postgresql+psycopg")
    return url


@dataclass(frozen=True)
class Endpoint:
    """Where a URL points, for messages: host:port (or socket dir) and database name."""

    host: str
    port: int
    database: str
    user: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}" if not self.host.startswith("/") else self.host


def endpoint_of(url: URL) -> Endpoint:
    host = url.host or str(url.query.get("host", "") or "localhost")
    return Endpoint(
        host=host, port=url.port or 5432, database=url.database or "", user=url.username or ""
    )
