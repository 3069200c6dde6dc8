"""What every command that touches the service's configuration shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from accord.config import ConfigError, Settings, load_settings
from accord.logging import configure_logging, get_logger
from accord.startup import crash
from accord.startup.checks import StartupFailure
from accord.startup.exit_codes import MEANING, ExitCode

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from accord.startup.tiers import StartupResult


def settings_or_exit() -> Settings:
    """Load the settings or stop with the configuration exit code, listing every problem."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        get_logger("accord.config").error(
            "invalid configuration", problems=[str(p) for p in exc.problems]
        )
        typer.echo(f"accord: {exc}", err=True)
        typer.echo(f"accord: {MEANING[ExitCode.CONFIG][1]}", err=True)
        raise typer.Exit(ExitCode.CONFIG) from None
    configure_logging(settings.log.level, settings.log.format)
    crash.set_config_summary(settings.summary(), settings.app.data_dir)
    if settings.generated_secrets:
        get_logger("accord.config").info(
            "development secrets generated and kept in the data dir",
            variables=list(settings.generated_secrets),
            path=str(settings.app.data_dir / "secrets.json"),
        )
    return settings


def exit_for(failure: StartupFailure) -> typer.Exit:
    """Print a critical start-up failure without a traceback; return the Exit to raise."""
    meaning, advice = MEANING[failure.exit_code]
    typer.echo(f"accord: {meaning}: {failure.message}", err=True)
    if advice:
        typer.echo(f"accord: {advice}", err=True)
    return typer.Exit(failure.exit_code)


def started_or_exit() -> tuple[Settings, StartupResult]:
    """Settings, then the tiered start-up; stop with the right exit code when either fails."""
    from accord.startup.tiers import run_startup

    settings = settings_or_exit()
    try:
        return settings, run_startup(settings)
    except StartupFailure as failure:
        raise exit_for(failure) from None


def migrated_database_or_exit(settings: Settings) -> URL:
    """The database's URL, or stop with the schema exit code unless it is migrated to head."""
    from accord.db import migrate
    from accord.startup.tiers import resolve_database_url

    url = resolve_database_url(settings)
    if not migrate.schema_state(url).at_head:
        meaning, advice = MEANING[ExitCode.SCHEMA_NOT_MIGRATED]
        typer.echo(f"accord: {meaning}; {advice}", err=True)
        raise typer.Exit(ExitCode.SCHEMA_NOT_MIGRATED)
    return url
