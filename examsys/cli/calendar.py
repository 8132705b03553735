"""`flask calendar ...`: working-day answers and overrides."""

from datetime import date

import click
from flask.cli import AppGroup

from examsys.cli.common import cli_operation
from examsys.core.calendar import is_working_day, shift_working_days
from examsys.modules.calendar import operations

calendar_cli = AppGroup("calendar", help="工作日日历 / Working-day calendar.")


def _date(_ctx, _param, value):
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not YYYY-MM-DD") from exc


@calendar_cli.command("shift")
@click.argument("start", callback=_date)
@click.argument("n", type=int)
def shift(start, n):
    """The date N working days after START (before it when N is negative)."""
    answer = shift_working_days(start, n)
    note = "  (provisional: Mon-Fri fallback used)" if answer.provisional else ""
    click.echo(f"{answer.day.isoformat()}{note}")


@calendar_cli.command("day")
@click.argument("day", callback=_date)
def day(day):
    """Is DAY a working day?"""
    working, provisional = is_working_day(day)
    click.echo(f"{day.isoformat()} {'working' if working else 'rest'}{' (provisional)' if provisional else ''}")


@calendar_cli.command("set")
@click.argument("day", callback=_date)
@click.option("--working/--rest", required=True, help="Working day (调休上班) or rest day.")
@click.option("--note", required=True, help="Source, e.g. the State Council notice number.")
@cli_operation
def set_day(day, working, note):
    """Record the official status of DAY in the override table."""
    operations.set_override(day, working, note)
    click.echo(f"{day.isoformat()} set to {'working' if working else 'rest'}")
