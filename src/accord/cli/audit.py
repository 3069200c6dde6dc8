"""`accord audit verify`: check the audit log's hash chain and name the first broken entry."""

from __future__ import annotations

import typer

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)

CHAIN_BROKEN = 1


@audit_app.command()
def verify() -> None:
    """Recompute every entry's hash in order; exit 1 naming the first entry that fails."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from accord.audit.verify import verify_chain
    from accord.cli.common import settings_or_exit
    from accord.startup.tiers import resolve_database_url

    settings = settings_or_exit()
    engine = create_engine(resolve_database_url(settings), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            report = verify_chain(conn)
    finally:
        engine.dispose()
    if report.broken is not None:
        broken = report.broken
        typer.echo(
            f"audit chain BROKEN at entry {broken.id} ({broken.action}): {broken.reason}. "
            f"{report.checked} entries before it are intact.",
            err=True,
        )
        raise typer.Exit(CHAIN_BROKEN)
    typer.echo(f"audit chain intact: {report.checked} entries verified")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
