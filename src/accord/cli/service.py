"""`accord serve`, `accord doctor`, `accord version`."""

from __future__ import annotations

import typer

from accord import __version__


def serve(
    host: str = typer.Option(None, help="Interface to listen on [default: ACCORD_HOST]."),
    port: int = typer.Option(None, help="Port to listen on [default: ACCORD_PORT]."),
) -> None:
    """Start the HTTP API after the start-up checks: database, schema, cache, environment."""
    from accord.cli.common import started_or_exit

    settings, startup = started_or_exit()

    import uvicorn

    from accord.api.app import create_app
    from accord.api.state import build_state

    app = create_app(build_state(settings, startup))
    _exit_cleanly_on_sigterm()
    uvicorn.run(
        app,
        host=host or settings.app.host,
        port=port or settings.app.port,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.app.forwarded_allow_ips,
    )


def _exit_cleanly_on_sigterm() -> None:
    """uvicorn re-raises SIGTERM after its graceful shutdown; turn it into a normal exit.

    Dying by the signal would skip `atexit`, and with it the stop of the embedded PostgreSQL.
    """
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def doctor() -> None:
    """Run every start-up check without changing anything and print them as a table."""
    from rich.console import Console
    from rich.table import Table

    from accord.cli.common import settings_or_exit
    from accord.startup.checks import Outcome
    from accord.startup.exit_codes import ExitCode
    from accord.startup.tiers import run_startup

    settings = settings_or_exit()
    result = run_startup(settings, upgrade=False, fail_fast=False)
    table = Table(title="accord doctor")
    for column in ("tier", "check", "outcome", "attempts", "ms", "detail"):
        table.add_column(column, overflow="fold")
    colours = {Outcome.ok: "green", Outcome.warn: "yellow", Outcome.degraded: "yellow"}
    for r in result.report.results:
        colour = colours.get(r.outcome, "red")
        table.add_row(
            str(r.tier),
            r.check,
            f"[{colour}]{r.outcome.value}[/{colour}]",
            str(r.attempts),
            f"{r.elapsed_ms:.0f}",
            r.message,
        )
    Console(width=140).print(table)
    failed = {r.check for r in result.report.results if r.tier == 1 and r.outcome is Outcome.fail}
    if "database" in failed:
        raise typer.Exit(ExitCode.DATABASE_UNREACHABLE)
    if "schema" in failed:
        raise typer.Exit(ExitCode.SCHEMA_NOT_MIGRATED)


def version() -> None:
    """Print Accord's version."""
    typer.echo(f"accord {__version__}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(doctor)
    app.command()(version)
