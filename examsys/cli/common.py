"""Shared plumbing for commands: one commit per command, audit entries as the CLI user."""

from __future__ import annotations

import functools
import getpass

import click

from examsys.core.audit import acting_as
from examsys.core.db import db, lock_for_write
from examsys.core.errors import DomainError


def cli_operation(func):
    """Run ``func`` as one transaction attributed to ``cli:<os user>``; show domain errors."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with acting_as(f"cli:{getpass.getuser()}"):
                lock_for_write(db.session)
                result = func(*args, **kwargs)
                db.session.commit()
                return result
        except DomainError as error:
            db.session.rollback()
            lines = [str(error)] + [f"  - {problem}" for problem in error.problems]
            raise click.ClickException("\n".join(lines)) from error
        except BaseException:
            db.session.rollback()
            raise

    return wrapper
