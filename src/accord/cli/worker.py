"""`accord worker`: run reconciliation jobs from the durable queue."""

from __future__ import annotations

import typer


def worker(
    once: bool = typer.Option(
        False, "--once", help="Run queued jobs, then exit when none is left."
    ),
    poll_s: float = typer.Option(
        2.0,
        "--poll-interval",
        envvar="ACCORD_WORKER_POLL_S",
        min=0.1,
        help="Longest wait for a new job when idle (NOTIFY wakes the worker sooner).",
    ),
    heartbeat_s: float = typer.Option(
        2.0,
        "--heartbeat",
        envvar="ACCORD_WORKER_HEARTBEAT_S",
        min=0.1,
        help="Seconds between heartbeats of a running job.",
    ),
    stale_after_s: float = typer.Option(
        15.0,
        "--stale-after",
        envvar="ACCORD_WORKER_STALE_AFTER_S",
        min=1,
        help="A running job without heartbeat for this long is taken over by another worker.",
    ),
) -> None:
    """Claim queued jobs and run them; SIGTERM puts the running job back in the queue."""
    import signal
    from datetime import timedelta

    from accord.cli.common import started_or_exit
    from accord.jobs.worker import Worker, WorkerConfig

    if heartbeat_s * 2 > stale_after_s:
        typer.echo(
            f"accord worker: --heartbeat ({heartbeat_s:g} s) must be at most half of "
            f"--stale-after ({stale_after_s:g} s), or live jobs would be taken over",
            err=True,
        )
        raise typer.Exit(2)
    settings, startup = started_or_exit()
    assert startup.database_url is not None
    config = WorkerConfig(
        data_dir=settings.app.data_dir,
        poll_s=poll_s,
        heartbeat_s=heartbeat_s,
        stale_after_s=stale_after_s,
        job_timeout_s=settings.app.job_timeout_s,
        auth_retention=timedelta(days=settings.security.auth_retention_days),
        auth_prune_every_s=settings.security.auth_prune_interval_minutes * 60,
    )
    runner = Worker(startup.database_url, config)
    signal.signal(signal.SIGTERM, lambda *_: runner.shutdown.set())
    signal.signal(signal.SIGINT, lambda *_: runner.shutdown.set())
    runner.run(once=once)


def register(app: typer.Typer) -> None:
    app.command()(worker)
