"""`flask` command groups, one file per area."""

from flask import Flask

from examsys.cli.audit import audit_cli
from examsys.cli.banks import bank_cli
from examsys.cli.calendar import calendar_cli
from examsys.cli.cameras import cameras_cli
from examsys.cli.demo import demo_cli
from examsys.cli.rooms import rooms_cli
from examsys.cli.scheduler import scheduler_cli
from examsys.cli.users import user_cli


def register_commands(app: Flask) -> None:
    for group in (audit_cli, bank_cli, calendar_cli, cameras_cli, demo_cli, rooms_cli, scheduler_cli, user_cli):
        app.cli.add_command(group)
