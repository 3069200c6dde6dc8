"""`accord demo`: generate a bank statement and a ledger, reconcile them through the real
queue and worker, print the outcome, then serve the API to explore it."""

from __future__ import annotations

import typer


def demo(
    rows: int = typer.Option(3000, min=50, max=1_000_000, help="Transactions to generate."),
    serve: bool = typer.Option(True, help="Start the API afterwards to explore the results."),
    port: int = typer.Option(None, help="Port for the API [default: ACCORD_PORT]."),
) -> None:
    """Run a realistic reconciliation end to end on the embedded default, then serve it."""
    import asyncio

    from rich.console import Console
    from rich.table import Table

    from accord.cli.common import started_or_exit
    from accord.demo.run import RULES_PATH, run_demo
    from accord.engine import parse_rules

    settings, startup = started_or_exit()
    assert startup.database_url is not None
    console = Console()
    console.print(f"Generating {rows:,} transactions and reconciling them through the queue…")
    outcome = asyncio.run(run_demo(settings, startup.database_url, rows))
    if outcome.status != "succeeded":
        console.print(f"[red]The demo job {outcome.status}: {outcome.error}[/red]")
        raise typer.Exit(70)

    summary = outcome.summary
    left, right = summary["left"], summary["right"]
    table = Table(title=f"{left['name']} ↔ {right['name']}: {summary['matches']:,} matches")
    for column in ("pass", "matches", left["name"], right["name"]):
        table.add_column(column, justify="right" if column != "pass" else "left")
    # Stored as JSONB, the summary lost its key order: show passes in the rules' order.
    order = [p.name for p in parse_rules(RULES_PATH.read_text()).passes]
    for name, row in sorted(summary["by_pass"].items(), key=lambda kv: order.index(kv[0])):
        table.add_row(
            name, f"{row['matches']:,}", f"{row['left_records']:,}", f"{row['right_records']:,}"
        )
    console.print(table)
    rate = summary["match_rate"]
    console.print(
        f"matched {rate['left']:.1%} of {left['name']} and {rate['right']:.1%} of "
        f"{right['name']}; {summary['stored_results']:,} results stored"
    )
    host = settings.app.host
    api_port = port or settings.app.port
    base = f"http://{host}:{api_port}"
    project = f"{base}/projects/{outcome.project_id}"
    console.print(
        "\n[bold]Explore it[/bold]\n"
        f"  API docs     {base}/docs\n"
        f"  sign in      POST {base}/auth/login  email={outcome.email}  "
        f"password={outcome.password}\n"
        f"  job          GET  {project}/jobs/{outcome.job_id}\n"
        f"  results      GET  {project}/jobs/{outcome.job_id}/results?kind=unmatched_left\n"
        f"  summary      GET  {project}/jobs/{outcome.job_id}/summary\n",
        soft_wrap=True,
    )
    if serve:
        from accord.cli.service import serve as serve_command

        serve_command(host=host, port=api_port)


def register(app: typer.Typer) -> None:
    app.command()(demo)
