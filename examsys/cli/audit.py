"""`flask audit ...`"""

import click
from flask.cli import AppGroup

from examsys.core.audit import verify_chain

audit_cli = AppGroup("audit", help="审计日志 / Audit log.")


@audit_cli.command("verify")
def verify():
    """Check the hash chain; exit 1 at the first tampered, reordered or missing entry."""
    problem = verify_chain()
    if problem is not None:
        click.echo(f"审计日志校验失败 / audit log broken: {problem}", err=True)
        raise SystemExit(1)
    click.echo("审计日志完整 / audit log intact")
