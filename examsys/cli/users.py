"""`flask user ...`"""

import click
from flask.cli import AppGroup

from examsys.cli.common import cli_operation
from examsys.core.permissions import Role
from examsys.modules.accounts import operations
from examsys.modules.accounts.util import find_user
from examsys.modules.catalog import util as catalog_util
from examsys.modules.people.util import find_by_document

user_cli = AppGroup("user", help="账户 / User accounts.")
ROLE_NAMES = [r.value for r in Role]


@user_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLE_NAMES), help="Repeatable.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--college", "college_code", default=None, help="College code (required for coordinators).")
@click.option("--person", "id_number", default=None, help="Link to the person with this ID number.")
@cli_operation
def create(username, roles, password, display_name, college_code, id_number):
    """Create an account."""
    college = None
    if college_code:
        college = next((c for c in catalog_util.list_colleges() if c.code == college_code), None)
        if college is None:
            raise click.BadParameter(f"no college with code {college_code!r}", param_hint="--college")
    person = find_by_document(id_number) if id_number else None
    if id_number and person is None:
        raise click.BadParameter(f"no person with ID number {id_number!r}", param_hint="--person")
    user = operations.create_user(
        username, password, [Role(r) for r in roles], display_name=display_name, college=college, person=person
    )
    click.echo(f"created user {user.username} ({', '.join(sorted(roles))})")


@user_cli.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for.")
@cli_operation
def token(username, name):
    """Issue an API token for USERNAME and print it once."""
    user = find_user(username)
    if user is None:
        raise click.BadParameter(f"no user {username!r}")
    _token, plain = operations.issue_api_token(user, name)
    click.echo(plain)
