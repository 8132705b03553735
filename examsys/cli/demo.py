"""`flask demo load`"""

import click
from flask.cli import AppGroup

from examsys.cli.common import cli_operation
from examsys.modules.demo.operations import load_demo
from examsys.modules.demo.school import DEMO_PASSWORD, STAFF_ACCOUNTS

demo_cli = AppGroup("demo", help="演示数据 / Demo data.")


@demo_cli.command("load")
@click.option("--candidates", default=1200, show_default=True, help="Students to create.")
@click.option("--photos/--no-photos", default=True, show_default=True, help="Generate portrait photos.")
@cli_operation
def load(candidates, photos):
    """Load the fictitious demo school (idempotent)."""
    summary = load_demo(candidates=candidates, photos=photos)
    created = ", ".join(f"{k}={v}" for k, v in sorted(summary.created.items())) or "nothing new"
    click.echo(f"demo school loaded: {created}")
    click.echo(f"demo logins (password {DEMO_PASSWORD}): " + ", ".join(u for u, *_r in STAFF_ACCOUNTS) + ", candidate")
