"""`accord db upgrade` and `accord db current`: the schema migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


def _database_url() -> URL:
    from accord.cli.common import exit_for, settings_or_exit
    from accord.startup.breaker import CircuitBreaker
    from accord.startup.checks import StartupFailure
    from accord.startup.database import connect_with_retry
    from accord.startup.exit_codes import ExitCode
    from accord.startup.tiers import resolve_database_url

    settings = settings_or_exit()
    url = resolve_database_url(settings)
    db = settings.db
    outcome = connect_with_retry(
        url, db, CircuitBreaker(db.breaker_threshold, db.breaker_cooldown_s)
    )
    if not outcome.ok:
        message = outcome.failure.message if outcome.failure else "database unreachable"
        raise exit_for(StartupFailure(ExitCode.DATABASE_UNREACHABLE, message))
    return url


@db_app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply the schema migrations up to REVISION (default: the newest)."""
    from accord.db import migrate

    url = _database_url()
    before = migrate.schema_state(url)
    migrate.upgrade(url, revision)
    after = migrate.schema_state(url)
    was = ",".join(before.current) or "empty"
    now = ",".join(after.current) or "empty"
    typer.echo(f"schema upgraded: {was} -> {now}" if was != now else f"schema already at {now}")


@db_app.command()
def current() -> None:
    """Show the schema revision of the database and whether it is at head."""
    from accord.db import migrate

    state = migrate.schema_state(_database_url())
    current_rev = ",".join(state.current) or "none"
    verdict = "at head" if state.at_head else f"behind head {state.head}: run `accord db upgrade`"
    typer.echo(f"{current_rev} ({verdict})")
    if not state.at_head:
        raise typer.Exit(4)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
