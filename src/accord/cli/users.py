"""`accord users`: create accounts (the first administrator in particular), list, disable, enable.

These talk to the database directly, so they work before the service has any user at all.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from accord.config import Settings

T = TypeVar("T")
users_app = typer.Typer(help="Accounts: create (e.g. the first administrator), list, disable.")


def _run_in_unit_of_work(work: Callable[[AsyncSession, Settings], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction against the configured database."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.pool import NullPool

    from accord.cli.common import migrated_database_or_exit, settings_or_exit

    settings = settings_or_exit()
    url = migrated_database_or_exit(settings)

    async def run() -> T:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with async_sessionmaker(engine)() as session, session.begin():
                return await work(session, settings)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command()
def create(
    email: str = typer.Argument(..., help="The account's email address."),
    admin: bool = typer.Option(False, "--admin", help="Make the account an administrator."),
    full_name: str = typer.Option("", help="The person's name, as shown to others."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (for scripts)."
    ),
) -> None:
    """Create an account; with --admin, an instance administrator (how the first one is made)."""
    from accord.audit import RequestContext
    from accord.errors import AccordError
    from accord.users.service import create_user

    password = _read_password(password_stdin)

    async def work(session: AsyncSession, settings: Settings) -> str:
        user = await create_user(
            session,
            settings.security,
            email,
            password,
            full_name=full_name,
            is_admin=admin,
            context=RequestContext.current(ip="cli"),
        )
        return str(user.id)

    try:
        user_id = _run_in_unit_of_work(work)
    except AccordError as exc:
        typer.echo(f"accord: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    kind = "administrator" if admin else "user"
    typer.echo(f"created {kind} {email.strip()} ({user_id})")


@users_app.command("list")
def list_users() -> None:
    """Print every account: email, administrator?, enabled?"""
    from accord.users.repository import users_page

    async def work(session: AsyncSession, _: Settings) -> list[str]:
        users = await users_page(session, 0, 10_000)
        return [
            f"{u.email}\t{'admin' if u.is_admin else 'user'}\t"
            f"{'enabled' if u.is_active else 'disabled'}\t{u.id}"
            for u in users
        ]

    for line in _run_in_unit_of_work(work):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
