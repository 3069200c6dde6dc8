"""`accord auth prune`: delete sign-in records that stopped working (workers also do it hourly)."""

from __future__ import annotations

import typer

auth_app = typer.Typer(help="Sign-in records.", no_args_is_help=True)


@auth_app.command()
def prune() -> None:
    """Delete refresh tokens, sessions and reset links dead for ACCORD_AUTH_RETENTION_DAYS."""
    from datetime import timedelta

    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from accord.auth.pruning import prune_auth_records
    from accord.cli.common import migrated_database_or_exit, settings_or_exit

    settings = settings_or_exit()
    days = settings.security.auth_retention_days
    engine = create_engine(migrated_database_or_exit(settings), poolclass=NullPool)
    try:
        pruned = prune_auth_records(engine, timedelta(days=days))
    finally:
        engine.dispose()
    typer.echo(
        f"pruned {pruned.refresh_tokens} refresh tokens, {pruned.sessions} sessions and "
        f"{pruned.reset_tokens} reset tokens that stopped working over {days} days ago"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(auth_app, name="auth")
