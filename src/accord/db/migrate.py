"""Schema migrations: apply, inspect, and check that the database is at head.

Alembic is configured in code (the scripts ship inside the package), so `accord db upgrade`
works from any directory and inside the container.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool
from sqlalchemy.engine import URL, Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The tables Accord cannot serve without; the start-up check names any that are missing.
CRITICAL_TABLES = (
    "users",
    "projects",
    "project_members",
    "reconciliation_jobs",
    "reconciliation_results",
    "auth_sessions",
    "refresh_tokens",
    "password_reset_tokens",
    "audit_events",
    "datasets",
    "rulesets",
    "ruleset_versions",
    "review_decisions",
)


@dataclass(frozen=True)
class SchemaState:
    current: tuple[str, ...]
    head: str
    missing_tables: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return self.current == (self.head,) and not self.missing_tables


def alembic_config(url: URL | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option(
        "file_template", "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    if url is not None:
        cfg.set_main_option(
            "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def upgrade(url: URL, revision: str = "head") -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def current_heads(conn: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def schema_state(url: URL) -> SchemaState:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            current = current_heads(conn)
            present = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    missing = tuple(t for t in CRITICAL_TABLES if t not in present)
    return SchemaState(current=current, head=head_revision(), missing_tables=missing)
