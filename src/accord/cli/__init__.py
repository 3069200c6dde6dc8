"""The `accord` command line: a Typer app assembled from one module per command group."""

from __future__ import annotations

import importlib

import typer

# Each module exposes `register(app: typer.Typer) -> None`; adding a command group is one line here.
COMMAND_MODULES: tuple[str, ...] = ()

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
    app()
