"""``registry users``: accounts for the web application and API tokens."""

import click

from registry.cli.context import handle_errors
from registry.commands.users import PEOPLE_ROLES


@click.group("users")
def users_group():
    """Create user accounts, set passwords, issue and revoke API tokens."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(PEOPLE_ROLES),
              help="regulator, commissioner, provider or admin.")
@click.option("--organisation", help="ODS code the user acts for (required for providers "
                                     "and commissioners).")
@click.option("--name", help="Full name shown on the record (default: the username).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="REGISTRY_NEW_PASSWORD",
              help="At least 10 characters; prompted for if not given.")
@click.pass_obj
@handle_errors
def add(obj, username, role, organisation, name, password):
    """Create a user who can sign in to the web application."""
    obj.app.add_user({"username": username, "role": role, "organisation": organisation,
                      "name": name or username, "password": password}, obj.provenance())
    bound = f" for {organisation.upper()}" if organisation else ""
    click.echo(f"Created {username.lower()} ({role}{bound}).")


@users_group.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="REGISTRY_NEW_PASSWORD", help="The new password (prompted for).")
@click.pass_obj
@handle_errors
def password(obj, username, password):
    """Set a user's password."""
    obj.app.change_password({"username": username, "password": password}, obj.provenance())
    click.echo(f"Password changed for {username.lower()}.")


@users_group.command("token")
@click.argument("username")
@click.option("--label", help="What the token is for, e.g. 'nightly upload'.")
@click.pass_obj
@handle_errors
def token(obj, username, label):
    """Issue an API token for USERNAME; it is printed once and never stored."""
    issued = obj.app.issue_token({"username": username, "label": label}, obj.provenance())
    click.echo(issued["token"])
    click.echo(f"Token {issued['token_id']} for {issued['username']}: send it as "
               "'Authorization: Bearer <token>'. It cannot be shown again.", err=True)


@users_group.command("revoke")
@click.argument("username")
@click.argument("token_id")
@click.pass_obj
@handle_errors
def revoke(obj, username, token_id):
    """Revoke one of USERNAME's API tokens (TOKEN_ID as printed when it was issued)."""
    obj.app.revoke_token({"username": username, "token_id": token_id}, obj.provenance())
    click.echo(f"Token {token_id} of {username.lower()} revoked.")


@users_group.command("show")
@click.argument("username")
@click.pass_obj
@handle_errors
def show(obj, username):
    """Show a user's role, organisation and tokens."""
    user = obj.app.get_user(username)
    if user is None:
        from registry.errors import NotFound
        raise NotFound(f"no user {username.lower()}", "username")
    click.echo(f"{user['username']}: {user['name']}, {user['role']}"
               + (f" for {user['organisation']}" if user["organisation"] else "")
               + (" (disabled)" if user["disabled"] else ""))
    for t in user["tokens"]:
        click.echo(f"  token {t['token_id']} {t['label'] or ''}"
                   f"{' (revoked)' if t['revoked'] else ''}")
