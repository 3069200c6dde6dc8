"""The `accord` command line: a Typer app assembled from one module per command group.

`main` writes the first log line and installs the crash handlers before any heavy import,
so even a failure while importing the engine or the web stack leaves a trace.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from accord import __version__
from accord.logging import configure_logging, get_logger

# Each module exposes `register(app: typer.Typer) -> None`; adding a command group is one line here.
COMMAND_MODULES: tuple[str, ...] = (
    "service",
    "db",
    "worker",
    "demo",
    "inspect",
    "users",
    "auth",
    "audit",
    "reconcile",
    "rules",
)

app = typer.Typer(
    name="accord",
    help="Accord: reconcile two data sets and explain every match.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"accord.cli.{_name}").register(app)


def main() -> None:
    """Entry point of the `accord` console script."""
    configure_logging(
        os.environ.get("ACCORD_LOG_LEVEL", "INFO").upper(),
        os.environ.get("ACCORD_LOG_FORMAT", "auto"),
    )
    from accord.startup import crash
    from accord.startup.exit_codes import ExitCode

    get_logger("accord").info("accord starting", version=__version__, argv=sys.argv[1:])
    crash.install_crash_handlers()
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:
        path = crash.write_crash_report(type(exc), exc, exc.__traceback__)
        get_logger("accord").critical(
            "internal error", error=f"{type(exc).__name__}: {exc}", crash_report=str(path)
        )
        typer.echo(f"accord: internal error ({type(exc).__name__}: {exc})", err=True)
        typer.echo(f"accord: crash report written to {path}", err=True)
        sys.exit(ExitCode.INTERNAL)
    finally:
        crash.remove_empty_fatal_file()
