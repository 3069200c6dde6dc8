"""`accord rules check RULES` and `accord rules schema`: validate rules, publish their schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# sysexits.h: the input data (here, the rules document) was wrong.
EXIT_BAD_RULES = 65

rules_app = typer.Typer(
    help="Validate rules files and print their JSON Schema.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the `rules` command group to the `accord` app."""
    app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def check_command(
    rules: Annotated[Path, typer.Argument(help="Rules file (.yaml or .json).")],
) -> None:
    """Validate RULES and explain each problem; exits 65 if there are any."""
    from accord.engine.rules_errors import check_rules_file

    ruleset, problems = check_rules_file(rules)
    if ruleset is None:
        typer.echo(f"{rules}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(EXIT_BAD_RULES)
    names = ", ".join(f"{p.name} ({p.cardinality}, {p.action})" for p in ruleset.passes)
    typer.echo(f"{rules}: valid; {len(ruleset.passes)} pass(es): {names}")


@rules_app.command("schema")
def schema_command(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of rules documents (for editors and validation elsewhere)."""
    from accord.engine.rules import rules_json_schema_text

    text = rules_json_schema_text()
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")
