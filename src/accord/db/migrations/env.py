"""Alembic environment: runs migrations on the connection `accord.db.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import accord.db.models  # noqa: F401  (registers every table on the metadata)
from accord.db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Accord runs migrations online only: use `accord db upgrade`.")
run_migrations_online()
