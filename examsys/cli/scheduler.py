"""`flask scheduler ...`: the one process that runs scheduled jobs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from examsys.core import scheduler
from examsys.jobs import JOBS

scheduler_cli = AppGroup("scheduler", help="Scheduled jobs (run exactly one scheduler process).")


@scheduler_cli.command("run")
def run_command() -> None:
    """Sweep once, then run every job at its interval until stopped."""
    click.echo(f"scheduler: {len(JOBS)} jobs: " + ", ".join(j.id for j in JOBS))
    scheduler.serve(current_app._get_current_object(), JOBS)


@scheduler_cli.command("sweep")
def sweep_command() -> None:
    """Run every job once now (what the scheduler does at start-up) and exit."""
    for job_id, done in scheduler.sweep(current_app._get_current_object(), JOBS).items():
        click.echo(f"{job_id}: {done}")
